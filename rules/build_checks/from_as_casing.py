"""## What it does
Checks for a `FROM ... AS name` whose `AS` keyword is not written in the same case as
its `FROM` keyword (`FROM image as name`, `from image AS name`).

Docker build check `FromAsCasing`. A `FROM` keyword in mixed case (`From`) is left to
`consistent-instruction-casing`.

## Why is this bad?
Keywords are case-insensitive, so the build is the same; the mix is a style slip that
makes the stage line harder to read and to grep.

## Example
```dockerfile
FROM node:20 as build
RUN npm ci
```
Use instead:
```dockerfile
FROM node:20 AS build
RUN npm ci
```

## Fix
Write `AS` in the case of `FROM`: `FROM ... AS name` or `from ... as name`.

`dlint check --fix` writes `AS` in the casing of `FROM` (safe).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, TextEdit, edit_tokens


class FromAsCasing(Rule):
    code = "DF801"
    name = "from-as-casing"
    severity = "warning"
    aliases = ("FromAsCasing",)
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            ins = stage.from_instruction
            if len(ins.value) < 3:
                continue
            keyword, as_word = ins.raw_keyword, ins.value[1]
            if keyword == keyword.upper():
                wrong = as_word != as_word.upper()
            elif keyword == keyword.lower():
                wrong = as_word != as_word.lower()
            else:
                wrong = False
            if wrong:
                yield self.report(ctx, ins, f"'{as_word}' and '{keyword}' keywords' casing do not match",
                                  _fix(ctx.document, ins, "as" if keyword.islower() else "AS"))


def _fix(document, ins, word: str) -> Fix | None:
    if ins.span is None:
        return None
    words = [t for t in edit_tokens(document, ins.span.line, ins.span.column + len(ins.raw_keyword),
                                    ins.end_line) if not t.text.startswith("--")]
    if len(words) < 3 or words[1].text.lower() != "as":
        return None
    t = words[1]
    return Fix(f"Write {word}", (TextEdit(t.line, t.column, t.line, t.end_column, word),))
