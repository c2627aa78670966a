"""## What it does
Checks for LABEL keys that do not follow Docker's key format.

The format: lower-case letters, digits, `.` and `-`, starting with a letter and ending
with a letter or digit, without `..` or `--`, and outside the namespaces Docker reserves
(`com.docker.*`, `io.docker.*`, `org.dockerproject.*`).

Keys given through a variable are checked with the variable's value when known and
skipped otherwise (hadolint, DL3048, checks the text `${KEY}` itself; fixtures
`bad-arg-key`, `good-arg-unknown-key`). ONBUILD LABELs are not checked. The upper-case
`RUN`, `INSTALL` and `UNINSTALL` labels are not reported: `atomic` and
`podman container runlabel` read them by exactly these names (hadolint reports them;
fixture `good-runlabels`).

## Why is this bad?
Docker's object-label guidelines ask for reverse-DNS keys in this format so that tools
(and people) can read labels written by others without guessing about case or separators:
`Version`, `version` and `build_version` are three different keys. The reserved namespaces
belong to Docker's own tools.

## Example
```dockerfile
FROM alpine:3.20
LABEL Maintainer="ops@example.com" build_date="2024-06-01"
```
Use instead:
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.authors="ops@example.com" org.opencontainers.image.created="2024-06-01T00:00:00Z"
```

## Fix
Rename the key: lower case, `.` and `-` as separators; prefer the
`org.opencontainers.image.*` keys where one fits."""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")
# Read by exactly these names by `atomic run/install/uninstall` and `podman container
# runlabel`: renaming them would break those commands.
RUNLABELS = frozenset({"RUN", "INSTALL", "UNINSTALL"})


def problem(key: str) -> str | None:
    """What is wrong with a label key, or None."""
    if not key:
        return "it is empty"
    bad = sorted({c for c in key if c not in ALLOWED})
    if bad:
        return "it contains " + " ".join(f"`{c}`" for c in bad[:5]) + " (only a-z, 0-9, `.` and `-`)"
    if not key[0].isalpha():
        return "it does not start with a letter"
    if not key[-1].isalnum():
        return "it does not end with a letter or digit"
    if ".." in key or "--" in key:
        return "it has consecutive separators"
    if key.startswith(RESERVED):
        return "its namespace is reserved by Docker"
    return None


class InvalidLabelKey(Rule):
    code = "DF220"
    name = "invalid-label-key"
    severity = "style"
    aliases = ("DL3048",)
    keywords = ("LABEL",)

    def check(self, ctx) -> Iterator[Finding]:
        seen: set[tuple[int, str]] = set()
        for pair in ctx.labels:
            if not pair.key_known or pair.key in RUNLABELS or (id(pair.instruction), pair.key) in seen:
                continue
            seen.add((id(pair.instruction), pair.key))
            why = problem(pair.key)
            if why is not None:
                yield self.report(ctx, pair.instruction,
                                  f"Label key `{pair.key}` does not follow Docker's key format: {why}.")
