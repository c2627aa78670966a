"""## What it does
Checks for empty lines inside a line continuation (a line ending in `\\`, then a blank
line, then more of the same instruction).

Docker build check `NoEmptyContinuation`. Comment lines inside a continuation are fine;
only empty or whitespace-only lines count. Reported once per instruction, on its last line.

## Why is this bad?
BuildKit skips the empty line and joins what follows to the instruction, but the blank
line reads as the end of the instruction: a reader (or an edit) takes the next line for a
new one. Docker warns that empty continuation lines will become an error.

## Example
```dockerfile
FROM debian:bookworm
RUN apt-get update && \\

    apt-get install -y curl
```
Use instead:
```dockerfile
FROM debian:bookworm
RUN apt-get update && \\
    apt-get install -y curl
```

## Fix
Delete the empty line, or put a `#` comment on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span


class NoEmptyContinuation(Rule):
    code = "DF802"
    name = "no-empty-continuation"
    severity = "warning"
    aliases = ("NoEmptyContinuation",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        lines = ctx.document.lines
        for warning in ctx.document.warnings:
            if not warning.message.startswith("Empty continuation line"):
                continue
            line = warning.line
            width = max(len(lines[line - 1]), 1) if 0 < line <= len(lines) else 1
            yield self.report(ctx, Span(line, 1, line, width), "Empty continuation line")
