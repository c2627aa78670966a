"""## What it does
Reports what BuildKit's parser would reject: unknown instructions, malformed flags,
unterminated heredocs, a trailing line continuation, bad parser directives, and similar.

It also covers two hadolint rules, as aliases: DL3061 (the file must begin with FROM,
ARG or a comment: BuildKit rejects anything else before the first FROM with "no build
stage in current context") and DL3043 (`ONBUILD ONBUILD`, `ONBUILD FROM` and
`ONBUILD MAINTAINER`, which BuildKit rejects as ONBUILD triggers). Both are parse errors,
so a rule of their own would never run: rules only run on files that parse. A finding
carries DL3061 or DL3043 only when it is that error, so a `# hadolint ignore=DL3061`
pragma silences only that finding; but selectors choose rules, so `--ignore DL3061` in
the configuration turns off every syntax error, as `--ignore DL1000` does.

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
    aliases = ("DL1000", "DL3043", "DL3061")
    checks_broken_files = True

    def check(self, ctx) -> Iterator[Finding]:
        for issue in ctx.document.errors:
            end_line = issue.end_line or issue.line
            end_column = issue.end_column or issue.column
            finding = self.report(ctx, Span(issue.line, issue.column, end_line, end_column), issue.message)
            # Each finding names only the hadolint codes it stands for, so that a
            # `# hadolint ignore=DL3061` pragma silences an order error and nothing else.
            finding.aliases = ["DL1000", *_HADOLINT_RULES.get(_kind(issue.message), ())]
            yield finding
        for instruction, message in ctx.oversized_expansions():
            finding = self.report(ctx, instruction, message)
            finding.aliases = ["DL1000"]
            yield finding


# BuildKit errors (dlint.syntax.validate's messages) that hadolint reports as rules.
_HADOLINT_RULES = {"order": ("DL3061",), "onbuild": ("DL3043",)}


def _kind(message: str) -> str | None:
    if message == "no build stage in current context":
        return "order"
    if message.endswith("isn't allowed as an ONBUILD trigger") or message.startswith("Chaining ONBUILD"):
        return "onbuild"
    return None
