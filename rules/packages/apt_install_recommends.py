"""## What it does
Checks for `apt-get install` (and `apt install`) without `--no-install-recommends`.

Also clean: a simulation (`-s`, `--dry-run`: it installs nothing; hadolint reports it,
fixture good-simulation.Dockerfile), `--install-recommends=no`, `-o
APT::Install-Recommends=false` (or `0`), and `APT::Install-Recommends "false"` written to
apt's configuration by an earlier RUN of the stage (or a COPY into /etc/apt/apt.conf.d).
`APT::Get::Install-Recommends` is not a key apt reads: a stage that sets only that one
still gets the Recommends (fixture bad-wrong-config-key.Dockerfile). Options given by a
variable are read when its ARG/ENV value is known; one of unknown value may hold the
option, so the command is not reported (fixtures bad-arg-templated, good-arg-options).
Installing a local `.deb` is reported too: apt resolves its Recommends from the archive
like any package's. Stages whose files only leave through `COPY --from` (build stages) are
not checked: the extra packages never reach the image. Wrappers and `sh -c` strings are
looked through; global options before `install` are fine; Windows stages are not checked.

Where dlint differs from hadolint (DL3015): build stages are not checked (the rule is
about image size, and a build stage's packages do not ship), `apt install` is, and a
stage configured with `APT::Install-Recommends "false"` is not reported, nor are
`--install-recommends=no` and `-o 'APT::Install-Recommends=0'` (hadolint knows only
`--no-install-recommends` and `=false`); commands behind `sudo` or inside `sh -c` are
checked (hadolint reads neither). Fixtures: good-build-stage.Dockerfile,
good-configured.Dockerfile, good-option-forms.Dockerfile, bad-basic.Dockerfile.

## Why is this bad?
By default apt installs each package's Recommends too: documentation, optional tools,
sometimes a whole X11 stack. They add tens or hundreds of megabytes the application
never uses, and more packages to patch.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y python3 && rm -rf /var/lib/apt/lists/*
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
```

## Fix
Add `--no-install-recommends`, and name any recommended package you do need.

`dlint check --fix --unsafe-fixes` adds `--no-install-recommends` after `install` (unsafe:
the image no longer gets the recommended packages, which something may rely on).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag

TOOLS = ("apt-get", "apt")
# apt reads APT::Install-Recommends only (not APT::Get::Install-Recommends)
CONFIG_KEYS = ('apt::install-recommends "false"', 'apt::install-recommends "0"',
               "apt::install-recommends false", "apt::install-recommends 0")
CONFIG_PATHS = ("/etc/apt/apt.conf",)
MESSAGE = ("`{command} install` without `--no-install-recommends`: apt also installs the "
           "recommended packages, which the image rarely needs. Add `--no-install-recommends`.")


class AptInstallRecommends(Rule):
    code = "DF512"
    name = "apt-install-recommends"
    severity = "info"
    aliases = ("DL3015",)
    keywords = ("RUN",)
    triggers = ("apt",)

    def check(self, ctx) -> Iterator[Finding]:
        for instruction, command, _ in ctx.installs(TOOLS, shipped_only=True):
            if ctx.skips_recommends(instruction, command):
                continue
            if ctx.configured(instruction, CONFIG_KEYS, CONFIG_PATHS):
                continue
            yield self.report(ctx, command, MESSAGE.format(command=command.basename),
                              fix_add_flag(ctx, command, (command.subcommands()[0],),
                                           "--no-install-recommends", safe=False))
