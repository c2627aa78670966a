"""## What it does
Checks for `COPY --from=<stage> / /`, which copies a whole operating system over this stage.

Reported when the source stage is built on an image (not `scratch`) and changes its
files (RUN, COPY, ADD), so its root holds a whole operating system plus build leftovers.
Not reported: a copy from an image (`--from=docker/buildx-bin` and other tool images are
usually `FROM scratch` bundles made to be copied whole; hadolint reports them, fixture
`good-image-source`), from a stage that only names such an image (`FROM tonistiigi/xx AS
xx`, then `COPY --from=xx / /`: all 20 of hadolint's findings on the corpus are one of
these two; fixture `good-image-alias-stage`), from a stage built `FROM scratch`
(it holds only what was copied into it), and as the first instruction of a `FROM scratch`
stage, the usual way to flatten a stage into one layer (fixture `good-scratch-squash`).
Sources, destinations and stage names through an ARG are checked with their value when
known.

## Why is this bad?
Everything of the other stage lands in this one: its package manager state, caches,
build tools and `/etc` files overwrite those of this stage's base, and the image ships
all of it. Usually only a few build outputs are wanted.

## Example
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app .
FROM debian:12-slim
COPY --from=build / /
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app .
FROM debian:12-slim
COPY --from=build /out/app /usr/local/bin/app
```

## Fix
Copy the paths the image needs, not `/`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopyWholeStageRoot(Rule):
    code = "DF208"
    name = "copy-whole-stage-root"
    severity = "warning"
    aliases = ("DL3067",)
    keywords = ("COPY",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for position, ins in enumerate(stage.instructions):
                flag = ins.flag("from")
                if ins.keyword != "COPY" or flag is None or not flag.value or len(ins.value) < 2:
                    continue
                words = [model.expand(w, ins) for w in ins.value]
                if any(w.unresolved for w in words):
                    continue
                if not all(_is_root(w.value) for w in words):
                    continue
                if stage.is_scratch and all(i.keyword in ("ARG", "LABEL") for i in stage.instructions[:position]):
                    continue  # flattening a stage into one layer
                source = model.expand(flag.value, ins).value
                source_stage = model.stage(source)
                if source_stage is None or source_stage is stage:
                    continue  # an image (often a FROM scratch bundle of tools), or unknown
                chain = list(source_stage.chain())
                if chain[-1].is_scratch or chain[-1].base_unresolved:
                    continue  # a scratch stage holds only what was copied into it
                if not any(i.keyword in ("RUN", "COPY", "ADD") for st in chain for i in st.instructions):
                    continue  # a stage that only names an image (`FROM tonistiigi/xx AS xx`)
                yield self.report(
                    ctx, ins,
                    f"`COPY --from={source} / /` copies the whole filesystem of stage "
                    f"`{source_stage.label}` over this "
                    f"stage: caches, package databases and build tools included. Copy only the "
                    f"paths the image needs.")


def _is_root(path: str) -> bool:
    return bool(path) and posixpath.normpath(path.replace("//", "/")) == "/"
