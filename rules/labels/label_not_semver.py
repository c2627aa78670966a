"""## What it does
Checks for configured labels (the `labels` option) that are not a semantic version.
Expected (https://semver.org): `1.4.2`, `2.0.0-rc.1+build.5`.

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3056) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). A leading `v` (`v1.4.2`) is
not part of a semantic version and is reported, as hadolint does. An empty value is
empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`semver`).

## Why is this bad?
Tools that order or compare image versions need a version they can parse; `latest` or
`1.4` cannot be compared reliably.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.version="1.4"
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.version"]
FROM alpine:3.20
LABEL org.opencontainers.image.version="1.4.0"
```

## Fix
Write MAJOR.MINOR.PATCH, with an optional `-prerelease` and `+build` suffix.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be a semantic version.

```toml
[rules.label-not-semver]
labels = ["org.opencontainers.image.version"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


# The regular expression semver.org recommends.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?")


def is_semver(value: str) -> bool:
    return _SEMVER.fullmatch(value) is not None


class LabelNotSemver(Rule):
    code = "DF228"
    name = "label-not-semver"
    severity = "warning"
    aliases = ("DL3056",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_semver(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not a semantic version: `{pair.value}`.")
