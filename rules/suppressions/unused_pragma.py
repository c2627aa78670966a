"""## What it does
Checks for ignore pragmas that suppressed no finding in this run, like ruff's unused-noqa.

Each item of the list is checked (like ruff's RUF100): `# hadolint ignore=DL3008` above a
RUN that installs pinned packages, or `# dlint: global ignore=DF101` in a file whose
images all have tags.

Off by default: whether a pragma suppressed something depends on which rules ran. An
item is reported only when every rule it names is selected in this run (`ALL`: every
rule that is on by default), so a pragma for a rule that is not selected (`--select`,
`ignore` in the configuration, a rule off by default) is never reported as unused. For
a ShellCheck code (`SC2086`) the code itself must be selected, and nothing is reported
for ShellCheck codes when ShellCheck could not run. Items that name no rule are
unknown-pragma-code's, malformed pragmas malformed-pragma's and pragmas that cover no
instruction detached-pragma's. Nothing is reported when the configuration turns pragmas
off (`disable-ignore-pragmas`).

Limit: the rules that read the build context (copy-source-not-found, copy-secret-file...)
find nothing without one (stdin without `--context`, or a folder that does not look like
the file's context), so a pragma for them is reported unused in such a run; lint the
file in its context.

dlint and hadolint do not find exactly the same things (docs/hadolint-differences.tsv):
a `# hadolint` pragma may suppress a hadolint finding that dlint does not make. Where
hadolint still runs, set `hadolint-pragmas = false` to leave `# hadolint` pragmas alone.

## Why is this bad?
A pragma that suppresses nothing is noise that outlives the problem it was written for,
and it will silently hide a real finding if the line changes later.

## Example
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
 && rm -rf /var/lib/apt/lists/*
```
Use instead:
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
 && rm -rf /var/lib/apt/lists/*
```

## Fix
Remove the unused item from the pragma (the whole pragma when none is left).

## Options
- `hadolint-pragmas` (bool, default true): also check `# hadolint` pragmas. Set it to
  false while hadolint still reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span

SHELLCHECK = "SC"  # the code of the rule that reports ShellCheck's findings (SC2086...)


class UnusedPragma(Rule):
    code = "DF013"
    name = "unused-pragma"
    severity = "info"
    enabled = False
    reads_pragmas = True
    options = {"hadolint-pragmas": bool}
    defaults = {"hadolint-pragmas": True}

    def check(self, ctx) -> Iterator[Finding]:
        if not ctx.pragmas.honoured:
            return
        check_hadolint = self.config["hadolint-pragmas"]
        shellcheck_ran: bool | None = None
        for pragma in ctx.pragmas:
            if pragma.problem is not None or (pragma.scope != "global" and pragma.first is None):
                continue
            if pragma.tool == "hadolint" and not check_hadolint:
                continue
            for item in pragma.items:
                if item.used or not item.selected:
                    continue
                if SHELLCHECK in item.rules:  # ShellCheck's codes, `shellcheck`, ALL
                    if shellcheck_ran is None:
                        shellcheck_ran = ctx.shellcheck_complete()
                    if not shellcheck_ran:
                        continue
                where = Span(pragma.line, item.column, pragma.line, item.end_column)
                place = {"global": "in this file", "stage": "in the rest of this stage"}.get(
                    pragma.scope, "on the instruction below")
                hint = (" (hadolint, if it still reads this file, may need it: see the option "
                        "`hadolint-pragmas`)" if pragma.tool == "hadolint" else "")
                yield self.report(ctx, where, f"`{item.text}` in this pragma suppressed nothing: no "
                                              f"finding of it {place} in this run. Remove it{hint}.")
