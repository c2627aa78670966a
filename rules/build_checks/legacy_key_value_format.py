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

`dlint check --fix` writes `key=value`; a value of several words is double-quoted, which
BuildKit reads as the same string (safe). No fix for a value holding quotes or the escape
character, or spanning lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, TextEdit, edit_tokens


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
                                                f'"{kw} key value" format', _fix(ctx.document, ins))


def _fix(document, ins) -> Fix | None:
    """`ENV key value` -> `ENV key=value`; a value of several words is double-quoted
    (`ENV key="a b"`, which BuildKit reads as the same string). One-line instructions only,
    and no fix when the value holds quotes or the escape character (quoting would change it)."""
    span = ins.span
    if span is None or span.line != span.end_line:
        return None
    words = list(edit_tokens(document, span.line, span.column + len(ins.raw_keyword), span.line))
    if len(words) < 2:
        return None
    key, first, last = words[0], words[1], words[-1]
    if len(words) == 2:
        edits = (TextEdit(key.line, key.end_column, first.line, first.column, "="),)
    else:
        value = document.lines[span.line - 1][first.column - 1:last.end_column - 1]
        if any(ch in value for ch in ('"', "'", document.escape, "\\")):
            return None
        edits = (TextEdit(key.line, key.end_column, first.line, first.column, '="'),
                 TextEdit(last.line, last.end_column, last.line, last.end_column, '"'))
    return Fix(f"Write {ins.raw_keyword} {key.text}=...", edits)
