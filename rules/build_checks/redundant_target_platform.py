"""## What it does
Checks for `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).

Docker build check `RedundantTargetPlatform`; hadolint DL3065. As in BuildKit, it fires
when the value uses `TARGETPLATFORM` and nothing else and comes out as its value;
`$BUILDPLATFORM`, `$TARGETOS/$TARGETARCH` and constants are left alone.

## Why is this bad?
A stage is built for the target platform unless `--platform` says otherwise, so the flag
changes nothing; it only suggests to readers that it does.

## Example
```dockerfile
FROM --platform=$TARGETPLATFORM alpine:3.20
RUN apk add --no-cache curl
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
```

## Fix
Remove `--platform=$TARGETPLATFORM`. If the stage should run on the build machine (a
cross-compiling stage), you meant `--platform=$BUILDPLATFORM`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class RedundantTargetPlatform(Rule):
    code = "DF814"
    name = "redundant-target-platform"
    severity = "warning"
    aliases = ("RedundantTargetPlatform", "DL3065")
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage, ins, expansion in ctx.platform_flags():
            target = ctx.model.expand("$TARGETPLATFORM", ins).value
            # (the value is an assumed platform, marked uncertain: only its equality counts)
            if (expansion.names == {"TARGETPLATFORM"} and expansion.error is None
                    and not expansion.unsupported and expansion.value == target):
                yield self.report(ctx, ins, f"Setting platform to predefined {stage.platform} in FROM is "
                                            f"redundant as this is the default behavior")
