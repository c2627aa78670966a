"""## What it does
Checks for variables in a `FROM` line (the image or `--platform`) that no `ARG` before
the first `FROM` declares.

Docker build check `UndefinedArgInFrom`. A `FROM` sees only the global `ARG`s (declared
before the first `FROM`, with or without a default) and the platform args BuildKit
predefines (`BUILDPLATFORM`, `TARGETARCH`, `TARGETOS`, `TARGETSTAGE`, ...). Every
reference counts, `${TAG:-3.20}` included. A `--build-arg` without a matching `ARG`
does not declare anything.

## Why is this bad?
An undeclared variable expands to the empty string: `FROM python:${PY_VERSION}-slim`
becomes `FROM python:-slim`, or a `${TAG:-latest}` silently always takes its fallback,
whatever `--build-arg` you pass. Usually the `ARG` was declared after the first `FROM`
(then it belongs to that stage only) or misspelt.

## Example
```dockerfile
FROM python:${PY_VERSION}-slim
ARG PY_VERSION=3.12
```
Use instead:
```dockerfile
ARG PY_VERSION=3.12
FROM python:${PY_VERSION}-slim
```

## Fix
Declare the variable with `ARG` before the first `FROM` (with a sensible default), or
correct its spelling.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class UndefinedArgInFrom(Rule):
    code = "DF808"
    name = "undefined-arg-in-from"
    severity = "warning"
    aliases = ("UndefinedArgInFrom",)
    keywords = ("FROM",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for name, suggestion in model.from_undeclared(stage):
                message = f"FROM argument '{name}' is not declared"
                if suggestion:
                    message += f" (did you mean {suggestion}?)"
                yield self.report(ctx, stage.from_instruction, message)
