"""## What it does
Reports what BuildKit's parser would reject: unknown instructions, malformed flags,
unterminated heredocs, a trailing line continuation, bad parser directives, and similar.

Also reported here: an ARG, ENV or FROM value whose expansion passes 65,536 characters
(variables repeating each other, `ARG B=$A$A` then `ARG C=$B$B`...: forty such lines make
a 2^40-character string). BuildKit has no limit and spends memory and time on it; dlint
leaves the value unexpanded, reports it, and exits with 2 as for an unreadable input.

## Why is this bad?
`docker build` stops at the first of these with a parse error, so nothing after it is
built. Other rules need a file that parses and do not run on a file with syntax errors.

## Example
```dockerfile
FROM alpine:3.20
RUNN echo hello
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN echo hello
```

## Fix
Correct the line the message points at; the message says what the parser expected.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span



class SyntaxErrorRule(Rule):
    code = "DF000"
    name = "syntax-error"
    severity = "error"
    aliases = ("DL1000",)
    checks_broken_files = True

    def check(self, ctx) -> Iterator[Finding]:
        for issue in ctx.document.errors:
            end_line = issue.end_line or issue.line
            end_column = issue.end_column or issue.column
            yield self.report(ctx, Span(issue.line, issue.column, end_line, end_column), issue.message)
        for instruction, message in ctx.oversized_expansions():
            yield self.report(ctx, instruction, message)
