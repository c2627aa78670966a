"""## What it does
Checks for stages named `scratch` or `context` (in any case).

Docker build check `ReservedStageName`; hadolint DL3063. Using `scratch` as the base
image (`FROM scratch AS base`) is fine.

## Why is this bad?
`scratch` is the empty base image and BuildKit reserves `context` for the build
context (named build contexts, `--build-context`): with a stage of that name, a reader
cannot tell whether `FROM scratch` or `COPY --from=scratch` means the empty image or the
stage, and `--build-context` cannot replace such a stage.

## Example
```dockerfile
FROM alpine:3.20 AS scratch
RUN echo hi > /hi
FROM scratch
COPY --from=scratch /hi /hi
```
Use instead:
```dockerfile
FROM alpine:3.20 AS build
RUN echo hi > /hi
FROM scratch
COPY --from=build /hi /hi
```

## Fix
Rename the stage (and its `--from=` references).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

RESERVED = ("scratch", "context")


class ReservedStageName(Rule):
    code = "DF805"
    name = "reserved-stage-name"
    severity = "warning"
    aliases = ("ReservedStageName", "DL3063")
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if stage.name in RESERVED:
                yield self.report(ctx, stage.from_instruction,
                                  f'Stage name should not use the same name as reserved stage "{stage.name}"')
