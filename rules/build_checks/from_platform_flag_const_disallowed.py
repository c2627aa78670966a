"""## What it does
Checks for `FROM --platform=` with a constant platform (`--platform=linux/amd64`) in a
stage whose name does not mention that platform.

Docker build check `FromPlatformFlagConstDisallowed`. As in BuildKit, the value must use
no variable at all and parse as a platform (`x86_64` and `aarch64` normalised to `amd64`
and `arm64`, a bare architecture taken as Linux); the stage is exempt when its name
contains the platform's OS or architecture (`AS build-amd64`, `AS linux`). An unnamed
stage is always reported.

## Why is this bad?
The stage is then always built for that platform, whatever `docker build --platform`
asks for: a multi-platform build gets the same binaries in every image, and on another
machine the stage runs under emulation. A name that says the platform shows it is meant.

## Example
```dockerfile
FROM --platform=linux/amd64 node:20 AS build
RUN npm ci && npm run build
```
Use instead:
```dockerfile
FROM --platform=$BUILDPLATFORM node:20 AS build
RUN npm ci && npm run build
```

## Fix
Use `--platform=$BUILDPLATFORM` (run on the build machine) or drop the flag (build for the
target). If the stage really only exists for one platform, name it after it
(`AS build-amd64`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_platform


class FromPlatformFlagConstDisallowed(Rule):
    code = "DF817"
    name = "from-platform-flag-const-disallowed"
    severity = "warning"
    aliases = ("FromPlatformFlagConstDisallowed", "DL3029")
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage, ins, expansion in ctx.platform_flags():
            if expansion.names or expansion.error is not None:
                continue
            platform = parse_platform(expansion.value)
            if platform is None:
                continue  # BuildKit fails the build on it anyway
            name = stage.name or ""
            if name and (platform.os in name or (platform.architecture and platform.architecture in name)):
                continue
            yield self.report(ctx, ins, f'FROM --platform flag should not use constant value "{stage.platform}"')
