"""## What it does
Checks for two stages with the same name (`FROM ... AS build` twice); names compare
case-insensitively, as BuildKit lower-cases them.

Docker build check `DuplicateStageName`; hadolint DL3024.

## Why is this bad?
`COPY --from=build`, `RUN --mount=from=build` and `--target build` can only mean one of
the stages, so the other one is silently not what they use: which one BuildKit picks is
not something a reader of the file should have to know.

## Example
```dockerfile
FROM golang:1.22 AS build
RUN go build -o /bin/app ./cmd/app
FROM node:20 AS build
RUN npm ci && npm run build
FROM alpine:3.20
COPY --from=build /bin/app /bin/app
```
Use instead:
```dockerfile
FROM golang:1.22 AS build-go
RUN go build -o /bin/app ./cmd/app
FROM node:20 AS build-web
RUN npm ci && npm run build
FROM alpine:3.20
COPY --from=build-go /bin/app /bin/app
```

## Fix
Give each stage its own name and update the `--from=` references.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class DuplicateStageName(Rule):
    code = "DF804"
    name = "duplicate-stage-name"
    severity = "warning"
    aliases = ("DuplicateStageName", "DL3024")
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        seen: set[str] = set()
        for stage in ctx.model.stages:
            if stage.name is None:
                continue
            if stage.name in seen:
                quoted = stage.name.replace("\\", "\\\\").replace('"', '\\"')
                yield self.report(ctx, stage.from_instruction,
                                  f'Duplicate stage name "{quoted}", stage names should be unique')
            seen.add(stage.name)
