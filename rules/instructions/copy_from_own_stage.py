"""## What it does
Checks for `COPY --from` (or `RUN --mount=from`) naming the stage it is in.

By name or index; stages that depend on each other in a circle are reported too.

References through an ARG are checked with the ARG's value when it is known.

## Why is this bad?
A stage cannot read files from itself before it exists: BuildKit stops with "circular
dependency detected on stage" before building anything. The same happens when stage `a`
copies from `b` and `b` from `a`.

## Example
```dockerfile
FROM node:22 AS build
RUN npm ci && npm run build
COPY --from=build /app/dist /srv
```
Use instead:
```dockerfile
FROM node:22 AS build
RUN npm ci && npm run build

FROM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
```

## Fix
Copy within the stage with `RUN cp ...`, or move the instruction into a later stage that
copies from this one.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopyFromOwnStage(Rule):
    code = "DF204"
    name = "copy-from-own-stage"
    severity = "error"
    aliases = ("DL3023",)
    keywords = ("COPY", "RUN")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        edges: dict[int, list] = {}  # stage index -> [(stage depended on, dependency)]
        for stage in model.stages:
            for dep in model.dependencies(stage):
                if dep.kind == "from" or dep.unresolved:
                    continue
                target = dep.stage or model.stage(dep.reference)
                if target is stage:
                    what = "COPY --from" if dep.kind == "copy" else "RUN --mount=from"
                    yield self.report(
                        ctx, dep.instruction,
                        f"`{what}={dep.reference}` names the stage it is in: BuildKit fails with "
                        f"\"circular dependency detected on stage\". Copy within the stage with "
                        f"`RUN cp`, or from a later stage.")
                elif target is not None:
                    edges.setdefault(stage.index, []).append((target, dep))
        yield from self._cycles(ctx, model, edges)

    def _cycles(self, ctx, model, edges) -> Iterator[Finding]:
        """One finding per circle of two or more stages, found from its first stage, on
        the dependency that closes it."""
        for start in sorted(edges):
            path = [start]
            visited = {start}
            stack = [(start, 0)]
            while stack:
                node, i = stack[-1]
                children = edges.get(node, ())
                if i >= len(children):
                    stack.pop()
                    path.pop()
                    continue
                stack[-1] = (node, i + 1)
                target, dep = children[i]
                if target.index == start:
                    names = " -> ".join(model.stages[n].label for n in [*path, start])
                    yield self.report(
                        ctx, dep.instruction,
                        f"Stages depend on each other in a circle ({names}): BuildKit fails "
                        f"with \"circular dependency detected on stage\".")
                    continue
                if target.index < start or target.index in visited:
                    continue
                visited.add(target.index)
                path.append(target.index)
                stack.append((target.index, 0))
