"""## What it does
Checks for `zypper dist-upgrade` (`zypper dup`) in RUN.

Wrappers and `sh -c` strings are looked through; every stage is checked; Windows stages
are not. Where dlint differs from hadolint (DL3035): `sudo zypper dup` and
`sh -c 'zypper dup'` are reported (hadolint reads neither; fixture bad-wrapped.Dockerfile).

## Why is this bad?
A distribution upgrade inside a build moves the image to whatever the repositories hold
that day, possibly a new release: the result differs from build to build, the layer
duplicates much of the base image, and the base image's tag no longer says what is
inside. A newer base image does the same job reproducibly.

## Example
```dockerfile
FROM opensuse/leap:15.5
RUN zypper -n dist-upgrade && zypper clean --all
```
Use instead:
```dockerfile
FROM opensuse/leap:15.6
RUN zypper -n patch && zypper clean --all
```

## Fix
Use a newer base image; for security fixes within the release use `zypper patch` (or
`zypper update`).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`zypper {sub}` upgrades the whole distribution during the build. Use a newer "
           "base image instead.")


class ZypperDistUpgrade(Rule):
    code = "DF523"
    name = "zypper-dist-upgrade"
    severity = "warning"
    aliases = ("DL3035",)
    keywords = ("RUN",)
    triggers = ("zypper",)

    def check(self, ctx) -> Iterator[Finding]:
        for _, command in ctx.run_commands("zypper"):
            if command.matches("zypper", {"dist-upgrade", "dup"}):
                yield self.report(ctx, command, MESSAGE.format(sub=command.subcommands()[0]))
