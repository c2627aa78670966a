"""## What it does
Checks for stage names (`FROM image AS Name`) that are not all lowercase.

Docker build check `StageNameCasing`: BuildKit lower-cases stage names when it reads
them, so `AS Builder` defines the stage `builder`.

## Why is this bad?
`COPY --from=Builder` and `COPY --from=builder` then name the same stage, and
`docker build --target Builder` builds `builder`: the mixed-case spelling suggests a
distinction that does not exist and makes the file harder to search.

## Example
```dockerfile
FROM golang:1.22 AS Builder
RUN go build -o /app .
FROM alpine:3.20
COPY --from=Builder /app /app
```
Use instead:
```dockerfile
FROM golang:1.22 AS builder
RUN go build -o /app .
FROM alpine:3.20
COPY --from=builder /app /app
```

## Fix
Write the stage name in lowercase, and every `--from=` and `--target` that names it.

`dlint check --fix` lowercases the name and every reference to it: `FROM name`, `COPY
--from=name`, `RUN --mount=from=name` (safe: BuildKit matches stage names
case-insensitively, `--target` included).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, stage_reference_edits


class StageNameCasing(Rule):
    code = "DF800"
    name = "stage-name-casing"
    severity = "warning"
    aliases = ("StageNameCasing",)
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            # BuildKit: exactly `image AS name` (flags aside)
            if len(stage.from_instruction.value) == 3 and stage.raw_name is not None \
                    and stage.raw_name != stage.raw_name.lower():
                edits = stage_reference_edits(ctx.document, ctx.model, stage, stage.raw_name.lower())
                fix = Fix(f"Rename stage {stage.raw_name} to {stage.raw_name.lower()} "
                          f"(and every reference)", tuple(edits)) if edits else None
                yield self.report(ctx, stage.from_instruction,
                                  f"Stage name '{stage.raw_name}' should be lowercase", fix)
