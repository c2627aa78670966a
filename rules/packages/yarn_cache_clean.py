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

`dlint check --fix` appends `&& yarn cache clean` at the end of the RUN (safe; unsafe when
a later RUN runs yarn).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


CACHE_DIRS = ("/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn")
MESSAGE = ("`{command}` without `yarn cache clean` after it in the same RUN: yarn's package "
           "cache stays in this layer. Append `&& yarn cache clean`.")


class YarnCacheClean(Rule):
    code = "DF504"
    name = "yarn-cache-clean"
    severity = "info"
    aliases = ("DL3060",)
    keywords = ("RUN",)
    triggers = ("yarn",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_installs, _cleans, CACHE_DIRS, ("yarn",)):
            words = command.positional_args()
            shown = " ".join([command.basename, *words[:2 if words[:1] == ["global"] else 1]])
            yield self.report(ctx, command, MESSAGE.format(command=shown),
                              fix_append_cleanup(ctx, command, "yarn cache clean"))


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
