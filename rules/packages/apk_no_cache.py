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

`dlint check --fix` adds `--no-cache` after `apk add` (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag


CACHE_DIRS = ("/var/cache/apk", "/etc/apk/cache")
MESSAGE = ("`apk add` without `--no-cache`: the package index stays in /var/cache/apk in "
           "this layer. Use `apk add --no-cache`.")


class ApkNoCache(Rule):
    code = "DF502"
    name = "apk-no-cache"
    severity = "info"
    aliases = ("DL3019",)
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_adds_with_cache, _cleans, CACHE_DIRS):
            yield self.report(ctx, command, MESSAGE, fix_add_flag(ctx, command, ("add",), "--no-cache"))


def _adds_with_cache(command) -> bool:
    return command.matches("apk", "add") and not command.has_flag("--no-cache", "--no-network")


def _cleans(command) -> bool:
    return command.removes(CACHE_DIRS)
