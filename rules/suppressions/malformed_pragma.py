"""## What it does
Checks for ignore pragmas without `=` (`# hadolint ignore DL3008`), which suppress nothing.

Reported: `ignore` without `=` (`# hadolint ignore DL3008`, `# dlint ignore DF501`,
`# dlint: ignore: DF501`), and `ignore=` followed by no code: comments meant as pragmas
that are not one.

Also reported: `disable=` for `ignore=` (`# hadolint disable=DL3008`, ShellCheck's word,
which neither tool reads), and ShellCheck's own directive written as a Dockerfile comment
(`# shellcheck disable=SC2086` above a RUN): BuildKit drops Dockerfile comments before the
script runs, so ShellCheck, in dlint as in hadolint, never sees it (inside a heredoc
script it is a script line, and works). And codes after the list separated by a space instead of a comma
(`# hadolint ignore=DL3008 DL3009`): dlint takes what follows the list as a free comment,
so `DL3009` is not suppressed, and hadolint 2.15 ignores the whole pragma (a free comment
must start with `#` there).

Only comments of the pragma's shape are read: `dlint` or `hadolint`, then `ignore` (after
`global` or `stage`, if any), then nothing but codes (`DL3008`, `SC2086`, `DF501`, `ALL`)
separated by commas, or nothing at all after `ignore=`. Prose that starts the same way
(`# hadolint ignores the next line`, `# dlint ignore rules below`) is left alone. hadolint
reads pragmas with the same grammar (`ignore` `=` codes, spaces allowed around `=` and
`,`): such a comment does nothing there either.

## Why is this bad?
The comment looks like it silences a finding, so nobody looks at the finding again, but
both dlint and hadolint read it as an ordinary comment: the finding is still reported,
or the comment hides that the problem was never accepted on purpose.

## Example
```dockerfile
FROM debian:12-slim
# hadolint ignore DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl
```

## Fix
Write the list after `=`: `# hadolint ignore=DL3008,DL3009` or `# dlint: ignore=DF501`
(`global ignore=` for the whole file, `stage ignore=` for the rest of the stage); or delete
the comment.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span


class MalformedPragma(Rule):
    code = "DF011"
    name = "malformed-pragma"
    severity = "warning"
    reads_pragmas = True

    def check(self, ctx) -> Iterator[Finding]:
        for pragma in ctx.pragmas:
            if pragma.stray:
                first, last = pragma.stray[0], pragma.stray[-1]
                listed = ", ".join(f"`{item.text}`" for item in pragma.stray)
                one = len(pragma.stray) == 1
                hadolint = " (hadolint ignores the whole pragma)" if pragma.tool == "hadolint" else ""
                yield self.report(ctx, Span(pragma.line, first.column, pragma.line, last.end_column),
                                  f"{listed} after a space {'is' if one else 'are'} not in the list: "
                                  f"dlint reads {'it' if one else 'them'} as a comment and does not "
                                  f"suppress {'it' if one else 'them'}{hadolint}. Separate codes with "
                                  f"commas: `{pragma.form}`.")
            if pragma.problem is None:
                continue
            where = Span(pragma.line, pragma.column, pragma.line, pragma.end_column)
            if pragma.problem == "shellcheck":
                message = (f"`# {pragma.text}` does nothing in a Dockerfile comment: BuildKit drops "
                           f"comments before the RUN's script runs, so ShellCheck never sees it. "
                           f"Write `{pragma.form}` (or `# dlint: ignore=...`) above the RUN.")
            elif pragma.problem == "disable":
                message = (f"`# {pragma.text}` is not a pragma: dlint and hadolint read `ignore=`, "
                           f"not `disable=` (ShellCheck's word). Write `{pragma.form}`.")
            elif pragma.problem == "no-equals":
                message = (f"`# {pragma.text}` is not a pragma: without `=` after `ignore`, dlint "
                           f"and hadolint read it as a plain comment and suppress nothing. "
                           f"Write `{pragma.form}`.")
            else:
                message = (f"`# {pragma.text}` names no code after `ignore=`, so it suppresses "
                           f"nothing. Name the codes (`{pragma.form}`) or remove it.")
            yield self.report(ctx, where, message)
