"""## What it does
Checks for consecutive RUN instructions that could be one.

Reported: a RUN directly after another RUN (comments and blank lines between them do not
count) with the same flags, when both are short (at most two commands each); the finding
is on the second RUN.

Not reported: RUNs with different flags (`--mount`, `--network`, `--security`), exec
form RUNs (there may be no shell to chain them with), longer scripts (splitting those is
often deliberate, for cache reuse), and Windows stages (their scripts are not parsed).

## Why is this bad?
Each RUN makes a layer and a cache step. Several tiny RUNs in a row make the image
bigger (files deleted in a later RUN still sit in the earlier layer) and the build
slower, without making the Dockerfile clearer.

## Example
```dockerfile
FROM alpine:3.20
RUN mkdir /app
RUN chown nobody /app
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN mkdir /app && chown nobody /app
```

## Fix
Join the commands with `&&` in one RUN (or write one heredoc RUN).

`dlint check --fix --unsafe-fixes` joins the RUN to the one above with `&&` and a
continuation (one layer and one cache step instead of two: unsafe). No fix when a line
lies between them, the first RUN changes shell state (`cd`, `export`, ...) the second
would now see, or the second is more than an `&&` list.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_merge_runs


MAX_COMMANDS = 2


class ConsecutiveRun(Rule):
    code = "DF401"
    name = "consecutive-run"
    severity = "info"
    aliases = ("DL3059",)
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        previous = None  # the previous instruction if it was a short, chainable RUN
        for ins in ctx.document.instructions:
            if ins.keyword != "RUN" or not self._short(ctx, ins):
                previous = None
                continue
            if previous is not None and sorted(previous.flag_strings) == sorted(ins.flag_strings):
                yield self.report(
                    ctx,
                    ins,
                    f"This RUN directly follows the RUN on line {previous.start_line} with the "
                    f"same flags: join them with `&&` into one RUN (one layer, one cache step).",
                    fix_merge_runs(ctx, previous, ins),
                )
            previous = ins

    @staticmethod
    def _short(ctx, ins) -> bool:
        script = ctx.script(ins)
        if not script.posix or script.form in ("exec", "none") or script.has_errors:
            return False
        return 0 < len(script.commands) <= MAX_COMMANDS
