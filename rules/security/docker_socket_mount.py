"""## What it does
Checks for images that expect the host's Docker socket to be mounted. That is:
`VOLUME /var/run/docker.sock` (or `/run/docker.sock`), and a run command in a label (the `LABEL RUN=`/`INSTALL=`
convention of `atomic` and `podman container runlabel`) that bind-mounts the socket
(`-v /var/run/docker.sock:/var/run/docker.sock`, `--mount type=bind,source=...`).

Paths are expanded with the ARG and ENV values in effect and normalised
(`/var/run/../run/docker.sock`). Label commands are read with the shell parser. Only
stages that ship are checked.

Not reported: `RUN --mount=type=bind,...,target=/var/run/docker.sock`. A bind mount in a
Dockerfile takes its source from the build context or a stage, never from the host, so it
cannot hand the build the host's daemon. hadolint has no such rule.

## Why is this bad?
Whoever can talk to the Docker socket controls the Docker daemon, and through it the host:
`docker run -v /:/host --privileged` is one call away. An image that declares the socket
as a volume, or documents running with it mounted, invites every user to give the
container root on the host; a vulnerability in the application then becomes a host
takeover.

## Example
```dockerfile
FROM alpine:3.20
VOLUME /var/run/docker.sock
CMD ["/usr/local/bin/agent"]
```
Use instead:
```dockerfile
FROM alpine:3.20
ENV DOCKER_HOST=tcp://docker-proxy:2375
CMD ["/usr/local/bin/agent"]
```

## Fix
Do not mount the socket. Give the container a narrowly scoped API instead (a socket
proxy that allows only the calls it needs, rootless Docker, or the orchestrator's own
API with limited permissions), and document that choice rather than the raw socket.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_script

SOCKETS = frozenset({"/var/run/docker.sock", "/run/docker.sock"})
RUN_LABELS = frozenset({"run", "install", "uninstall"})
ENGINES = frozenset({"docker", "podman", "nerdctl"})


def _is_socket(path: str) -> bool:
    path = path.strip().strip("\"'")
    return path.startswith("/") and posixpath.normpath(path) in SOCKETS


class DockerSocketMount(Rule):
    code = "DF905"
    name = "docker-socket-mount"
    severity = "warning"
    keywords = ("VOLUME", "LABEL")
    triggers = ("sock",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.shipped_stages():
            for ins in stage.instructions:
                if ins.keyword == "VOLUME":
                    for word in ins.value:
                        for path in model.expand(word, ins).value.split():
                            if _is_socket(path):
                                yield self.report(
                                    ctx, ins,
                                    f"`VOLUME {path}`: the image expects the host's Docker "
                                    f"socket, which gives the container root on the host. Do "
                                    f"not mount it; use a scoped API or socket proxy.")
                elif ins.keyword == "LABEL":
                    values = ins.value
                    for i in range(0, len(values) - 1, 2):
                        key = model.expand(values[i], ins).value
                        if key.lower() not in RUN_LABELS:
                            continue
                        command = model.expand(values[i + 1], ins).value
                        if _mounts_socket(command):
                            yield self.report(
                                ctx, ins,
                                f"The `{key}` label runs the image with the host's "
                                f"Docker socket mounted, which gives the container root on "
                                f"the host. Do not mount it; use a scoped API or socket "
                                f"proxy.")


def _mounts_socket(command: str) -> bool:
    script = parse_script(command)
    for cmd in script.effective_commands:
        if cmd.basename not in ENGINES:
            continue
        args = cmd.args
        for i, a in enumerate(args):
            value = None
            if a in ("-v", "--volume", "--mount") and i + 1 < len(args):
                value = args[i + 1]
                kind = a
            elif a.startswith(("--volume=", "--mount=")):
                kind, _, value = a.partition("=")
            elif a.startswith("-v") and len(a) > 2:
                kind, value = "-v", a[2:]
            if value is None:
                continue
            if kind == "--mount":
                fields = dict(f.partition("=")[::2] for f in value.split(","))
                source = fields.get("source") or fields.get("src") or ""
                if _is_socket(source):
                    return True
            elif _is_socket(value.split(":", 1)[0]):
                return True
    return False
