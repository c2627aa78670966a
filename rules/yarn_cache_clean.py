"""## What it does
Checks for `yarn install` (also a bare `yarn`, `yarn add` and `yarn global add`) without
`yarn cache clean` later in the same RUN.

Also clean: removing yarn's cache directory (`.../.cache/yarn`) later in the RUN, or a
`--mount=type=cache` (or tmpfs) whose target is a yarn cache directory. Stages whose
files only leave through `COPY --from` (build stages, the usual place for a front-end
build) are not checked. Heredoc RUN bodies are checked like any script; Windows stages
are not.

## Why is this bad?
yarn keeps a copy of every package it fetched in its global cache
(`/usr/local/share/.cache/yarn` in the node images). In an image the cache is dead
weight, often as large as `node_modules` itself.

## Example
```dockerfile
FROM node:22-slim
RUN yarn install --frozen-lockfile
```
Use instead:
```dockerfile
FROM node:22-slim
RUN yarn install --frozen-lockfile && yarn cache clean
```

## Fix
Append `&& yarn cache clean` to the RUN, or keep the cache between builds with
`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install`.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.model import parse_mount
from dlint.syntax.nodes import Span

CACHE_DIRS = ("/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn")

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



class YarnCacheClean(Rule):
    code = "DF504"
    name = "yarn-cache-clean"
    severity = "info"
    aliases = ("DL3060",)

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
                        "`yarn install` without `yarn cache clean` in the same RUN: yarn's "
                        "package cache stays in this layer. Append `&& yarn cache clean`.",
                    )
                    break


def _installs(command) -> bool:
    if command.tool != "yarn":
        return False
    words = command.positional_args()
    if not words:  # a bare `yarn` installs, `yarn --version` does not
        return not command.has_flag("--version", "-v", "--help", "-h")
    return words[0] in ("install", "add") or words[:2] == ["global", "add"]


def _cleans(command) -> bool:
    if command.matches("yarn", "cache", "clean"):
        return True
    if command.tool != "rm":
        return False
    return any(".cache/yarn" in a or "/.yarn" in a for a in command.positional_args(()))
