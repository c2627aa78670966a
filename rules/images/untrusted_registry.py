"""## What it does
Checks for images pulled from a registry that is not in the configured list.

Checked: the base image of each `FROM`, the image of `COPY --from=<image>` and of
`RUN --mount=from=<image>`.

Does nothing until `registries` is configured (as hadolint's `trustedRegistries`).
Images without a registry come from Docker Hub, which is `docker.io` here (`hub.docker.com`
and `index.docker.io` in the list mean it too). Images named through an ARG are checked
with the ARG's value when known and skipped otherwise; `scratch` and stages are not
images. hadolint (DL3026) does not resolve ARGs, so it lets `FROM ${REGISTRY}/app` pass
whatever the default is; dlint checks the default (fixture `bad-arg`).

## Why is this bad?
Organisations that mirror or vet their base images want every image to come through
their own registry: an image pulled from anywhere else bypasses the scanning, signing
and availability guarantees of that registry.

## Example
```dockerfile
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/uv
```
Use instead:
```dockerfile
# configured: registries = ["registry.example.com"]
FROM registry.example.com/python:3.12-slim
COPY --from=registry.example.com/astral-sh/uv:0.5 /uv /usr/local/bin/uv
```

## Fix
Pull the image through a trusted registry (a mirror or a proxy cache), or add the
registry to the list.

## Options
- `registries` (list of strings, default empty: the rule does nothing): the trusted
  registries, as host names with an optional port. `*` matches any run of characters
  (`*.example.com`, `registry.*`, or `*` for every registry).

```toml
[rules.untrusted-registry]
registries = ["docker.io", "*.example.com"]
```
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from dlint.api import Finding, Rule


DOCKER_HUB_NAMES = frozenset({"docker.io", "hub.docker.com", "index.docker.io", "registry-1.docker.io"})


class UntrustedRegistry(Rule):
    code = "DF110"
    name = "untrusted-registry"
    severity = "error"
    aliases = ("DL3026",)
    keywords = ("FROM",)
    options = {"registries": list[str]}
    defaults = {"registries": []}

    def check(self, ctx) -> Iterator[Finding]:
        allowed = [r.lower() for r in self.config["registries"]]
        if not allowed:
            return
        model = ctx.model
        for stage in model.stages:
            for dep in model.dependencies(stage):
                if dep.stage is not None or dep.unresolved or dep.image is None or not dep.image.valid:
                    continue
                if dep.kind == "from" and stage.external_image is None:
                    continue  # scratch, or a FROM that does not resolve
                registry = dep.image.domain.lower()
                if _trusted(registry, allowed):
                    continue
                shown = "Docker Hub (docker.io)" if registry == "docker.io" else f"`{registry}`"
                yield self.report(
                    ctx, dep.instruction,
                    f"Image `{dep.image.text}` comes from {shown}, which is not a trusted registry "
                    f"({', '.join(self.config['registries'])}). Pull it through a trusted one.")


def _trusted(registry: str, allowed: list[str]) -> bool:
    names = DOCKER_HUB_NAMES if registry == "docker.io" else {registry}
    return any(fnmatch.fnmatchcase(name, pattern) for name in names for pattern in allowed)
