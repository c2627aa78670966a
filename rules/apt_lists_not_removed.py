"""## What it does
Checks for `apt-get install` or `apt-get update` without removing `/var/lib/apt/lists`
in the same RUN.

`apt install` and `apt update` count too; the removal must come after them.

A RUN whose `--mount=type=cache` or `--mount=type=tmpfs` covers `/var/lib/apt/lists` is
clean: the lists never reach the layer. Stages whose files only leave through
`COPY --from` (build stages) are not checked: their layers are not part of any image you
run. Heredoc RUN bodies are checked like any script; Windows stages are not.

## Why is this bad?
`apt-get update` downloads the package lists (tens of megabytes) into
`/var/lib/apt/lists`; left there, they are baked into the layer and shipped with the
image. Deleting them in a later RUN does not help: the earlier layer still holds them.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```

## Fix
End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache on the lists:
`RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked ...`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.model import parse_mount
from dlint.syntax.nodes import Span

LISTS_DIR = "/var/lib/apt/lists"


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


class AptListsNotRemoved(Rule):
    code = "DF501"
    name = "apt-lists-not-removed"
    severity = "info"
    aliases = ("DL3009",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        shipped = _shipped_stages(model)
        for stage in model.stages:
            if id(stage) not in shipped or stage.windows:
                continue
            for ins in stage.instructions:
                if ins.keyword != "RUN" or _mounted(ctx, ins, LISTS_DIR):
                    continue
                script = ctx.script(ins)
                if not script.posix:
                    continue
                commands = script.effective_commands
                first = next((i for i, c in enumerate(commands)
                              if c.matches(("apt-get", "apt"), {"install", "update"})), None)
                if first is None:
                    continue
                if any(_removes_lists(c) for c in commands[first + 1:]):
                    continue
                command = commands[first]
                yield self.report(
                    ctx,
                    _span(command),
                    f"`{command.basename} {command.subcommands()[0]}` without "
                    f"`rm -rf {LISTS_DIR}/*` in the same RUN: the package lists stay in "
                    f"this layer. Remove them at the end of the RUN, or mount a cache on "
                    f"{LISTS_DIR}.",
                )


def _removes_lists(command) -> bool:
    if command.tool == "rm":
        targets = command.positional_args(())
    elif command.tool == "find" and "-delete" in command.args:
        targets = command.args[:1]
    else:
        return False
    for target in targets:
        path = target.rstrip("*").rstrip("/")
        if path == LISTS_DIR or path.startswith(LISTS_DIR + "/") or path == "/var/lib/apt":
            return True
    return False
