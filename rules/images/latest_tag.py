"""## What it does
Checks for `FROM` images tagged `latest`, such as `FROM node:latest`.

Tags that come from an ARG default are checked with the default substituted; an image
also pinned by digest (`node:latest@sha256:...`) is not reported, since the digest is what
Docker pulls. An image without any tag is untagged-image's finding, not this one. A
name that is not a valid reference, such as a template placeholder
(`FROM org/%%ARCH%%-debian:latest`), is still checked: the tag written is `latest`.

## Why is this bad?
`latest` is a moving pointer, not a version: rebuilding the same Dockerfile later gives a
different base image, so builds are not reproducible and upstream major releases break
the image silently.

## Example
```dockerfile
FROM node:latest
```
Use instead:
```dockerfile
FROM node:22-slim
```

## Fix
Replace `latest` with the version you test with, or add a digest.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



class LatestTag(Rule):
    code = "DF102"
    name = "latest-tag"
    severity = "warning"
    aliases = ("DL3007",)
    keywords = ("FROM",)

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            image = stage.external_image
            if image is None and not (stage.base_stage or stage.is_scratch or stage.base_unresolved):
                # A name Docker would not accept, such as a template placeholder
                # (`org/%%ARCH%%-debian:latest`): the tag written is still `latest`.
                image = stage.base
            if image is None or image.digest is not None or image.tag != "latest":
                continue
            via = f" (from `{stage.base_text}`)" if stage.base_text != image.text else ""
            yield self.report(
                ctx,
                stage.from_instruction,
                f"Image `{image.text}`{via} uses the `latest` tag, which changes under you: "
                f"pin a version tag such as `{image.familiar_name}:<version>`.",
            )
