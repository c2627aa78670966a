"""## What it does
Checks for `COPY` or `ADD` of several sources to a destination that does not end with `/`.

Heredoc sources count as sources. `.` (and, in a Windows stage, a destination ending with
`\\`) is a directory, as BuildKit treats it. A destination or source that depends on an
ARG without a default is not checked; one given through a known value is checked with the
value substituted. A single source is never reported, even a wildcard that may match
several files: what it matches is only known at build time.

dlint differs from hadolint (DL3021) in two ways: `COPY a b .` is not reported (BuildKit
copies into the working directory; fixture `good-dot-destination`), and ADD is checked too
(the same rule applies to it).

## Why is this bad?
The classic builder refuses the instruction ("When using COPY with more than one source
file, the destination must be a directory and end with a /"). BuildKit accepts it, and
if the destination does not exist yet it creates a *file* there and copies every source
onto it in turn: only the last source survives.

## Example
```dockerfile
FROM python:3.12-slim
COPY requirements.txt setup.py /app
```
Use instead:
```dockerfile
FROM python:3.12-slim
COPY requirements.txt setup.py /app/
```

## Fix
End the destination with `/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopyToFileWithManySources(Rule):
    code = "DF202"
    name = "copy-to-file-with-many-sources"
    severity = "error"
    aliases = ("DL3021",)
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword not in ("COPY", "ADD") or len(ins.value) < 3:
                    continue
                dest = model.expand(ins.value[-1], ins)
                if dest.unresolved or not dest.value:
                    continue
                text = dest.value
                if text in (".", "./") or text.endswith("/") or (stage.windows and text.endswith("\\")):
                    continue
                count = len(ins.value) - 1
                yield self.report(
                    ctx,
                    ins,
                    f"{ins.keyword} of {count} sources to `{text}`, which does not end with `/`: "
                    f"the classic builder rejects it, and BuildKit copies every source onto one "
                    f"file when `{text}` does not exist. Write `{text}/`.",
                )
