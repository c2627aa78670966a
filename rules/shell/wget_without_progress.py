"""## What it does
Checks for `wget` writing its progress into the build log. That is: no `--progress=...`,
no `-q`/`--quiet`, no `-nv`/`--no-verbose`, no `-o`/`--output-file` or
`-a`/`--append-output` log file, and stderr not redirected (`2>/dev/null`, `&>file`).

How dlint differs from hadolint (DL3047): a `wget` whose stderr is redirected writes
nothing to the log, so dlint does not report it (fixture `good-redirected.Dockerfile`).
Nor does it report `wget` in an Alpine or BusyBox stage that has not installed GNU wget
(`apk add wget`): that `wget` is BusyBox's, which has no `--progress` option (the advice
would break the build) and, without a terminal, prints its progress only now and then
(fixture `good-busybox.Dockerfile`).
Heredoc RUN bodies and `sh -c` strings are read like any script; Windows stages are not
checked.

## Why is this bad?
Without a terminal, GNU wget prints its "dot" progress: one line per 50 KB downloaded,
thousands of lines for a large file. They flood the build log (BuildKit truncates long
step logs, hiding the lines that matter) and slow CI log viewers down.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN wget https://example.com/tool.tar.gz
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN wget --progress=dot:giga https://example.com/tool.tar.gz
```

## Fix
Add `--progress=dot:giga` (one dot line per 32 MB), or `-nv`/`-q` for no progress at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options

QUIET = frozenset({"-q", "--quiet", "--no-verbose", "-o", "--output-file", "-a",
                   "--append-output", "--progress"})


class WgetWithoutProgress(Rule):
    code = "DF415"
    name = "wget-without-progress"
    severity = "info"
    aliases = ("DL3047",)
    keywords = ("RUN",)
    triggers = ("wget",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, cmd in ctx.run_commands(("wget",)):
            if not cmd.args or ctx.busybox_wget(ins, cmd):
                continue
            if "-nv" in cmd.args or _stderr_redirected(cmd):
                continue
            options, _ = parse_options("wget", cmd.args)
            if any(name in QUIET for name, _ in options):
                continue
            if any(name in ("-V", "--version", "-h", "--help") for name, _ in options):
                continue
            yield self.report(
                ctx, cmd,
                "`wget` without `--progress`: it prints a progress line for every 50 KB "
                "into the build log. Add `--progress=dot:giga`, or `-nv`/`-q`.")


def _stderr_redirected(cmd) -> bool:
    return any(r.op in ("&>", "&>>", ">&") and r.fd is None and r.target not in ("1", "2")
               or (r.fd == "2" and r.op in (">", ">>") )
               for r in cmd.origin.redirects)

