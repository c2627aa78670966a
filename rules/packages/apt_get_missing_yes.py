"""## What it does
Checks for `apt-get` (and `apt`) commands that can ask for confirmation, run without `-y`.

The subcommands checked: `install`, `upgrade`, `dist-upgrade`, `full-upgrade`, `remove`,
`purge`, `autoremove`, `autopurge`, `build-dep`, `reinstall`.

Also answered: a simulation (`-s`, `--dry-run`: it asks nothing; hadolint reports it,
fixture good-simulation.Dockerfile), `--yes`, `--assume-yes`, quiet level 2 (`-qq`,
`-q=2`, which implies `-y`), `-o APT::Get::Assume-Yes=true`, a pipe into the command (`yes
| apt-get install ...`), and `APT::Get::Assume-Yes "true"` written to apt's configuration
by an earlier RUN of the stage (or a COPY into /etc/apt/apt.conf.d). Options given by a
variable are read when its ARG/ENV value is known; a variable of unknown value may hold
`-y`, so the command is not reported (fixtures bad-arg-templated, good-arg-options).
Global options before the subcommand are fine (`apt-get -q install`). Wrappers and `sh -c`
strings are looked through; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3014): the other prompting subcommands are checked
(apt-get asks before removing or upgrading packages just as before installing extra
ones); a command fed by `yes |`, given `-o APT::Get::Assume-Yes=true` or configured to
assume yes is not reported; commands behind `sudo` or inside `sh -c` are checked (hadolint
reads neither). Fixtures: bad-other-subcommands.Dockerfile, good-answered.Dockerfile,
good-yes-forms.Dockerfile, good-configured.Dockerfile.

## Why is this bad?
apt-get asks "Do you want to continue? [Y/n]" whenever it would install more than the
packages named, or remove or upgrade anything. A build has no terminal: apt-get reads end
of input, answers no, and aborts, so the build fails as soon as a dependency changes.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
```

## Fix
Add `-y` (`--yes`) to the command.

`dlint check --fix` adds `-y` after the subcommand (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag

TOOLS = ("apt-get", "apt")
PROMPTING = {"install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge",
             "autoremove", "autopurge", "build-dep", "reinstall"}
CONFIG_KEYS = ('apt::get::assume-yes "true"', 'apt::get::assume-yes "1"',
               "apt::get::assume-yes true", "apt::get::assume-yes 1")
CONFIG_PATHS = ("/etc/apt/apt.conf",)
MESSAGE = ("`{command}` without `-y`: when it has work to do, {tool} asks for "
           "confirmation, which a build cannot give, and aborts. Use `{tool} -y {sub}`.")


class AptGetMissingYes(Rule):
    code = "DF511"
    name = "apt-get-missing-yes"
    severity = "warning"
    aliases = ("DL3014",)
    keywords = ("RUN",)
    triggers = ("apt",)

    def check(self, ctx) -> Iterator[Finding]:
        for instruction, command in ctx.run_commands(TOOLS):
            if not command.matches(command.tool, PROMPTING):
                continue
            if ctx.answers_prompts(instruction, command):
                continue
            if ctx.configured(instruction, CONFIG_KEYS, CONFIG_PATHS):
                continue
            sub = command.subcommands()[0]
            yield self.report(ctx, command, MESSAGE.format(
                command=f"{command.basename} {sub}", tool=command.basename, sub=sub),
                fix_add_flag(ctx, command, (sub,), "-y"))
