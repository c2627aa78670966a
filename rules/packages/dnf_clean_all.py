"""## What it does
Checks for `dnf install` without `dnf clean all` later in the same RUN.

`microdnf` and `dnf5` count as dnf; `groupinstall`, `reinstall`, `update`, `upgrade`,
`makecache` and `builddep` count as installs too, with options before or after the
subcommand (`dnf -y --setopt=install_weak_deps=False install`); with `-C`/`--cacheonly`
dnf downloads nothing, so that command is not reported.

Also clean: `microdnf clean all`, `yum clean all` (yum is dnf on dnf-based systems),
removing `/var/cache/dnf` (or `/var/cache/yum`, `/var/cache/libdnf5`) later in the RUN, or
a `--mount=type=cache` (or tmpfs) on one of those. Stages whose files only leave through
`COPY --from` (build stages) are not checked. Heredoc RUN bodies are checked like any
script; Windows stages are not.

## Why is this bad?
dnf keeps repository metadata and downloaded packages in `/var/cache/dnf`, often
hundreds of megabytes; the layer ships them unless they are removed in the same RUN.

## Example
```dockerfile
FROM fedora:40
RUN dnf install -y httpd
```
Use instead:
```dockerfile
FROM fedora:40
RUN dnf install -y httpd && dnf clean all
```

## Fix
Append `&& dnf clean all` (`&& microdnf clean all` on ubi-minimal) to the RUN.

`dlint check --fix` appends `&& dnf clean all` (the tool as written: microdnf, dnf5) at
the end of the RUN (safe; unsafe when a later RUN runs it).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


CACHE_DIRS = ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5")
TOOLS = ("dnf", "dnf5", "tdnf")
INSTALLS = {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade",
            "makecache", "builddep"}
MESSAGE = ("`{tool} {sub}` without `dnf clean all` in the same RUN: dnf's metadata and "
           "package cache stay in this layer. Append `&& {tool} clean all`.")


class DnfCleanAll(Rule):
    code = "DF506"
    name = "dnf-clean-all"
    severity = "warning"
    aliases = ("DL3040",)
    keywords = ("RUN",)
    triggers = ("dnf",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_installs, _cleans, CACHE_DIRS, TOOLS):
            message = MESSAGE.format(tool=command.basename, sub=command.subcommands()[0])
            yield self.report(ctx, command, message, fix_append_cleanup(ctx, command, f"{command.basename} clean all"))


def _installs(command) -> bool:
    found = command.matches(TOOLS, INSTALLS) or command.matches(TOOLS, "group", "install")
    # -C (--cacheonly) works from the cache only: nothing is downloaded
    return found and not command.has_flag("-C", "--cacheonly")


def _cleans(command) -> bool:
    # yum is dnf on dnf-based systems: `yum clean all` cleans the same cache
    return command.matches((*TOOLS, "yum"), "clean", "all") or command.removes(CACHE_DIRS)
