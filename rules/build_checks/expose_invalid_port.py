"""## What it does
Checks for `EXPOSE` ports that are not valid ports and for unknown protocols. Valid:
0 to 65535, a range `low-high` with low <= high, and `tcp`, `udp` or `sctp`.

hadolint DL3011. Not a Docker build check: BuildKit does not warn about these, it stops
the build (`invalid containerPort: 80800`). Each spec is checked after variable
expansion; a spec that uses a variable whose value is not known here is skipped.

## Why is this bad?
`docker build` fails at this line, so nothing after it is built.

## Example
```dockerfile
FROM nginx:1.27
EXPOSE 80800
```
Use instead:
```dockerfile
FROM nginx:1.27
EXPOSE 8080
```

## Fix
Write a port between 0 and 65535 (a typo usually added a digit), a range in increasing
order, and `tcp`, `udp` or `sctp` as the protocol.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

PROTOCOLS = ("", "tcp", "udp", "sctp")


def _port_range(text: str) -> bool:
    """BuildKit's parsePortRange: one port or `low-high`, each a base-10 uint16."""
    parts = text.split("-")
    if len(parts) > 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    numbers = [int(p) for p in parts]
    return all(n <= 65535 for n in numbers) and numbers[0] <= numbers[-1]


class ExposeInvalidPort(Rule):
    code = "DF822"
    name = "expose-invalid-port"
    severity = "error"
    aliases = ("DL3011",)
    keywords = ("EXPOSE",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, spec, certain in ctx.expose_specs():
            if not certain:
                continue
            port, _, proto = spec.rpartition(":")[2].partition("/")
            if proto.lower() not in PROTOCOLS:
                yield self.report(ctx, ins, f"Invalid protocol '{proto}' in EXPOSE {spec}: use tcp, udp or sctp")
            elif not _port_range(port):
                yield self.report(ctx, ins, f"Invalid port '{port}' in EXPOSE {spec}: valid ports are 0 to "
                                            f"65535, ranges low-high")
