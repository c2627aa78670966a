"""## What it does
Checks for inline suppression pragmas (`# hadolint ignore=...`, `# dlint: ignore=...`).

These comments silence findings on the next instruction.

Off by default (as hadolint's DL1001): turn it on where every exception must be made in
the configuration, in one reviewed place. `global ignore=` and `stage ignore=` pragmas
are not reported, as in hadolint.

## Why is this bad?
Inline pragmas spread exceptions over every Dockerfile of a repository, where reviewers
rarely look at them; a team that wants a single list of accepted exceptions keeps them
in `.dlint.toml` instead.

## Example
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
with the exception in the configuration (`ignore = ["DL3008"]` in `.dlint.toml`).

## Fix
Remove the pragma and move the exception to the configuration, or fix the finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span, parse_pragma


class InlineIgnorePragma(Rule):
    code = "DF209"
    name = "inline-ignore-pragma"
    severity = "info"
    aliases = ("DL1001",)
    enabled = False

    def check(self, ctx) -> Iterator[Finding]:
        for comment in ctx.document.comments:
            if "ignore" not in comment.text:
                continue
            parsed = parse_pragma(comment.text)
            if parsed is None or parsed[0] != "next":
                continue
            line = ctx.document.lines[comment.line - 1] if comment.line <= len(ctx.document.lines) else ""
            end = max(comment.column, len(line.rstrip()))
            yield self.report(
                ctx, Span(comment.line, comment.column, comment.line, end),
                f"Inline ignore pragma `# {comment.text}`: keep exceptions in the configuration "
                f"(`ignore` in .dlint.toml), where they are reviewed in one place.")
