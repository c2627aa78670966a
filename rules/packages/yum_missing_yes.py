"""## What it does
Checks for `yum` commands that can ask for confirmation, run without `-y`.

The subcommands checked: `install`, `groupinstall`, `localinstall`, `reinstall`,
`update`, `upgrade`, `downgrade`, `remove`, `erase`, `autoremove`, `distro-sync` and
`group install|remove|update`.

Also answered: `--assumeyes`, `--setopt=assumeyes=1`, a pipe into the command
(`yes | ...`), and `assumeyes=1` set in the configuration by an earlier RUN of the stage
(or a COPY to the configuration file). Options given by a variable are read when its
ARG/ENV value is known; one of unknown value may hold `-y`: not reported. Options before
the subcommand are fine (`-y install` included). Wrappers and `sh -c` strings are looked
through; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3030): the other prompting subcommands are checked
(yum asks before removing or upgrading as before installing), and a command fed by
`yes |` or configured to assume yes is not reported. Fixtures:
bad-other-subcommands.Dockerfile, good-answered.Dockerfile.

## Why is this bad?
yum asks "Is this ok [y/d/N]" before changing anything. A build has no terminal: yum reads
end of input and exits with "Exiting on user command", failing the build.

## Example
```dockerfile
FROM centos:7
RUN yum install httpd-2.4.6 && yum clean all
```
Use instead:
```dockerfile
FROM centos:7
RUN yum install -y httpd-2.4.6 && yum clean all
```

## Fix
Add `-y` (`--assumeyes`) to the command.

`dlint check --fix` adds `-y` after the subcommand (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag

PROMPTING = {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade",
             "downgrade", "remove", "erase", "autoremove", "distro-sync", "groupremove",
             "groupupdate"}
GROUP_ACTIONS = {"install", "remove", "update", "upgrade"}
CONFIG_KEYS = ("assumeyes=1", "assumeyes=true", "assumeyes=yes", "assumeyes = 1",
               "assumeyes = true", "assumeyes = yes")
CONFIG_PATHS = ("/etc/yum.conf",)
MESSAGE = ("`yum {sub}` without `-y`: when it has work to do, yum asks for confirmation, "
           "which a build cannot give, and aborts. Use `yum -y {sub}`.")


class YumMissingYes(Rule):
    code = "DF518"
    name = "yum-missing-yes"
    severity = "warning"
    aliases = ("DL3030",)
    keywords = ("RUN",)
    triggers = ("yum",)

    def check(self, ctx) -> Iterator[Finding]:
        for instruction, command in ctx.run_commands("yum"):
            if not (command.matches("yum", PROMPTING)
                    or command.matches("yum", "group", GROUP_ACTIONS)):
                continue
            if ctx.answers_prompts(instruction, command):
                continue
            if ctx.configured(instruction, CONFIG_KEYS, CONFIG_PATHS):
                continue
            sub = " ".join(command.subcommands(2) if command.subcommands()[0] == "group"
                           else command.subcommands())
            yield self.report(ctx, command, MESSAGE.format(sub=sub),
                              fix_add_flag(ctx, command, (sub.split()[-1],), "-y"))
