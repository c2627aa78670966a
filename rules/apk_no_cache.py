"""## What it does
Checks for `apk add` without `--no-cache`.

Also clean: `apk add --no-network` (installs only what is already on disk, so nothing is
downloaded or cached), removing `/var/cache/apk` later in the same RUN, or a `--mount=type=cache`
(or tmpfs) on `/var/cache/apk` or `/etc/apk/cache`. Stages whose files only leave through
`COPY --from` (build stages) are not checked. Heredoc RUN bodies are checked like any
script; Windows stages are not.

## Why is this bad?
Without `--no-cache`, `apk` keeps the package index it downloaded under
`/var/cache/apk`, and the layer ships it: megabytes for nothing at run time.

## Example
```dockerfile
FROM alpine:3.20
RUN apk update && apk add curl
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
```

## Fix
Add `--no-cache` to `apk add` (it also makes `apk update` unnecessary), or mount a cache:
`RUN --mount=type=cache,target=/var/cache/apk apk add curl`.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.model import parse_mount
from dlint.syntax.nodes import Span

CACHE_DIRS = ("/var/cache/apk", "/etc/apk/cache")

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



class ApkNoCache(Rule):
    code = "DF502"
    name = "apk-no-cache"
    severity = "info"
    aliases = ("DL3019",)

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
                    if not command.matches("apk", "add") or command.has_flag("--no-cache", "--no-network"):
                        continue
                    if any(_removes(c, CACHE_DIRS) for c in commands[index + 1:]):
                        continue
                    yield self.report(
                        ctx,
                        _span(command),
                        "`apk add` without `--no-cache`: the package index stays in "
                        "/var/cache/apk in this layer. Use `apk add --no-cache`.",
                    )
                    break


def _removes(command, directories) -> bool:
    if command.tool != "rm":
        return False
    for target in command.positional_args(()):
        path = target.rstrip("*").rstrip("/")
        if any(path == d or path.startswith(d + "/") for d in directories):
            return True
    return False
