"""## What it does
Checks for configured labels (the `labels` option) that are not e-mail addresses. Expected
(RFC 5322): `ops@example.com`, `Ops Team <ops@example.com>`, or several separated by
commas.

Values that come from an ARG (directly, or through an ENV set from one) are not checked:
the ARG is usually filled in with `--build-arg`; hadolint (DL3058) reports them when the
ARG has no default, dlint does not (fixture `good-build-arg`). dlint differs from
hadolint, which accepts only a bare address: the `Name <address>` form and lists are valid
RFC 5322 and common in `org.opencontainers.image.authors` (fixture `good-name-addr`). An
empty value is empty-label's finding.

Does nothing until `labels` is configured (hadolint: the `label-schema` keys of type
`email`).

## Why is this bad?
A contact label that is not an address cannot be used to reach the image's owners.

## Example
```dockerfile
FROM alpine:3.20
LABEL maintainer="the ops team"
```
Use instead:
```dockerfile
# configured: labels = ["maintainer"]
FROM alpine:3.20
LABEL maintainer="ops@example.com"
```

## Fix
Write an address, optionally with a display name: `Ops Team <ops@example.com>`.

## Options
- `labels` (list of strings, default empty: the rule does nothing): the label keys whose
  value must be an e-mail address.

```toml
[rules.label-not-email]
labels = ["maintainer"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR = re.compile(
    _ATOM + r"(?:\." + _ATOM + r")*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
_NAME_ADDR = re.compile(r'(?:"[^"]*"|[^<>@,"]*)\s*<\s*([^<>\s]+)\s*>')


def is_email(value: str) -> bool:
    """An RFC 5322 mailbox list: addr-spec or `Name <addr-spec>`, comma separated."""
    for mailbox in _mailboxes(value):
        mailbox = mailbox.strip()
        named = _NAME_ADDR.fullmatch(mailbox)
        address = named.group(1) if named else mailbox
        if _ADDR.fullmatch(address) is None:
            return False
    return True


class LabelNotEmail(Rule):
    code = "DF229"
    name = "label-not-email"
    severity = "warning"
    aliases = ("DL3058",)
    keywords = ("LABEL",)
    options = {"labels": list[str]}
    defaults = {"labels": []}

    def check(self, ctx) -> Iterator[Finding]:
        for pair in ctx.labels_named(self.config["labels"]):
            if pair.value.strip() and not is_email(pair.value):
                yield self.report(ctx, pair.instruction,
                                  f"Label `{pair.key}` is not an e-mail address: `{pair.value}`.")


def _mailboxes(value: str) -> list[str]:
    """Split on the commas outside quotes and angle brackets."""
    parts, current, quoted, angle = [], "", False, False
    for ch in value:
        if ch == '"' and not angle:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angle = True
        elif ch == ">" and not quoted:
            angle = False
        elif ch == "," and not quoted and not angle:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts
