"""## What it does
Checks for `zypper install` (`zypper in`) of packages without a version.

Pinned: `name=version`, an upper bound (`"name<2"`), or `name-version[-release]` (zypper
resolves it like rpm's NEVRA); the version may come from a variable. Not pinned: a bare
name, `>`/`>=` alone. `.rpm` files, paths, URLs and capabilities are not reported, nor
are patterns, patches and products (`-t pattern`), nor a word whose value dlint cannot
know. Wrappers and `sh -c` strings are looked through; global options are fine; every
stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3037): `name-1.2` and `"name<2"` count as pins,
`-t pattern` installs and variables without known value are not reported (hadolint
reports all of them). Fixtures: good-versions-and-patterns.Dockerfile,
good-variables.Dockerfile.

## Why is this bad?
Without a version, each build installs the newest package in the repositories that day,
so two builds of the same Dockerfile can differ.

## Example
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl && zypper clean --all
```
Use instead:
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl=8.6.0 && zypper clean --all
```

## Fix
Add `=<version>` to each package: `zypper search -s curl` lists them.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`zypper install` without a version for {packages}: every build installs the "
           "newest package in the repositories. Pin with `package=<version>`.")


class ZypperUnpinned(Rule):
    code = "DF524"
    name = "zypper-unpinned"
    severity = "warning"
    aliases = ("DL3037",)
    keywords = ("RUN",)
    triggers = ("zypper",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("zypper"):
            yield self.report(ctx, command, MESSAGE.format(packages=unpinned))
