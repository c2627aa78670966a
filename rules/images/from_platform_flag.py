"""## What it does
Checks for `FROM --platform=<value>` that pins a stage to one platform, such as
`FROM --platform=linux/amd64 node:22`.

A constant value (`--platform=linux/amd64`) is from-platform-flag-const-disallowed's
finding (Docker's FromPlatformFlagConstDisallowed, which carries DL3029 too): one
problem, one finding. This rule reports the pins that come through an ARG, which
Docker's check does not see.

Not reported: platforms built from BuildKit's automatic platform ARGs.
`--platform=$BUILDPLATFORM` is the documented way to run a cross-compiling stage
natively (fixture `good-buildplatform`), and `--platform=$TARGETPLATFORM` only repeats
the default (redundant-target-platform's finding). A value from another ARG is checked
with the ARG's default and reported, since the default pins the platform.

dlint differs from hadolint (DL3029), which reports every `--platform`, the
`$BUILDPLATFORM` idiom included.

## Why is this bad?
A fixed platform ignores what the build asks for: `docker buildx build --platform
linux/arm64` still produces an amd64 image, and on an arm64 machine the build runs
under emulation (slow) and produces an image that runs under emulation too.

## Example
```dockerfile
ARG PLATFORM=linux/amd64
FROM --platform=$PLATFORM node:22-slim
```
Use instead:
```dockerfile
FROM node:22-slim
```

## Fix
Drop `--platform` and choose the platform when building (`docker build --platform`). For
a stage that compiles for another platform, use `--platform=$BUILDPLATFORM`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import AUTOMATIC_PLATFORM_ARGS, Finding, Rule


class FromPlatformFlag(Rule):
    code = "DF111"
    name = "from-platform-flag"
    severity = "warning"
    aliases = ("DL3029",)
    keywords = ("FROM",)

    def check(self, ctx) -> Iterator[Finding]:
        for stage, _, ex in ctx.platform_flags():
            if ex.names & set(AUTOMATIC_PLATFORM_ARGS):
                continue
            if ex.unresolved or not ex.value or not ex.names:
                continue  # a constant is the build check's finding
            via = f" (from `{stage.platform}`)" if stage.platform != ex.value else ""
            yield self.report(
                ctx, stage.from_instruction,
                f"`FROM --platform={ex.value}`{via} pins this stage to one platform: a build for "
                f"another platform still gets {ex.value} (under emulation). Drop the flag, or use "
                f"`$BUILDPLATFORM` for a cross-compiling stage.")
