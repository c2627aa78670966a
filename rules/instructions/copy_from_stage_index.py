"""## What it does
Checks for `COPY --from=<index>` and `RUN --mount=from=<index>` naming an earlier stage
by its number (`--from=0`) instead of by its name.

Only a literal number is reported; a number that comes from an ARG is left alone.

`RUN --mount=from=0` is worse than a style problem: BuildKit resolves a mount's `from` by
stage *name* only, so a number is taken as an image name and the build fails pulling
`docker.io/library/0` (checked on the project's engine, BuildKit 0.13; `COPY --from=0` does
resolve the index). dlint reports it with the same code and says so.

## Why is this bad?
A stage number is its position in the file: adding, removing or moving a stage silently
makes `--from=0` point at another stage, and the build still succeeds with the wrong files
(or fails far from the cause). A name (`FROM golang:1.23 AS build`, `--from=build`) stays
attached to its stage and says what is copied. BuildKit resolves both to the same stage.

## Example
```dockerfile
FROM golang:1.23
RUN go build -o /out/app .
FROM alpine:3.20
COPY --from=0 /out/app /app
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app .
FROM alpine:3.20
COPY --from=build /out/app /app
```

## Fix
Name the stage with `AS name` and use the name in `--from`.

`dlint check --fix` replaces the number in `COPY --from` with the stage's name when the
stage has one (safe: BuildKit resolves both to the same stage). When the stage has no
name, `--unsafe-fixes` also names it `stage-<index>` (unsafe: a new stage name can collide
with an image name or change what a `--target` someone uses means). For `RUN
--mount=from=<n>` the fix is always unsafe: it changes what the build reads (from an image
named `<n>`, which fails, to the stage).
"""

from __future__ import annotations

from collections.abc import Iterator

from dataclasses import replace

from dlint.api import Finding, Rule, fix_stage_index_reference


def _index_references(ins) -> list[str]:
    """The literal stage numbers an instruction's `--from` / `--mount=...from=` name."""
    found = []
    for flag in ins.flags:
        if flag.value is None:
            continue
        if flag.name == "from" and ins.keyword == "COPY":
            values = [flag.value]
        elif flag.name == "mount" and ins.keyword == "RUN":
            values = [part.partition("=")[2] for part in flag.value.split(",")
                      if part.partition("=")[0].strip().lower() == "from"]
        else:
            continue
        found.extend(v for v in values if v.isdigit())
    return found


class CopyFromStageIndex(Rule):
    code = "DF230"
    name = "copy-from-stage-index"
    severity = "info"
    keywords = ("COPY", "RUN")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword not in ("COPY", "RUN"):
                    continue
                # only earlier stages: the own stage and missing ones are other rules' errors
                earlier = [v for v in _index_references(ins)
                           if int(v) < stage.index and model.stage(int(v)) is not None]
                if not earlier:
                    continue
                shown = ", ".join(
                    f"{v} (`{model.stage(int(v)).raw_name}`)" if model.stage(int(v)).raw_name
                    else f"{v} (unnamed)" for v in earlier)
                fix = fix_stage_index_reference(ctx, ins)
                if ins.keyword == "RUN":
                    if fix is not None and fix.safe:
                        fix = replace(fix, description=fix.description + " (unsafe: the "
                                      "mount reads the stage instead of an image)", safe=False)
                    yield self.report(
                        ctx, ins,
                        f"`RUN --mount=from=` with a stage number: {shown}. BuildKit takes a "
                        f"mount's number as an image name (the build fails pulling it); "
                        f"refer to the stage by name.", fix=fix)
                    continue
                yield self.report(
                    ctx, ins,
                    f"Stage referred to by its number: {shown}. Refer to it by name "
                    f"(`FROM ... AS name`, `--from=name`): a number silently points at "
                    f"another stage when stages are added or moved.", fix=fix)
