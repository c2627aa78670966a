"""## What it does
Checks for configured labels (the `labels` option) that are not an RFC 3339 date-time.
Expected: `2024-06-01T12:00:00Z`, or with an offset such as `+02:00`.

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3053) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). A space instead of `T`
between date and time is accepted (RFC 3339 section 5.6 allows it). An empty value is
empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`rfc3339`).

## Why is this bad?
`org.opencontainers.image.created` is defined as an RFC 3339 date-time; tools that sort or
compare images by it cannot read other formats.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.created="June 1st, 2024"
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.created"]
FROM alpine:3.20
LABEL org.opencontainers.image.created="2024-06-01T12:00:00Z"
```

## Fix
Write the date as `YYYY-MM-DDTHH:MM:SSZ` (or with a `+HH:MM` offset), e.g. from `date -u
+%Y-%m-%dT%H:%M:%SZ` passed as a build arg.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be an RFC 3339 date-time.

```toml
[rules.label-not-rfc3339]
labels = ["org.opencontainers.image.created"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))")


def is_rfc3339(value: str) -> bool:
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    from datetime import datetime  # not at import: the module is loaded for every LABEL

    try:
        datetime(year, month, day, hour, minute, min(second, 59))  # 60: a leap second
    except ValueError:
        return False
    offset_h, offset_m = match.group(8), match.group(9)
    return second <= 60 and (offset_h is None or (int(offset_h) < 24 and int(offset_m) < 60))


class LabelNotRfc3339(Rule):
    code = "DF225"
    name = "label-not-rfc3339"
    severity = "warning"
    aliases = ("DL3053",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_rfc3339(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not an RFC 3339 date-time: `{pair.value}`.")
