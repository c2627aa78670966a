"""## What it does
Checks that every image a `FROM` pulls comes from a registry on the allow list (option
`registries`, by default only `registry.acme.example`).

The registry is the one Docker pulls from: `FROM python:3.12` is
`docker.io/library/python:3.12`, and an image named through an ARG is read with the ARG's
default (`ARG BASE=python:3.12` then `FROM ${BASE}`). A `FROM` naming an earlier stage,
`FROM scratch`, and an image whose ARG has no default (its value exists only at build
time) are not checked. Images pulled by `COPY --from=<image>` or `RUN --mount=from=<image>`
are not checked either.

## Why is this bad?
Images from a registry outside the allow list escape the team's mirror: they are not
scanned, not cached close to the builders, and may disappear or change under the same tag.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir flask
```
Use instead:
```dockerfile
FROM registry.acme.example/mirror/python:3.12-slim
RUN pip install --no-cache-dir flask
```

## Fix
Pull the image through an allowed registry (`registry.acme.example/mirror/...`), or add
its registry to the allow list.

## Options
`registries` (list of registry host names, with a port if it has one): the registries
images may come from. Docker Hub is `docker.io`.

```toml
[rules.acme-allowed-registries]
registries = ["registry.acme.example", "ghcr.io"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, LintContext, Rule, parse_image_ref


class AllowedRegistries(Rule):
    code = "ACME001"
    name = "acme-allowed-registries"
    severity = "error"
    keywords = ("FROM",)  # files without a FROM are skipped before check() runs
    options = {"registries": list[str]}
    defaults = {"registries": ["registry.acme.example"]}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        allowed = [_registry(entry) for entry in self.config["registries"]]
        for stage in ctx.model.stages:
            image = stage.external_image  # None: a stage, scratch, or an ARG without a value
            if image is None or image.domain in allowed:
                continue
            shown = ", ".join(self.config["registries"]) or "none"
            yield self.report(
                ctx,
                stage.from_instruction,
                f"`{image.text}` comes from {image.domain}, which is not an allowed "
                f"registry (allowed: {shown}).",
            )


def _registry(entry: str) -> str:
    """A registry as Docker normalises it: `index.docker.io` is `docker.io`."""
    return parse_image_ref(f"{entry.strip().lower()}/image").domain
