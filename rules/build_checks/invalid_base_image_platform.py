"""## What it does
Checks for `FROM --platform=<os/arch>` naming a platform the image cannot have. Only
images whose name alone says which platform they are count: Docker Hub's per-architecture
repositories (`arm64v8/alpine`, `amd64/ubuntu`, `arm32v7/debian`, ...) and Microsoft's
Windows images (`mcr.microsoft.com/windows/servercore`).

Docker build check `InvalidBaseImagePlatform`. BuildKit compares the pulled image's
config with the expected platform (the `--platform` value, else the build's target).
A linter pulls nothing, so dlint checks only what is known statically: a constant
`--platform` against an image whose platform is fixed by its name. The variant
(`arm/v6` vs `arm/v7`) is ignored, as in BuildKit.

## Why is this bad?
The image only exists for one platform: the build either fails to find a matching
manifest, or runs a base image of the wrong architecture under emulation and produces
an image whose binaries do not match the platform it claims.

## Example
```dockerfile
FROM --platform=linux/amd64 arm64v8/alpine:3.20
RUN apk add --no-cache curl
```
Use instead:
```dockerfile
FROM --platform=linux/arm64 arm64v8/alpine:3.20
RUN apk add --no-cache curl
```

## Fix
Use the multi-platform image (`alpine:3.20`) with the `--platform` you want, or make
`--platform` match the per-architecture image.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, image_platform, parse_platform


class InvalidBaseImagePlatform(Rule):
    code = "DF813"
    name = "invalid-base-image-platform"
    severity = "warning"
    aliases = ("InvalidBaseImagePlatform",)
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage, _, expansion in ctx.platform_flags():
            actual = image_platform(stage.external_image)
            if actual is None:
                continue
            if expansion.names or expansion.error is not None:
                continue  # a platform known only at build time
            expected = parse_platform(expansion.value)
            if expected is None:
                continue
            if actual.os == expected.os and actual.architecture in ("", expected.architecture):
                continue
            shown = str(actual) if actual.architecture else actual.os
            yield self.report(ctx, stage.from_instruction,
                              f'Base image {stage.base_name} was pulled with platform "{shown}", '
                              f'expected "{expected}" for current build')
