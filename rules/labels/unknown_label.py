"""## What it does
Checks for LABEL keys that are not in the configured list of allowed labels (`allowed`),
like hadolint's DL3050 with `strict-labels`.

Off by default, and does nothing until `allowed` is configured. Keys given through a
variable are checked with its value when known and skipped otherwise.

## Why is this bad?
A team that defines a label schema wants every image labelled the same way: a key outside
the schema is usually a typo (`org.opencontainers.image.sources`) or a label nobody reads.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.sources="https://github.com/example/app"
```
Use instead:
```dockerfile
# configured: allowed = ["org.opencontainers.image.source"]
FROM alpine:3.20
LABEL org.opencontainers.image.source="https://github.com/example/app"
```

## Fix
Correct the key, remove the label, or add the key to `allowed`.

## Options
- `allowed` (list of strings, default empty: the rule does nothing): the label keys a
  Dockerfile may set.

```toml
extend-select = ["unknown-label"]

[rules.unknown-label]
allowed = ["org.opencontainers.image.source", "org.opencontainers.image.version"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class UnknownLabel(Rule):
    code = "DF222"
    name = "unknown-label"
    severity = "info"
    aliases = ("DL3050",)
    keywords = ("LABEL",)
    enabled = False
    options = {"allowed": list[str]}
    defaults = {"allowed": []}

    def check(self, ctx) -> Iterator[Finding]:
        allowed = set(self.config["allowed"])
        if not allowed:
            return
        seen: set[tuple[int, str]] = set()
        for pair in ctx.labels:
            if pair.key_known and pair.key not in allowed and (id(pair.instruction), pair.key) not in seen:
                seen.add((id(pair.instruction), pair.key))
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not in the allowed labels of the configuration.")
