"""## What it does
Checks for `apt-get update` (or `apt update`) without removing `/var/lib/apt/lists`
later in the same RUN.

Only a RUN that runs the update is reported: that is where the lists are downloaded and
where they must go. A RUN that only installs (`apt-get install` after an update in an
earlier RUN) is not: its lists sit in the earlier layer, and an `rm` in this RUN would
not shrink the image (apt-update-alone reports that pattern). The removal must come after
the last update of the RUN: `rm -rf /var/lib/apt/lists/* && apt-get update && ...`
leaves the second download in the layer. `apt-get dist-clean` / `apt dist-clean` (apt
2.7 and later, Debian trixie) remove the lists too, and `find /var/lib/apt/lists -delete`
counts; `apt-get clean` does not (it empties /var/cache/apt/archives only).

A RUN whose `--mount=type=cache` or `--mount=type=tmpfs` covers `/var/lib/apt/lists` is
clean: the lists never reach the layer. Stages whose files only leave through
`COPY --from` (build stages) are not checked: their layers are not part of any image you
run. Heredoc RUN bodies are checked like any script; Windows stages are not.

hadolint's DL3009 also reports a RUN with `apt-get install` and no update; dlint does
not, since nothing that RUN writes is in `/var/lib/apt/lists`.

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
End the RUN with `&& rm -rf /var/lib/apt/lists/*` (or `apt-get dist-clean` on apt 2.7+),
or mount a cache on the lists:
`RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked ...`.

`dlint check --fix` appends `&& rm -rf /var/lib/apt/lists/*` at the end of the RUN (safe;
unsafe when a later RUN runs apt-get or apt, which may need the lists). No fix when the
RUN ends in a comment, a trailing `&`/`|` or a nested heredoc.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_append_cleanup


LISTS_DIR = "/var/lib/apt/lists"
MESSAGE = ("`{command}` without `rm -rf {lists}/*` after it in the same RUN: the package "
           "lists it downloads stay in this layer. Remove them at the end of the RUN, or "
           "mount a cache on {lists}.")


class AptListsNotRemoved(Rule):
    code = "DF501"
    name = "apt-lists-not-removed"
    severity = "info"
    aliases = ("DL3009",)
    keywords = ("RUN",)
    triggers = ("apt",)

    def check(self, ctx) -> Iterator[Finding]:
        for command in ctx.uncleaned_installs(_updates, _removes_lists, (LISTS_DIR,),
                                              ("apt-get", "apt")):
            text = f"{command.basename} {command.subcommands()[0]}"
            yield self.report(ctx, command, MESSAGE.format(command=text, lists=LISTS_DIR),
                              fix_append_cleanup(ctx, command, f"rm -rf {LISTS_DIR}/*"))


def _updates(command) -> bool:
    return command.matches(("apt-get", "apt"), "update")


def _removes_lists(command) -> bool:
    if command.matches(("apt-get", "apt"), "dist-clean"):
        return True
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
