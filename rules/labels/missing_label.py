"""## What it does
Checks for images without the labels your team requires (the `labels` option).

Checked: the last stage and every other stage no stage builds on or copies from (a
possible `--target`); a label set in an earlier stage the stage is built `FROM` counts.
Stages only used by others are not checked. hadolint (DL3049) skips stages used by
`COPY --from` but reports stages used as the base of a later stage, whose labels the
later stage inherits (fixture `good-inherited-build-stage`). A LABEL whose key depends on
an unknown variable counts as possibly any label (fixture `good-dynamic-key`). Labels of
the base image are not known and do not count.

Does nothing until `labels` is configured (hadolint: the keys of `label-schema`).

## Why is this bad?
Registries, scanners and deployment tools read labels such as
`org.opencontainers.image.source` or `org.opencontainers.image.version` to link an image
to its code, owner and version. An image without them cannot be traced.

## Example
```dockerfile
FROM alpine:3.20
CMD ["sh"]
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.source"]
FROM alpine:3.20
LABEL org.opencontainers.image.source="https://github.com/example/app"
CMD ["sh"]
```

## Fix
Add a LABEL with each missing key to the stage.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the required label
  keys.

```toml
[rules.missing-label]
labels = ["org.opencontainers.image.source", "org.opencontainers.image.version"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class MissingLabel(Rule):
    code = "DF221"
    name = "missing-label"
    severity = "info"
    aliases = ("DL3049",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        required = list(dict.fromkeys(self.config["labels"]))
        if not required:
            return
        model = ctx.model
        used = {id(dep.stage) for stage in model.stages for dep in model.dependencies(stage)
                if dep.stage is not None and dep.stage is not stage}
        by_stage: dict[int, list] = {}
        for pair in ctx.labels:
            by_stage.setdefault(id(pair.stage), []).append(pair)
        for stage in model.stages:
            if id(stage) in used and stage is not model.final_stage:
                continue
            pairs = [p for s in stage.chain() for p in by_stage.get(id(s), ())]
            if any(not p.key_known for p in pairs):
                continue
            keys = {p.key for p in pairs}
            missing = [k for k in required if k not in keys]
            if missing:
                shown = ", ".join(f"`{k}`" for k in missing)
                yield self.report(
                    ctx, stage.from_instruction,
                    f"Stage `{stage.label}` lacks the required label{'s' if len(missing) > 1 else ''} "
                    f"{shown}: add a LABEL.")
