"""## What it does
Checks for instruction keywords whose case differs from the majority of the file's
keywords. Examples: `RUN` among `from`/`copy`, or a mixed-case `Run`.

Docker build check `ConsistentInstructionCasing`. The majority is counted over every
`FROM` and every instruction inside a stage (global `ARG`s before the first `FROM` are
left out, as in BuildKit): lowercase wins only with strictly more all-lowercase than
all-uppercase keywords, so a tie means uppercase. Mixed-case keywords are always reported.

## Why is this bad?
Keywords are case-insensitive, but a file that mixes `RUN` and `run` is harder to scan
and to search, and usually shows copy-pasted parts nobody reviewed as a whole.

## Example
```dockerfile
FROM alpine:3.20
run apk add --no-cache curl
COPY app /app
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
COPY app /app
```

## Fix
Write every keyword in the majority case (uppercase is the common convention).

`dlint check --fix` rewrites the keyword in the majority casing (safe).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span, fix_keyword_casing


class ConsistentInstructionCasing(Rule):
    code = "DF803"
    name = "consistent-instruction-casing"
    severity = "warning"
    aliases = ("ConsistentInstructionCasing",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        pool = [ins for stage in model.stages for ins in (stage.from_instruction, *stage.instructions)]
        lower = sum(1 for ins in pool if ins.raw_keyword == ins.raw_keyword.lower())
        upper = sum(1 for ins in pool if ins.raw_keyword == ins.raw_keyword.upper())
        majority = "lowercase" if lower > upper else "uppercase"
        convert = str.lower if lower > upper else str.upper
        for ins in pool:
            keyword = ins.raw_keyword
            if keyword == convert(keyword):
                continue
            span = ins.span
            where = Span(span.line, span.column, span.line, span.column + len(keyword) - 1) if span else ins
            yield self.report(ctx, where, f"Command '{keyword}' should match the case of the "
                                          f"command majority ({majority})",
                              fix_keyword_casing(ins, upper=lower <= upper))
