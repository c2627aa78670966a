"""## What it does
Checks for the `MAINTAINER` instruction.

Docker build check `MaintainerDeprecated`; hadolint DL4000.

## Why is this bad?
`MAINTAINER` has been deprecated since Docker 1.13: it sets the image's `Author` field,
which tools no longer read. A label is what registries and scanners show.

## Example
```dockerfile
FROM alpine:3.20
MAINTAINER Jane Doe <jane@example.com>
```
Use instead:
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
```

## Fix
Replace it with `LABEL org.opencontainers.image.authors="..."`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class MaintainerDeprecated(Rule):
    code = "DF807"
    name = "maintainer-deprecated"
    severity = "warning"
    aliases = ("MaintainerDeprecated", "DL4000")
    keywords = ("MAINTAINER",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for ins in ctx.document.instructions:
            if ins.keyword == "MAINTAINER":
                yield self.report(ctx, ins, "Maintainer instruction is deprecated in favor of using label")
