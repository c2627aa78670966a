"""## What it does
Checks for `ENV` and `LABEL` in the legacy whitespace form (`ENV KEY value`) instead of
`KEY=value`.

Docker build check `LegacyKeyValueFormat`. As in BuildKit, the form is decided by the
first word: without `=` in it, the rest of the line is the value. `ARG` is not checked:
`ARG a b` declares two args.

## Why is this bad?
In the legacy form one instruction sets one variable and the whole rest of the line,
spaces and all, is its value: `ENV PATH /opt/bin:$PATH LANG=C.UTF-8` sets `PATH` to
`/opt/bin:... LANG=C.UTF-8`. The `KEY=value` form is unambiguous and can set several
variables at once.

## Example
```dockerfile
FROM debian:bookworm
ENV LANG C.UTF-8
LABEL maintainer "ops@example.com"
```
Use instead:
```dockerfile
FROM debian:bookworm
ENV LANG=C.UTF-8
LABEL maintainer="ops@example.com"
```

## Fix
Write `KEY=value`, quoting a value that contains spaces: `ENV MSG="hello world"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class LegacyKeyValueFormat(Rule):
    code = "DF812"
    name = "legacy-key-value-format"
    severity = "warning"
    aliases = ("LegacyKeyValueFormat",)
    keywords = ("ENV", "LABEL")
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            for ins in stage.instructions:
                if ins.keyword in ("ENV", "LABEL") and ins.is_legacy_key_value(ctx.document.escape):
                    kw = ins.raw_keyword
                    yield self.report(ctx, ins, f'"{kw} key=value" should be used instead of legacy '
                                                f'"{kw} key value" format')
