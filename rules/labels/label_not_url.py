"""## What it does
Checks for configured labels (the `labels` option) that are not an absolute URL
(`https://...`, any scheme).

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3052) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). An empty value is
empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`url`).

## Why is this bad?
Tools follow URL labels (`org.opencontainers.image.source`, `.url`, `.documentation`) to
the code or the docs; a bare host name or a relative path leads nowhere.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.source="github.com/example/app"
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.source"]
FROM alpine:3.20
LABEL org.opencontainers.image.source="https://github.com/example/app"
```

## Fix
Write the full URL, scheme included.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be a URL.

```toml
[rules.label-not-url]
labels = ["org.opencontainers.image.source"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def is_url(value: str) -> bool:
    """An absolute URI: a scheme, `:`, and something after it, without whitespace."""
    scheme, sep, rest = value.partition(":")
    return bool(sep and rest) and _SCHEME.fullmatch(scheme) is not None and not any(c.isspace() for c in value)


class LabelNotUrl(Rule):
    code = "DF224"
    name = "label-not-url"
    severity = "warning"
    aliases = ("DL3052",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_url(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not a URL: `{pair.value}`.")
