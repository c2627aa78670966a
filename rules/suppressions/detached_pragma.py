"""## What it does
Checks for ignore pragmas that a blank line separates from their instruction.

Also reported, with the reason: `ignore=` and `stage ignore=` pragmas with no instruction
after them, or inside a continued instruction. They all cover no instruction.

A pragma covers the instruction that starts on the next line that is not a comment
(dlint lets comment lines sit between, so pragmas stack: `# dlint: ignore=A` then
`# hadolint ignore=B` then the RUN); a blank line ends its reach, as in hadolint, whose
`ignore=` covers only an instruction on the very next line (there, a comment line in
between loses the pragma too; dlint keeps it, so that case is not reported). A comment
inside a continued instruction (between `\\`-continued lines) is dropped by BuildKit
before the instruction is parsed, and covers nothing. `global ignore=` pragmas cover the
whole file wherever they are and are never reported.

## Why is this bad?
The pragma looks like it silences a finding on the instruction below, but does nothing:
the finding is still reported, and readers believe it was accepted on purpose.

## Example
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008

RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl
```

## Fix
Remove the blank line, or move the pragma right above the instruction it is about (above
the first line of a continued instruction); for the whole file, write `global ignore=`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span


class DetachedPragma(Rule):
    code = "DF012"
    name = "detached-pragma"
    severity = "warning"
    reads_pragmas = True

    def check(self, ctx) -> Iterator[Finding]:
        instructions = ctx.document.instructions
        for pragma in ctx.pragmas:
            if pragma.problem is not None or pragma.unreached is None:
                continue
            where = Span(pragma.line, pragma.column, pragma.line, pragma.end_column)
            reach = ("`stage ignore=` starts at the instruction right below it" if pragma.scope == "stage"
                     else "`ignore=` covers only the instruction right below it")
            if pragma.unreached == "blank":
                before_any = not any(i.start_line < pragma.line for i in instructions)
                hint = (" (for the whole file, write `global ignore=`)" if before_any else "")
                message = (f"This pragma covers nothing: a blank line separates it from the next "
                           f"instruction, and {reach} (comment lines may sit between, a blank line "
                           f"ends its reach). Remove the blank line{hint}.")
            elif pragma.unreached == "end":
                message = "This pragma covers nothing: no instruction follows it. Remove it."
            else:
                around = next((i for i in instructions if i.start_line < pragma.line <= i.end_line), None)
                named = f" ({around.keyword} on line {around.start_line})" if around is not None else ""
                message = (f"This pragma covers nothing: it sits inside a continued instruction"
                           f"{named}, where BuildKit drops comment lines. Put it on the line above "
                           f"the instruction.")
            yield self.report(ctx, where, message)
