"""## What it does
Checks for configured labels (the `labels` option) that are not an SPDX license
expression. Expected: `MIT`, `Apache-2.0 OR MIT`, `GPL-2.0-only WITH
Classpath-exception-2.0`.

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3054) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). dlint checks the grammar of
the expression and the shape of each identifier, not the list of registered SPDX
identifiers: a well-formed but unregistered name (`GPLv2`) passes, where hadolint reports
it. An empty value is empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`spdx`).

## Why is this bad?
`org.opencontainers.image.licenses` is defined as an SPDX expression so that license
scanners can read it; prose such as `Apache License 2.0` cannot be parsed.

## Example
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.licenses="Apache License 2.0"
```
Use instead:
```dockerfile
# configured: labels = ["org.opencontainers.image.licenses"]
FROM alpine:3.20
LABEL org.opencontainers.image.licenses="Apache-2.0"
```

## Fix
Use the SPDX identifier (https://spdx.org/licenses/), combined with `AND`, `OR`, `WITH`
and parentheses.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be an SPDX license expression.

```toml
[rules.label-not-spdx]
labels = ["org.opencontainers.image.licenses"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.:+-]+)")
_ID = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?")


def is_spdx(value: str) -> bool:
    """SPDX license-expression grammar (annex D): ids joined by AND / OR, an exception
    after WITH, parentheses; operators in any case."""
    tokens: list[str] = []
    pos = 0
    text = value.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return False
        tokens.append(match.group(1))
        pos = match.end()
    expect_term, depth, after_with = True, 0, False
    for token in tokens:
        upper = token.upper()
        if expect_term:
            if token == "(" and not after_with:
                depth += 1
            elif upper in ("AND", "OR", "WITH") or token == ")" or _ID.fullmatch(token) is None:
                return False
            else:
                expect_term, after_with = False, False
        elif token == ")":
            depth -= 1
            if depth < 0:
                return False
        elif upper in ("AND", "OR", "WITH"):
            expect_term, after_with = True, upper == "WITH"
        else:
            return False
    return bool(tokens) and not expect_term and depth == 0


class LabelNotSpdx(Rule):
    code = "DF226"
    name = "label-not-spdx"
    severity = "warning"
    aliases = ("DL3054",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_spdx(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not an SPDX license expression: `{pair.value}`.")
