"""## What it does
Checks for `FROM` images that are not pinned by digest (`image:tag@sha256:...`).

Off by default: turn it on (`--select digest-pin` or `select` in the config) when you
need fully reproducible builds. Images named through an ARG are checked with the ARG's
default substituted; a FROM that depends on an ARG without a default, `scratch`, and
references to earlier stages are not checked.

## Why is this bad?
A tag can be re-pointed by the publisher at any time (security rebuilds re-push the same
`3.12-slim` tag), so even a tagged FROM can build on different bytes tomorrow. Only a
digest names exactly one image.

## Example
```dockerfile
FROM python:3.12-slim
```
Use instead:
```dockerfile
FROM python:3.12-slim@sha256:<digest>
```

## Fix
Look up the digest (`docker buildx imagetools inspect python:3.12-slim`) and append it
after the tag. Keep the tag for readers; a bot such as Renovate or Dependabot can keep
the digest current.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



class DigestPin(Rule):
    code = "DF103"
    name = "digest-pin"
    severity = "info"
    keywords = ("FROM",)
    enabled = False

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            image = stage.external_image
            if image is None or image.digest is not None:
                continue
            via = f" (from `{stage.base_text}`)" if stage.base_text != image.text else ""
            yield self.report(
                ctx,
                stage.from_instruction,
                f"Image `{image.text}`{via} is not pinned by digest: append "
                f"`@sha256:<digest>` so the build always uses the same bytes.",
            )
