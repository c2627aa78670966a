"""## What it does
Checks for codes in ignore pragmas that no rule answers to (`# dlint: ignore=DF999`).

`# hadolint ignore=DL9999` and `# hadolint ignore=SC20` are reported too.

A pragma item is known when it is the code, name or alias of a rule dlint has (plugins'
rules included, and `ALL`), or a ShellCheck code: `SC` and four digits. ShellCheck's codes
are open-ended, so an `SC` number dlint has never seen is not reported, only an item that
cannot be one (`SC20`, `SC20866`). In a `# hadolint` pragma, the codes of rules hadolint
removed (DL3005, DL3017, DL3031, DL3039) are not reported either: older hadolint releases
still read them. A code from a plugin that is not installed where dlint runs, or from
another tool that reads these comments, can be declared with the `external` option.

## Why is this bad?
An unknown code suppresses nothing, silently: a typo (`DL3080` for `DL3008`) leaves the
finding it was meant to silence in place, or hides that the pragma is obsolete.

## Example
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3080
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl
```

## Fix
Correct the code (`dlint rules` lists every code, name and alias), or remove it from the
pragma.

## Options
- `external` (list of strings, default empty): codes, or code prefixes, that other
  tools or plugins not installed here define; items starting with one of them
  (case-insensitive) are not reported. `external = ["ACME"]` accepts `ACME001`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, LazyPattern, Rule, Span

# hadolint rules deleted upstream (reference/hadolint.md): older releases still read them
REMOVED_HADOLINT_CODES = frozenset({"dl3005", "dl3017", "dl3031", "dl3039"})
SHELLCHECK_LIKE = LazyPattern(r"^[sS][cC][0-9]*$")


class UnknownPragmaCode(Rule):
    code = "DF010"
    name = "unknown-pragma-code"
    severity = "warning"
    reads_pragmas = True
    options = {"external": list[str]}
    defaults = {"external": []}

    def check(self, ctx) -> Iterator[Finding]:
        external = tuple(prefix.lower() for prefix in self.config["external"] if prefix)
        for pragma in ctx.pragmas:
            if pragma.problem is not None:
                continue  # not a pragma at all: malformed-pragma says so
            for item in pragma.items:
                if item.rules or (external and item.key.startswith(external)):
                    continue
                if pragma.tool == "hadolint" and item.key in REMOVED_HADOLINT_CODES:
                    continue
                where = Span(pragma.line, item.column, pragma.line, item.end_column)
                yield self.report(ctx, where, _message(item.text, pragma))


def _message(text: str, pragma) -> str:
    if SHELLCHECK_LIKE.match(text) and text.lower() != "sc":
        return (f"`{text}` is not a ShellCheck code (SC and four digits, like SC2086): this "
                f"pragma suppresses nothing for it.")
    tools = "dlint or hadolint" if pragma.tool == "hadolint" else "dlint"
    return (f"`{text}` is no {tools} rule's code, name or alias: this pragma suppresses nothing "
            f"for it. Correct it (`dlint rules` lists them) or remove it.")
