"""## What it does
Checks for configured labels (the `labels` option) set to an empty value.

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg` (`LABEL
org.opencontainers.image.revision=$GIT_SHA`); hadolint's DL3051 reports them when the ARG
has no default, dlint does not (fixture `good-build-arg`).

Does nothing until `labels` is configured (hadolint: the keys of `label-schema`).

## Why is this bad?
A required label with an empty value satisfies a presence check while telling nothing: the
image still cannot be traced to its source or version.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.version=""
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.version"]
FROM alpine:3.20
LABEL org.opencontainers.image.version="1.4.2"
```

## Fix
Give the label a value, or pass it in: `ARG VERSION` then `LABEL ...version=$VERSION`.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys that
  must not be empty.

```toml
[rules.empty-label]
labels = ["org.opencontainers.image.version"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class EmptyLabel(Rule):
    code = "DF223"
    name = "empty-label"
    severity = "warning"
    aliases = ("DL3051",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if not pair.value.strip():
                yield self.report(ctx, pair.instruction, f"Label `{pair.key}` is empty: give it a value.")
