"""## What it does
Checks for `zypper install` without `zypper clean` later in the same RUN.

`in`, `update`, `dist-upgrade`, `patch`, `refresh`, `source-install` and their short
forms count as installs too.

Also clean: `zypper cc`, removing `/var/cache/zypp` later in the RUN, or a
`--mount=type=cache` (or tmpfs) on `/var/cache/zypp`. Stages whose files only leave
through `COPY --from` (build stages) are not checked. Heredoc RUN bodies are checked like
any script; Windows stages are not.

## Why is this bad?
zypper keeps repository metadata and downloaded packages in `/var/cache/zypp`; the layer
ships them unless they are removed in the same RUN.

## Example
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl
```
Use instead:
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl && zypper clean --all
```

## Fix
Append `&& zypper clean --all` to the RUN.

`dlint check --fix` appends `&& zypper clean --all` at the end of the RUN (safe; unsafe
when a later RUN runs zypper).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


CACHE_DIRS = ("/var/cache/zypp",)
INSTALLS = {"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "refresh", "ref",
            "source-install", "si"}
MESSAGE = ("`{tool} {sub}` without `zypper clean` in the same RUN: zypper's metadata and "
           "package cache stay in this layer. Append `&& zypper clean --all`.")


class ZypperClean(Rule):
    code = "DF507"
    name = "zypper-clean"
    severity = "warning"
    aliases = ("DL3036",)
    keywords = ("RUN",)
    triggers = ("zypper",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_installs, _cleans, CACHE_DIRS, ("zypper",)):
            message = MESSAGE.format(tool=command.basename, sub=command.subcommands()[0])
            yield self.report(ctx, command, message, fix_append_cleanup(ctx, command, f"{command.basename} clean --all"))


def _installs(command) -> bool:
    return command.matches("zypper", INSTALLS)


def _cleans(command) -> bool:
    return command.matches("zypper", {"clean", "cc"}) or command.removes(CACHE_DIRS)
