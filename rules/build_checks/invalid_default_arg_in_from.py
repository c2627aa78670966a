"""## What it does
Checks for a `FROM` whose image is invalid when the global `ARG`s keep their defaults.
Example: `ARG TAG` then `FROM alpine:${TAG}` gives `alpine:`.

Docker build check `InvalidDefaultArgInFrom`. As in BuildKit, the image is expanded with
the defaults of the global `ARG`s only (an `ARG` without default is empty) and must then
be a valid reference: not empty, no trailing `:`, no uppercase in the repository, a
valid tag and digest.

Differs from BuildKit: BuildKit also reports a literal invalid name (`FROM MyImage`) with
this message about `ARG` defaults; dlint reports only `FROM` lines that use a variable
(a literal invalid reference is a plain error, not an `ARG` default problem).

## Why is this bad?
The build works only when every `--build-arg` it needs is passed; anyone who runs a
plain `docker build` (a new contributor, a tool like Dependabot, `docker build --check`)
gets `invalid reference format` instead of a build.

## Example
```dockerfile
ARG NODE_VERSION
FROM node:${NODE_VERSION}-alpine
```
Use instead:
```dockerfile
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine
```

## Fix
Give the global `ARG` a default that makes a valid image (`ARG NODE_VERSION=20`), or a
fallback in the reference itself (`${NODE_VERSION:-20}`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_image_ref


class InvalidDefaultArgInFrom(Rule):
    code = "DF816"
    name = "invalid-default-arg-in-from"
    severity = "warning"
    aliases = ("InvalidDefaultArgInFrom",)
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            expansion = stage.base_expansion
            if expansion.error is not None or expansion.unsupported:
                return  # BuildKit stops checking at the first expansion error
            if not expansion.names:
                continue  # a literal name: not about ARG defaults
            value = expansion.value
            if value and (stage.base_stage is not None or model.stage(value) is not None
                          or parse_image_ref(value).valid):
                continue
            yield self.report(ctx, stage.from_instruction,
                              f"Default value for ARG {stage.base_text} results in empty or invalid "
                              f"base image name")
