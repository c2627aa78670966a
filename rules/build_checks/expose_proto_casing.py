"""## What it does
Checks for `EXPOSE` protocols not written in lowercase (`EXPOSE 80/TCP`).

Docker build check `ExposeProtoCasing`. Each port spec, after variable expansion, is
checked on its own, so `EXPOSE 80/TCP 53/Udp` gives two findings. An unknown protocol
(`80/HTTP`) fails the build and is `expose-invalid-port`'s, as in BuildKit.

## Why is this bad?
Docker lower-cases the protocol, so the build is the same, but tools that read the
Dockerfile (or compare `80/TCP` with the image's `80/tcp`) may not; the lowercase form
is the documented one.

## Example
```dockerfile
FROM nginx:1.27
EXPOSE 80/TCP
```
Use instead:
```dockerfile
FROM nginx:1.27
EXPOSE 80/tcp
```

## Fix
Write `tcp`, `udp` or `sctp` in lowercase.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class ExposeProtoCasing(Rule):
    code = "DF820"
    name = "expose-proto-casing"
    severity = "warning"
    aliases = ("ExposeProtoCasing",)
    keywords = ("EXPOSE",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for ins, spec, _certain in ctx.expose_specs():
            _, slash, proto = spec.partition("/")
            # an unknown protocol fails the build (expose-invalid-port), no casing advice
            if slash and proto != proto.lower() and proto.lower() in ("tcp", "udp", "sctp"):
                yield self.report(ctx, ins, f"Defined protocol '{spec}' in EXPOSE instruction should be lowercase")
