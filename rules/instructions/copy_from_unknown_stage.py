"""## What it does
Checks for `COPY --from` (or `RUN --mount=from`) naming a stage that does not exist.

That is: a name that is neither a stage of the file nor an image reference that says it
is one.

Reported: a bare name (no registry, no `/`, no tag, no digest) that no stage carries, such
as `--from=biuld`; a stage index past the last stage (`--from=7`); and a stage defined
further down the file. Not reported: a reference that reads as an image
(`--from=nginx:1.27`, `--from=ghcr.io/org/tool`, `--from=docker/buildx-bin`): copying from
an image is a normal use of `--from`. A reference that depends on an ARG is checked with
its value when known and skipped otherwise.

dlint differs from hadolint (DL3022), which reports every `--from` that is not an earlier
stage's name, images and stage indexes included (fixture `good-image-and-index`), and
does not look at `RUN --mount=from` (fixture `bad-mount-and-arg`). On the corpus the two
findings dlint makes are real typos (`--from=set` for stage `license-set`, in docker's
own buildx and compose Dockerfiles).

## Why is this bad?
BuildKit does not fail on a name it does not know: it takes it for an image on Docker
Hub (`docker.io/library/<name>:latest`), so a misspelt stage name pulls (or fails to
pull) some unrelated image. An index past the last stage fails the build ("invalid stage
index"). A stage defined later works under BuildKit only: the classic builder looks it up
as an image.

## Example
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/base-debian12
COPY --from=buidl /out/app /app
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app .
FROM gcr.io/distroless/base-debian12
COPY --from=build /out/app /app
```

## Fix
Name a stage defined above (`FROM ... AS <name>`), or write the image with its tag
(`--from=busybox:1.36`) when an image is meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopyFromUnknownStage(Rule):
    code = "DF203"
    name = "copy-from-unknown-stage"
    severity = "warning"
    aliases = ("DL3022",)
    keywords = ("COPY", "RUN")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        names = [s.raw_name for s in model.stages if s.raw_name]
        for stage in model.stages:
            for dep in model.dependencies(stage):
                if dep.kind == "from" or dep.unresolved or not dep.reference:
                    continue
                what = "COPY --from" if dep.kind == "copy" else "RUN --mount=from"
                ref = dep.reference
                if dep.stage is not None:
                    if dep.stage.index > stage.index:
                        yield self.report(
                            ctx, dep.instruction,
                            f"`{what}={ref}` names stage `{dep.stage.label}`, defined further down "
                            f"(line {dep.stage.from_instruction.start_line}): BuildKit accepts it, the "
                            f"classic builder looks for an image `{ref}`. Move the stage up.")
                    continue
                if ref.isdigit():
                    if int(ref) >= len(model.stages):
                        yield self.report(
                            ctx, dep.instruction,
                            f"`{what}={ref}`: there is no stage {ref} (the file has "
                            f"{len(model.stages)}, counted from 0); the build fails.")
                    continue
                image = dep.image
                if image is None or not image.valid:
                    continue  # a self-reference (copy-from-own-stage) or not a reference at all
                if image.tag is not None or image.digest is not None or "/" in ref:
                    continue
                import difflib  # only for a finding: not on every run's path

                close = difflib.get_close_matches(ref, names, n=1, cutoff=0.6)
                close = close or [n for n in names if n.lower().endswith(ref.lower())
                                  or n.lower().startswith(ref.lower())][:1]
                hint = f" Did you mean `{close[0]}`?" if close else ""
                yield self.report(
                    ctx, dep.instruction,
                    f"`{what}={ref}` names no stage of this file, so BuildKit pulls the image "
                    f"`docker.io/library/{ref}:latest` instead.{hint} For an image, write its tag.")
