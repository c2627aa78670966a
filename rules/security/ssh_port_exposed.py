"""## What it does
Checks for `EXPOSE 22` in a stage that ships. Also `22/tcp`, or a port given by an ARG or
ENV whose value is 22.

EXPOSE of a build stage never reaches an image, so only stages that ship are checked (a
stage built `FROM` another one inherits its exposed ports: the EXPOSE is reported where it
is written). `22/udp` is not SSH and is not reported. Windows stages are checked too:
OpenSSH for Windows listens on 22 as well. hadolint has no such rule; Trivy (DS004) and
Checkov (CKV_DOCKER_1) report the same pattern.

## Why is this bad?
Port 22 means an SSH server in the container: one more long-running daemon with
credentials or keys baked into the image, a way in that bypasses the container runtime's
access control and audit, and a second process to supervise. `docker exec` (or
`kubectl exec`) gives a shell without any of that.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends openssh-server \\
    && rm -rf /var/lib/apt/lists/*
EXPOSE 22
CMD ["/usr/sbin/sshd", "-D"]
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
COPY app /usr/local/bin/app
EXPOSE 8080
CMD ["app"]
```

## Fix
Drop the SSH server and the EXPOSE; use `docker exec` / `kubectl exec` to get a shell, and
`docker cp` or volumes to move files.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class SshPortExposed(Rule):
    code = "DF904"
    name = "ssh-port-exposed"
    severity = "warning"
    keywords = ("EXPOSE",)
    triggers = ("22",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.shipped_stages():
            for ins in stage.instructions:
                if ins.keyword != "EXPOSE":
                    continue
                for word in ins.value:
                    expansion = model.expand(word, ins)
                    if expansion.unresolved:
                        continue
                    for port in expansion.value.split():
                        number, _, proto = port.partition("/")
                        if number.strip() == "22" and proto.lower() in ("", "tcp"):
                            yield self.report(
                                ctx, ins,
                                f"`EXPOSE {port}` publishes SSH: an SSH server in a container "
                                f"is a second way in with its own credentials. Use `docker "
                                f"exec` for a shell and drop the SSH server.")
