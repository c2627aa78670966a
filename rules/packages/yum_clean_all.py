"""## What it does
Checks for `yum install` without `yum clean all` later in the same RUN.

`groupinstall`, `localinstall`, `reinstall`, `update`, `upgrade` and `makecache` count as
installs too, with options before or after the subcommand (`yum -y install`,
`yum --setopt=tsflags=nodocs -q install`); with `-C`/`--cacheonly` yum downloads nothing,
so that command is not reported.

Also clean: removing `/var/cache/yum` later in the RUN, or a `--mount=type=cache` (or
tmpfs) on `/var/cache/yum`. Stages whose files only leave through `COPY --from` (build
stages) are not checked. Heredoc RUN bodies are checked like any script; Windows stages
are not.

## Why is this bad?
yum keeps repository metadata and downloaded packages in `/var/cache/yum`, often
hundreds of megabytes; the layer ships them unless they are removed in the same RUN.

## Example
```dockerfile
FROM centos:7
RUN yum install -y httpd
```
Use instead:
```dockerfile
FROM centos:7
RUN yum install -y httpd && yum clean all
```

## Fix
Append `&& yum clean all` (or `&& rm -rf /var/cache/yum`) to the RUN.

`dlint check --fix` appends `&& yum clean all` at the end of the RUN (safe; unsafe when a
later RUN runs yum).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


CACHE_DIRS = ("/var/cache/yum",)
INSTALLS = {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "makecache"}
MESSAGE = ("`{tool} {sub}` without `yum clean all` in the same RUN: yum's metadata and "
           "package cache stay in this layer. Append `&& yum clean all`.")


class YumCleanAll(Rule):
    code = "DF505"
    name = "yum-clean-all"
    severity = "warning"
    aliases = ("DL3032",)
    keywords = ("RUN",)
    triggers = ("yum",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_installs, _cleans, CACHE_DIRS, ("yum",)):
            message = MESSAGE.format(tool=command.basename, sub=command.subcommands()[0])
            yield self.report(ctx, command, message, fix_append_cleanup(ctx, command, f"{command.basename} clean all"))


def _installs(command) -> bool:
    found = command.matches("yum", INSTALLS) or command.matches("yum", "group", "install")
    # -C (--cacheonly) works from the cache only: nothing is downloaded
    return found and not command.has_flag("-C", "--cacheonly")


def _cleans(command) -> bool:
    return command.matches("yum", "clean", "all") or command.removes(CACHE_DIRS)
