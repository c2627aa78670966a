"""## What it does
Checks for `apt-get install` (and `apt install`) of packages without a version.

A package is pinned by `package=version`; the version may come from a variable
(`curl=${CURL_VERSION}`). `.deb` files and paths are not reported, nor is a simulation
(`apt-get install -s`: it installs nothing; fixture good-simulation.Dockerfile), nor is a
word whose value dlint cannot know (`$PACKAGES` with no known ARG/ENV value). Wrappers
(`sudo`, `env`) and `sh -c` strings are looked through; global options before `install`
are fine (`apt-get -q install`). Every stage is checked: a build stage's tools shape what
it produces. Heredoc RUN bodies are checked like any script; Windows stages are not.

Where dlint differs from hadolint (DL3008): `pkg/release` is reported. It only selects
the suite the package comes from (`-t release` for one package); the version in a suite
such as `bookworm-backports` still changes with every upload, so it pins nothing
(hadolint counts it as pinned). A variable whose ARG/ENV value is known is read
(`ARG PACKAGES="curl git"` then `apt-get install $PACKAGES` is reported, with the
packages named), an unknown one is not (hadolint reports every `$VAR`). Commands behind
`sudo` or inside `sh -c`, and `apt install`, are checked (hadolint reads none of them).
Fixtures: bad-release.Dockerfile, bad-arg-templated.Dockerfile, good-variables.Dockerfile,
bad-basic.Dockerfile.

## Why is this bad?
Without a version, the build installs whatever the archive holds that day: two builds of
the same Dockerfile can differ, and a cached layer hides the difference until the cache is
dropped. A pinned version makes the change visible as an edit to the Dockerfile.

Pinning has a cost on Debian and Ubuntu: the archive drops superseded versions, so a pin
breaks the build when a security update replaces the package. Pin together with a
snapshot mirror (snapshot.debian.org) or a digest-pinned base image, or turn the rule off.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
```

## Fix
Add `=<version>` to each package (`apt-cache policy curl` shows the candidate version),
or give it through a build argument: `ARG CURL_VERSION=...` and `curl=${CURL_VERSION}`.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

TOOLS = ("apt-get", "apt")
MESSAGE = ("`{command}` without a version for {packages}: every build installs whatever "
           "the archive holds that day. Pin with `package=<version>`.")


class AptUnpinned(Rule):
    code = "DF510"
    name = "apt-unpinned"
    severity = "warning"
    aliases = ("DL3008",)
    keywords = ("RUN",)
    triggers = ("apt",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs(TOOLS):
            words = " ".join([command.basename, *command.subcommands()])
            yield self.report(ctx, command, MESSAGE.format(command=words, packages=unpinned))
