"""## What it does
Checks for `dnf` commands that can ask for confirmation, run without `-y`.

The subcommands checked: `install`, `in`, `groupinstall`, `localinstall`, `reinstall`,
`update`, `upgrade`, `downgrade`, `remove`, `erase`, `autoremove`, `distro-sync`,
`group install|remove|upgrade` and `module install|enable|disable|reset|remove|switch-to`.

Also answered: `--assumeyes`, `--setopt=assumeyes=1`, a pipe into the command
(`yes | ...`), and `assumeyes=1` set in the configuration by an earlier RUN of the stage
(or a COPY to the configuration file). Options given by a variable are read when its
ARG/ENV value is known; one of unknown value may hold `-y`: not reported. Options before
the subcommand are fine (`-y install` included). Wrappers and `sh -c` strings are looked
through; every stage is checked; Windows stages are not.
`microdnf` is not reported: it never prompts (its `-y` "does nothing, we always assume
yes").

Where dlint differs from hadolint (DL3038): microdnf is not reported (hadolint reports
`microdnf install` without `-y`), the other prompting subcommands are checked, and a
command fed by `yes |` or configured to assume yes is not reported. Fixtures:
good-microdnf.Dockerfile, bad-other-subcommands.Dockerfile.

## Why is this bad?
dnf asks "Is this ok [y/N]" before changing anything. A build has no terminal: dnf reads
end of input, answers no ("Operation aborted"), and the build fails.

## Example
```dockerfile
FROM fedora:40
RUN dnf install httpd && dnf clean all
```
Use instead:
```dockerfile
FROM fedora:40
RUN dnf install -y httpd && dnf clean all
```

## Fix
Add `-y` (`--assumeyes`) to the command.

`dlint check --fix` adds `-y` after the subcommand (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag

PROMPTING = {"install", "in", "groupinstall", "localinstall", "reinstall", "update", "upgrade",
             "downgrade", "remove", "erase", "autoremove", "distro-sync", "groupremove",
             "groupupdate"}
GROUP_ACTIONS = {"install", "remove", "update", "upgrade"}
MODULE_ACTIONS = {"install", "enable", "disable", "reset", "remove", "switch-to"}
CONFIG_KEYS = ("assumeyes=1", "assumeyes=true", "assumeyes=yes", "assumeyes = 1",
               "assumeyes = true", "assumeyes = yes")
CONFIG_PATHS = ("/etc/dnf/dnf.conf", "/etc/yum.conf")
MESSAGE = ("`dnf {sub}` without `-y`: when it has work to do, dnf asks for confirmation, "
           "which a build cannot give, and aborts. Use `dnf -y {sub}`.")


class DnfMissingYes(Rule):
    code = "DF520"
    name = "dnf-missing-yes"
    severity = "warning"
    aliases = ("DL3038",)
    keywords = ("RUN",)
    triggers = ("dnf",)

    def check(self, ctx) -> Iterator[Finding]:
        for instruction, command in ctx.run_commands("dnf"):
            two = command.matches("dnf", "group", GROUP_ACTIONS) or command.matches(
                "dnf", "module", MODULE_ACTIONS)
            if not (two or command.matches("dnf", PROMPTING)):
                continue
            if ctx.answers_prompts(instruction, command):
                continue
            if ctx.configured(instruction, CONFIG_KEYS, CONFIG_PATHS):
                continue
            sub = " ".join(command.subcommands(2 if two else 1))
            yield self.report(ctx, command, MESSAGE.format(sub=sub),
                              fix_add_flag(ctx, command, (sub.split()[-1],), "-y"))
