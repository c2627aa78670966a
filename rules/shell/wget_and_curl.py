"""## What it does
Checks for stages that run both `wget` and `curl`; the finding is on the first command of
the tool used second.

Only stages that ship are checked, once each. Heredoc RUN bodies and `sh -c` strings are
read like any script; Windows stages are not checked.

How dlint differs from hadolint (DL4001): hadolint reports every RUN that uses either tool
once both appeared, in every stage; dlint reports each shipped stage once, and not build
stages, whose tools never reach the image (fixture `good-build-stage.Dockerfile`). In an
Alpine or BusyBox stage that did not `apk add wget`, `wget` is part of BusyBox, installed
anyway, so only `curl` is an extra tool there (fixture `good-busybox.Dockerfile`).

## Why is this bad?
Both download files; having both means installing, patching and scanning two tools (and
their libraries) where one does the job, and readers wonder whether the difference
matters.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl wget \\
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
RUN wget -q -O /tmp/b.tgz https://example.com/b.tgz
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
RUN curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
```

## Fix
Pick one tool (`curl -fsSLo FILE URL` or `wget -q -O FILE URL`) for every download of
the stage, and install only that one.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

TOOLS = ("curl", "wget")


class WgetAndCurl(Rule):
    code = "DF416"
    name = "wget-and-curl"
    severity = "warning"
    aliases = ("DL4001",)
    keywords = ("RUN",)
    triggers = ("wget",)

    def check(self, ctx) -> Iterator[Finding]:
        reported: set[int] = set()
        first: dict[int, dict[str, object]] = {}
        for ins, cmd in ctx.run_commands(TOOLS, shipped_only=True):
            stage = ctx.model.stage_of(ins)
            tool = cmd.basename
            if stage is None or id(stage) in reported or not cmd.args:
                continue
            if tool == "wget" and ctx.busybox_wget(ins, cmd):
                continue                  # part of BusyBox: nothing to install
            seen = first.setdefault(id(stage), {})
            if tool in seen:
                continue
            seen[tool] = cmd
            if len(seen) == 2:
                other = next(t for t in TOOLS if t != tool)
                reported.add(id(stage))
                yield self.report(
                    ctx, cmd,
                    f"This stage uses both `{other}` (line {seen[other].line}) and "
                    f"`{tool}`: pick one download tool and install only that one.")
