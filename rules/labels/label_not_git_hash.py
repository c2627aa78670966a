"""## What it does
Checks for configured labels (the `labels` option) that are not a git commit hash.
Expected: 7 to 40 hex digits (SHA-1), or 64 (SHA-256 repositories).

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3055) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). dlint differs from
hadolint, which accepts only exactly 7 or 40 lower-case hex digits: `git rev-parse
--short` gives more than 7 in large repositories (fixture `good-long-short-hash`). An
empty value is empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`hash`).

## Why is this bad?
`org.opencontainers.image.revision` ties the image to the commit it was built from; a
branch name or a tag moves and does not.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.revision="main"
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.revision"]
FROM alpine:3.20
LABEL org.opencontainers.image.revision="4f2c3a9e1b7d0c6a5e8f9b2d1c3e4f5a6b7c8d9e"
```

## Fix
Pass the commit in: `ARG GIT_SHA` then `LABEL org.opencontainers.image.revision=$GIT_SHA`,
built with `--build-arg GIT_SHA=$(git rev-parse HEAD)`.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be a git commit hash.

```toml
[rules.label-not-git-hash]
labels = ["org.opencontainers.image.revision"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


_HASH = re.compile(r"[0-9a-fA-F]{7,40}|[0-9a-fA-F]{64}")


def is_git_hash(value: str) -> bool:
    return _HASH.fullmatch(value) is not None


class LabelNotGitHash(Rule):
    code = "DF227"
    name = "label-not-git-hash"
    severity = "warning"
    aliases = ("DL3055",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_git_hash(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not a git commit hash: `{pair.value}`.")
