"""## What it does
Checks for `EXPOSE` with an IP address or a host port (`EXPOSE 8080:80`,
`EXPOSE 127.0.0.1:80:80`).

Docker build check `ExposeInvalidFormat`. As in BuildKit, a spec is split on `:`: with
two parts the first is a host port, with three or more the last two are host port and
port and the rest is an IP; the check fires when the IP or the host port is not empty
(`:80` is quiet). Port numbers themselves are `expose-invalid-port`'s business.

## Why is this bad?
`EXPOSE` only documents which port the container listens on; publishing to the host is
decided at run time (`docker run -p 8080:80`). BuildKit drops the IP and host-port
parts, so the image does not do what the line seems to ask.

## Example
```dockerfile
FROM nginx:1.27
EXPOSE 8080:80
```
Use instead:
```dockerfile
FROM nginx:1.27
EXPOSE 80
```

## Fix
Keep only the container port (`EXPOSE 80`), and publish it with `docker run -p 8080:80`
or the `ports:` of a compose file.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class ExposeInvalidFormat(Rule):
    code = "DF821"
    name = "expose-invalid-format"
    severity = "warning"
    aliases = ("ExposeInvalidFormat",)
    keywords = ("EXPOSE",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for ins, spec, _certain in ctx.expose_specs():
            parts = spec.split(":")
            if len(parts) < 2:
                continue
            ip = ":".join(parts[:-2])
            host_port = parts[-2]
            if ip or host_port:
                yield self.report(ctx, ins, "EXPOSE instruction should not define an IP address or "
                                            f"host-port mapping, found '{spec}'")
