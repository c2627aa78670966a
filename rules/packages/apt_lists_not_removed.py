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

`dlint check --fix` appends `&& rm -rf /var/lib/apt/lists/*` at the end of the RUN (safe;
unsafe when a later RUN runs apt-get or apt, which may need the lists). No fix when the
RUN ends in a comment, a trailing `&`/`|` or a nested heredoc.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


LISTS_DIR = "/var/lib/apt/lists"


class AptListsNotRemoved(Rule):
    code = "DF501"
    name = "apt-lists-not-removed"
    severity = "info"
    aliases = ("DL3009",)
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, script in ctx.shipped_run_scripts():
            if ctx.model.cache_mounted(ins, (LISTS_DIR,)):
                continue
            fetches = script.find(("apt-get", "apt"), {"install", "update"})
            # Only the first install/update is checked: a removal anywhere after it counts.
            if not fetches or not script.unfollowed(lambda c: c is fetches[0], _removes_lists):
                continue
            command = fetches[0]
            yield self.report(
                ctx,
                command,
                f"`{command.basename} {command.subcommands()[0]}` without "
                f"`rm -rf {LISTS_DIR}/*` in the same RUN: the package lists stay in "
                f"this layer. Remove them at the end of the RUN, or mount a cache on "
                f"{LISTS_DIR}.",
                fix_append_cleanup(ctx, command, f"rm -rf {LISTS_DIR}/*"),
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
