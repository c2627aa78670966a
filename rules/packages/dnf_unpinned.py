"""## What it does
Checks for `dnf install` (also `microdnf install`) of packages without a version.

Pinned: `name-version`, `name-version-release` and `name-version-release.arch`
(`httpd-2.4.62-1.el9`: the last `-` parts start with a digit or an epoch), or an operator
with a fixed or upper-bounded version (`"httpd = 2.4.62"`, `"httpd < 2.5"`); the version
may come from a variable (`httpd-${HTTPD_VERSION}`). Not pinned: a bare name, a name with
an architecture only (`httpd.x86_64`), `>`/`>=` alone. `.rpm` files, paths, URLs, `@group`s
and capabilities (`perl(JSON)`) are not reported, nor is a word whose value dlint cannot
know. Wrappers and `sh -c` strings are looked through; options before the subcommand are
fine; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3041): `.rpm` files and `httpd-${VERSION}` are not
reported; a name whose dashes hold no version is, even with digits inside
(`java-17-openjdk-headless` is a package name, hadolint counts it as pinned). Operator
forms (`"nginx < 1.27"`) and epochs (`pkg-1:17.0.12-2.fc40`) count as pins, `@group`s
are not reported. Fixtures: bad-names-with-digits.Dockerfile,
good-files-and-variables.Dockerfile, good-pinned.Dockerfile, good-modules.Dockerfile.

## Why is this bad?
Without a version, each build installs the newest package in the enabled repositories
that day, so two builds of the same Dockerfile can differ.

## Example
```dockerfile
FROM fedora:40
RUN dnf install -y httpd && dnf clean all
```
Use instead:
```dockerfile
FROM fedora:40
RUN dnf install -y httpd-2.4.62-1.fc40 && dnf clean all
```

## Fix
Add `-<version>` (and the release if needed) to each package: `dnf list --showduplicates
httpd` lists them.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`{command}` without a version for {packages}: every build installs the newest "
           "package in the repositories. Pin with `package-<version>`.")


class DnfUnpinned(Rule):
    code = "DF521"
    name = "dnf-unpinned"
    severity = "warning"
    aliases = ("DL3041",)
    keywords = ("RUN",)
    triggers = ("dnf",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("dnf"):
            words = " ".join([command.basename, *command.subcommands()])
            yield self.report(ctx, command, MESSAGE.format(command=words, packages=unpinned))
