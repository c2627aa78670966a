"""## What it does
Checks for a RUN that runs `apt-get update` (or `apt update`) without installing anything
after it in the same RUN.

Counted as an install after the update: `apt-get`/`apt`/`aptitude` `install`, `upgrade`,
`dist-upgrade`, `full-upgrade`, `build-dep`, `reinstall`, `satisfy`, `source` or
`download`, and tools that install through apt (`install_packages`, `apt-fast`, `nala`,
`mk-build-deps`, `gdebi`, `debconf-apt-progress`). A RUN that goes on with a command whose
effect cannot be read (a script file such as `./install-deps.sh`, `bash -` fed by a pipe,
`source`, `make`) is not reported: it may well install. A RUN whose package lists are on a
`--mount=type=cache` or tmpfs is not reported, and neither are Windows stages. Build
stages are checked: a stale package list breaks them as much as the final one.

hadolint has no such rule; Trivy's DS017 ("update instruction alone") and Checkov's
CKV_DOCKER_5 report the same pattern.

## Why is this bad?
The build cache keys a RUN on its text, not on the state of the mirrors. A RUN that only
runs `apt-get update` is cached once and then reused forever; a later `RUN apt-get install
...` installs from those lists, however old they are. When the install line changes (a
package is added), only that RUN reruns, against lists that may be months old: packages
that moved on the mirror fail to download (404), and security updates are silently
missed. This is the cache trap the Docker best-practice guide describes ("Always combine
`RUN apt-get update` with `apt-get install` in the same RUN statement").

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
```

## Fix
Move `apt-get update` into the RUN that installs, right before `apt-get install`, and
remove the lists at the end of that RUN.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


LISTS_DIR = "/var/lib/apt/lists"
APT = ("apt-get", "apt", "aptitude")
INSTALLS = {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "reinstall",
            "satisfy", "source", "download"}
# tools that install through apt (they run apt-get install themselves)
APT_INSTALLERS = frozenset({"install_packages", "apt-fast", "nala", "mk-build-deps", "gdebi",
                            "debconf-apt-progress", "apt-install"})
# commands whose effect cannot be read from the script
OPAQUE = frozenset({"source", ".", "make", "eval", "sh", "bash", "dash", "ash", "zsh", "ksh"})
MESSAGE = ("`{command}` with no install after it in this RUN: the build cache keeps this "
           "layer as it is, so {later} use package lists as old as that cache entry, and "
           "fail (404) or miss updates once the mirror moves on. Run the update in the RUN "
           "that installs, right before `apt-get install`.")


class AptUpdateAlone(Rule):
    code = "DF508"
    name = "apt-update-alone"
    severity = "warning"
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if stage.windows:
                continue
            runs = [ins for ins in stage.instructions if ins.keyword == "RUN"]
            for index, ins in enumerate(runs):
                script = ctx.script(ins)
                if not script.posix or script.tools.isdisjoint(("apt-get", "apt")):
                    continue
                if ctx.model.cache_mounted(ins, (LISTS_DIR,)):
                    continue
                alone = script.unfollowed(_updates, _may_install)
                if not alone:
                    continue
                command = alone[0]
                later = next((r for r in runs[index + 1:] if _runs_install(ctx.script(r))), None)
                where = (f"later installs (the RUN on line {later.start_line})"
                         if later is not None else "later installs")
                text = f"{command.basename} {command.subcommands()[0]}"
                yield self.report(ctx, command, MESSAGE.format(command=text, later=where))


def _updates(command) -> bool:
    return command.matches(("apt-get", "apt"), "update")


def _installs(command) -> bool:
    return command.matches(APT, INSTALLS) or command.basename in APT_INSTALLERS


def _runs_install(script) -> bool:
    if script.tools.isdisjoint(APT) and script.tools.isdisjoint(APT_INSTALLERS):
        return False
    return any(_installs(c) for c in script.effective_commands)


def _may_install(command) -> bool:
    if _installs(command):
        return True
    name = command.name
    if "/" in name or name.endswith(".sh") or command.basename in OPAQUE:
        # a script file, or a shell reading one (`sh -c` strings are looked into)
        return command.inner_script() is None
    return False
