"""## What it does
Checks for `zypper` commands that can ask questions, run without `--non-interactive`.

The subcommands checked: `install`/`in`, `remove`/`rm`, `update`/`up`, `patch`,
`dist-upgrade`/`dup`, `source-install`/`si`, `install-new-recommends`/`inr`.

Also answered: `-y`/`--no-confirm` after the subcommand, and a pipe into the command.
`-n` counts only before the subcommand (after `install` it means `--name`). Options
given by a variable are read when its ARG/ENV value is known; one of unknown value may
hold `-n`: not reported. Wrappers and
`sh -c` strings are looked through; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3034): `update`/`up`, `dist-upgrade` and
`install-new-recommends` are checked too, and `zypper install -n pkg` is reported (that
`-n` is `--name`). Fixture: bad-name-option.Dockerfile.

## Why is this bad?
zypper asks "Continue? [y/n/v/...]" before changing anything. A build has no terminal:
zypper reads end of input and aborts ("Cannot read input: bad stream or EOF"), failing
the build.

## Example
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install curl=8.6.0 && zypper clean --all
```
Use instead:
```dockerfile
FROM opensuse/leap:15.6
RUN zypper --non-interactive install curl=8.6.0 && zypper clean --all
```

## Fix
Add the global option `-n` (`--non-interactive`) before the subcommand, or `-y` after it.

`dlint check --fix` adds `--non-interactive` right after `zypper` (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag

PROMPTING = {"install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup",
             "source-install", "si", "install-new-recommends", "inr"}
MESSAGE = ("`zypper {sub}` without `--non-interactive`: when it has work to do, zypper asks "
           "for confirmation, which a build cannot give, and aborts. Use `zypper -n {sub}`.")


class ZypperMissingNonInteractive(Rule):
    code = "DF522"
    name = "zypper-missing-non-interactive"
    severity = "warning"
    aliases = ("DL3034",)
    keywords = ("RUN",)
    triggers = ("zypper",)

    def check(self, ctx) -> Iterator[Finding]:
        for instruction, command in ctx.run_commands("zypper"):
            if (command.matches("zypper", PROMPTING)
                    and not ctx.answers_prompts(instruction, command)):
                yield self.report(ctx, command, MESSAGE.format(sub=command.subcommands()[0]),
                                  fix_add_flag(ctx, command, (command.name,), "--non-interactive"))
