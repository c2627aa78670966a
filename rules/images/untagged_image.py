"""## What it does
Checks for `FROM` images given without a tag or digest, such as `FROM ubuntu`.

An image named through an ARG is checked with the ARG's default substituted
(`ARG BASE=debian` then `FROM ${BASE}` is untagged; `FROM python:${V}` with `ARG V=3.12`
is tagged). A FROM whose image depends on an ARG without a default is not checked: its
value only exists at build time. `scratch` and references to earlier stages are not images
and are never reported.

## Why is this bad?
Without a tag, Docker pulls `latest`, which moves: the same Dockerfile builds on a
different base image from one week to the next, so builds are not reproducible and a new
major version of the base can break the image without any change to the Dockerfile.

## Example
```dockerfile
FROM ubuntu
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
```
Use instead:
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
```

## Fix
Add the tag of the version you test with (`ubuntu:24.04`, `python:3.12-slim`), or pin by
digest (`ubuntu:24.04@sha256:...`; see digest-pin).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



class UntaggedImage(Rule):
    code = "DF101"
    name = "untagged-image"
    severity = "warning"
    aliases = ("DL3006",)
    keywords = ("FROM",)

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            image = stage.external_image
            if image is None or image.tag is not None or image.digest is not None:
                continue
            shown = image.text
            via = f" (from `{stage.base_text}`)" if stage.base_text != image.text else ""
            yield self.report(
                ctx,
                stage.from_instruction,
                f"Image `{shown}`{via} has no tag: Docker pulls whatever `latest` is at build "
                f"time. Pin a version, e.g. `{shown}:<version>`.",
            )
