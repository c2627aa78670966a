"""## What it does
Checks for `COPY` or `ADD` to a relative destination before any `WORKDIR`.

As in `COPY app.py app/` in a stage where no `WORKDIR` was set yet, neither in the stage
nor in the earlier stages it is built `FROM`.

A stage built `FROM scratch` is not reported: its working directory is `/`, so the
destination is known. Nor is a stage whose base depends on an ARG without a value: it may
be a stage that sets a WORKDIR. A destination through an ARG is checked with its value when known
and skipped otherwise; ONBUILD triggers are not checked (they run in another build).
Windows destinations such as `C:\\app` are absolute.

dlint differs from hadolint (DL3045): a `scratch` stage is not reported (fixture
`good-scratch`; 17 of hadolint's findings on the corpus are such COPYs, and all land
exactly where intended), a destination whose ARG value is absolute is not reported
(fixture `good-arg-destination`), and ADD is checked like COPY (fixture
`bad-add-heredoc`).

## Why is this bad?
A relative destination is resolved against the working directory, which, without a
WORKDIR in this Dockerfile, is whatever the base image chose: `/` for most images, but
`/go` for `golang`, `/usr/src/app` or `/app` for many others, and it can change when the
base image does. The files land somewhere the Dockerfile does not say.

## Example
```dockerfile
FROM python:3.12-slim
COPY app.py app/
```
Use instead:
```dockerfile
FROM python:3.12-slim
WORKDIR /srv
COPY app.py app/
```

## Fix
Set `WORKDIR` before the COPY, or write an absolute destination.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopyRelativeWithoutWorkdir(Rule):
    code = "DF206"
    name = "copy-relative-without-workdir"
    severity = "warning"
    aliases = ("DL3045",)
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            if any(ins.keyword == "WORKDIR" for base in list(stage.chain())[1:] for ins in base.instructions):
                continue
            root = list(stage.chain())[-1]
            if root.is_scratch or root.base_unresolved:
                continue  # `/`; or a base (perhaps a stage with a WORKDIR) known only at build time
            for ins in stage.instructions:
                if ins.keyword == "WORKDIR":
                    break
                if ins.keyword not in ("COPY", "ADD") or len(ins.value) < 2:
                    continue
                dest = model.expand(ins.value[-1], ins)
                if dest.unresolved or not dest.value or _absolute(dest.value, stage.windows):
                    continue
                image = root.base_name or root.base_text
                yield self.report(
                    ctx, ins,
                    f"{ins.keyword} to the relative destination `{dest.value}` before any WORKDIR: it "
                    f"lands under the working directory of `{image}`, which this Dockerfile does "
                    f"not set. Add a WORKDIR or use an absolute path.")


def _absolute(path: str, windows: bool) -> bool:
    if path.startswith("/"):
        return True
    if windows or (len(path) >= 2 and path[1] == ":"):
        return path.startswith("\\") or (len(path) >= 2 and path[1] == ":" and path[0].isalpha())
    return False
