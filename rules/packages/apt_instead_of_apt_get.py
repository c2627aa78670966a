"""## What it does
Checks for `apt` in RUN; scripts should use `apt-get` and `apt-cache`.

Every `apt` command is reported, wrappers (`sudo`) and `sh -c` strings looked through.
Every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3027): `sudo apt ...` and `sh -c 'apt ...'` are
reported (hadolint reads neither); each `apt` command is its own finding, at its position.
Fixture: bad-wrapped.Dockerfile.

## Why is this bad?
`apt` is the interactive front end: its output and options may change between releases
("WARNING: apt does not have a stable CLI interface. Use with caution in scripts."), and
it shows progress bars meant for a terminal. `apt-get` and `apt-cache` keep a stable
interface for scripts.

## Example
```dockerfile
FROM ubuntu:24.04
RUN apt update && apt install -y curl
```
Use instead:
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y curl
```

## Fix
Use `apt-get` (install, update, remove, upgrade...) or `apt-cache` (search, show, policy).

`dlint check --fix` renames `apt` to `apt-get` (or `apt-cache`) where the subcommand does
the same there (safe); `apt upgrade` -> `apt-get upgrade` is unsafe (`apt upgrade`
installs new dependencies, `apt-get upgrade` holds those packages back). No fix for `apt
list` and apt's own subcommands (`full-upgrade`, `edit-sources`...).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_rename_command

MESSAGE = ("`apt{sub}` in a script: apt's command-line interface is not stable. Use "
           "`{instead}` instead.")
CACHE_SUBCOMMANDS = {"search", "show", "policy", "depends", "rdepends", "showsrc"}
# subcommands that do the same under apt-get (apt-cache for CACHE_SUBCOMMANDS); `apt upgrade`
# may install new packages where `apt-get upgrade` does not, and the rest are apt's own
SAME_UNDER_APT_GET = {"install", "remove", "purge", "update", "autoremove", "build-dep",
                      "source", "clean", "autoclean", "download", "changelog", "dist-upgrade"}


class AptInsteadOfAptGet(Rule):
    code = "DF513"
    name = "apt-instead-of-apt-get"
    severity = "warning"
    aliases = ("DL3027",)
    keywords = ("RUN",)
    triggers = ("apt",)

    def check(self, ctx) -> Iterator[Finding]:
        for _, command in ctx.run_commands("apt"):
            sub = command.subcommands()
            if sub and sub[0] == "list":
                instead = "dpkg-query -l"
            elif sub and sub[0] in CACHE_SUBCOMMANDS:
                instead = "apt-cache"
            else:
                instead = "apt-get"
            fix = None
            if not sub or sub[0] in SAME_UNDER_APT_GET or sub[0] in CACHE_SUBCOMMANDS:
                fix = fix_rename_command(ctx, command, instead)
            elif sub[0] == "upgrade":
                fix = fix_rename_command(ctx, command, instead, safe=False)
            yield self.report(ctx, command, MESSAGE.format(
                sub=f" {sub[0]}" if sub else "", instead=instead), fix)
