"""## What it does
Checks for `yum install` without `yum clean all` later in the same RUN.

`groupinstall`, `localinstall`, `reinstall`, `update`, `upgrade` and `makecache` count as
installs too.

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
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.model import parse_mount
from dlint.syntax.nodes import Span

CACHE_DIRS = ("/var/cache/yum",)
INSTALLS = {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "makecache"}
MESSAGE = ("`{tool} {sub}` without `yum clean all` in the same RUN: yum's metadata and "
           "package cache stay in this layer. Append `&& yum clean all`.")

def _shipped_stages(model) -> set[int]:
    """ids of the stages whose layers end up in an image someone runs: the last stage,
    every stage no other stage uses (a possible --target), and their FROM ancestors.
    Stages only read through COPY --from / RUN --mount=from are build stages."""
    used = {id(dep.stage) for stage in model.stages for dep in model.dependencies(stage)
            if dep.stage is not None and dep.stage is not stage}
    shipped: set[int] = set()
    for stage in model.stages:
        if id(stage) in used and stage is not model.final_stage:
            continue
        while stage is not None and id(stage) not in shipped:
            shipped.add(id(stage))
            stage = stage.base_stage
    return shipped


def _mounted(ctx, ins, directory: str) -> bool:
    """A cache or tmpfs mount of `directory` or one of its parents."""
    for flag in ins.flags_named("mount"):
        options = parse_mount(flag.value)
        if options.get("type") not in ("cache", "tmpfs"):
            continue
        target = ctx.model.expand(options.get("target", ""), ins).value
        if not target:
            continue
        target = posixpath.normpath(target)
        if directory == target or directory.startswith(target.rstrip("/") + "/"):
            return True
    return False


def _span(command) -> Span:
    return Span(command.line, command.column, command.end_line, command.end_column)



class YumCleanAll(Rule):
    code = "DF505"
    name = "yum-clean-all"
    severity = "warning"
    aliases = ("DL3032",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        shipped = _shipped_stages(model)
        for stage in model.stages:
            if id(stage) not in shipped or stage.windows:
                continue
            for ins in stage.instructions:
                if ins.keyword != "RUN" or any(_mounted(ctx, ins, d) for d in CACHE_DIRS):
                    continue
                script = ctx.script(ins)
                if not script.posix:
                    continue
                commands = script.effective_commands
                for index, command in enumerate(commands):
                    if not _installs(command):
                        continue
                    if any(_cleans(c) for c in commands[index + 1:]):
                        continue
                    yield self.report(
                        ctx,
                        _span(command),
                        MESSAGE.format(tool=command.basename, sub=command.subcommands()[0]),
                    )
                    break


def _installs(command) -> bool:
    return command.matches("yum", INSTALLS) or command.matches("yum", "group", "install")


def _cleans(command) -> bool:
    if command.matches("yum", "clean", "all"):
        return True
    if command.tool != "rm":
        return False
    return any(a.rstrip("*").rstrip("/") in CACHE_DIRS or a.startswith(CACHE_DIRS[0] + "/")
               for a in command.positional_args(()))
