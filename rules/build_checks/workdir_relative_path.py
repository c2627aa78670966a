"""## What it does
Checks for a relative path in the first `WORKDIR` of a stage (`WORKDIR app`). Only the
first `WORKDIR` of a stage and the stages it is built `FROM` counts.

Docker build check `WorkdirRelativePath`; hadolint DL3000. On Windows stages, drive
(`C:\\app`) and root (`\\app`) paths are absolute. A path made of a variable whose value
is not known here (`WORKDIR $APP_HOME`) is not reported.

Differs from hadolint: DL3000 reports every relative `WORKDIR`; dlint, like BuildKit,
only the first one of a stage chain. `WORKDIR /app` then `WORKDIR src` is well defined
(it is `/app/src` whatever the base image), so reporting it would be noise.

## Why is this bad?
A relative `WORKDIR` is resolved against the base image's working directory, which the
Dockerfile does not show and which changes when the base image does: `WORKDIR app` is
`/app` on one image and `/home/node/app` on another.

## Example
```dockerfile
FROM node:20-slim
WORKDIR app
COPY . .
```
Use instead:
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY . .
```

## Fix
Start the path with `/` (on Windows, a drive such as `C:\\`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


def _absolute(path: str, windows: bool) -> bool:
    if windows:
        return path[:1] in ("/", "\\") or (len(path) >= 2 and path[1] == ":")
    return path.startswith("/")


class WorkdirRelativePath(Rule):
    code = "DF809"
    name = "workdir-relative-path"
    severity = "warning"
    aliases = ("WorkdirRelativePath", "DL3000")
    keywords = ("WORKDIR",)
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            inherited = any(ins.keyword == "WORKDIR" for parent in stage.chain()
                            if parent is not stage for ins in parent.instructions)
            if inherited:
                continue
            first = next((ins for ins in stage.instructions if ins.keyword == "WORKDIR"), None)
            if first is None or not first.value:
                continue
            state = model.state_at(first)
            expansion = state.expand(first.value[0])
            if expansion.unresolved or _absolute(expansion.value, state.windows):
                continue
            yield self.report(ctx, first, f'Relative workdir "{expansion.value}" can have unexpected '
                                          f'results if the base image changes')
