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
Replace it with `LABEL org.opencontainers.image.authors="..."`. dlint proposes that
edit for a one-line `MAINTAINER` as an unsafe fix (the image's `Author` field is then
empty and a label is added, which changes the image config), applied only when unsafe
fixes are asked for.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, TextEdit

LABEL_KEY = "org.opencontainers.image.authors"


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
                yield self.report(ctx, ins, "Maintainer instruction is deprecated in favor of using label",
                                  _label_fix(ins, ctx.document.escape))


def _label_fix(ins, escape: str) -> Fix | None:
    """`MAINTAINER text` -> `LABEL org.opencontainers.image.authors="text"`, one line only."""
    span = ins.span
    if span is None or span.line != span.end_line or not ins.value:
        return None
    text = ins.value[0]
    for ch in (escape, '"', "$"):  # MAINTAINER takes its text literally, LABEL expands it
        text = text.replace(ch, escape + ch) if ch != escape else text.replace(ch, ch + ch)
    keyword = "label" if ins.raw_keyword.islower() else "LABEL"
    return Fix(description=f"Replace MAINTAINER with LABEL {LABEL_KEY}",
               edits=(TextEdit(span.line, span.column, span.line, span.end_column + 1,
                               f'{keyword} {LABEL_KEY}="{text}"'),),
               safe=False)
