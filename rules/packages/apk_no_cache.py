"""## What it does
Checks for `apk add` without `--no-cache`, and for `apk update`.

`apk update` writes the package index to `/var/cache/apk`, and `--no-cache` on a later
`apk add` of the same RUN does not remove it: the update is reported (with `apk add
--no-cache` the update is not needed at all). `apk add` without `--no-cache` refreshes a
missing or stale index into the same directory (apk's `--cache-max-age`), so it is
reported even without an update before it.

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

`dlint check --fix` adds `--no-cache` after `apk add` (safe), and for `apk update` appends
`&& rm -rf /var/cache/apk/*` at the end of the RUN (safe; unsafe when a later RUN runs apk).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag, fix_append_cleanup


CACHE_DIRS = ("/var/cache/apk", "/etc/apk/cache")
MESSAGE = ("`apk add` without `--no-cache`: the package index stays in /var/cache/apk in "
           "this layer. Use `apk add --no-cache`.")
UPDATE_MESSAGE = ("`apk update` stores the package index in /var/cache/apk, in this layer; "
                  "`--no-cache` on a later `apk add` does not remove it. Drop `apk update` and "
                  "use `apk add --no-cache`, which fetches a fresh index without storing it.")


class ApkNoCache(Rule):
    code = "DF502"
    name = "apk-no-cache"
    severity = "info"
    aliases = ("DL3019",)
    keywords = ("RUN",)
    triggers = ("apk",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_stores_index, _cleans, CACHE_DIRS, ("apk",)):
            if command.matches("apk", "update"):
                fix = fix_append_cleanup(ctx, command, "rm -rf /var/cache/apk/*")
                yield self.report(ctx, command, UPDATE_MESSAGE, fix)
            else:
                yield self.report(ctx, command, MESSAGE, fix_add_flag(ctx, command, ("add",), "--no-cache"))


def _stores_index(command) -> bool:
    if not command.matches("apk", {"add", "update"}):
        return False
    return not command.has_flag("--no-cache", "--no-network")


def _cleans(command) -> bool:
    return command.removes(CACHE_DIRS)
