"""## What it does
Checks for `pip install` (also `pip3`, `pip3.12`, `python -m pip`) without
`--no-cache-dir`.

Also clean: `--no-cache` (pip accepts the abbreviation); removing `~/.cache` or
`~/.cache/pip` later in the same RUN; `PIP_NO_CACHE_DIR` set by an ENV or an ARG with a
value in effect at the RUN (pip disables its cache for any value of it), set on the
command itself (`PIP_NO_CACHE_DIR=1 pip install ...`) or exported earlier in the script;
a `--mount=type=cache` (or tmpfs) on pip's cache directory (`~/.cache/pip` or `~/.cache`).

Scope: an ENV is in effect in its stage and in the stages built `FROM` it, not in other
stages built from the same image; a `--mount` covers its own RUN only. Any value of
`PIP_NO_CACHE_DIR`, even `0` or `false`, disables pip's cache (pip's option parser takes
the variable's presence as the flag; `false` is not read as "keep the cache"), so such
an ENV counts as clean; hadolint's DL3042 reads the value and differs there.
Stages whose files only leave through `COPY --from` (build stages) are not checked.
Heredoc RUN bodies are checked like any script; Windows stages are not.

## Why is this bad?
pip keeps every wheel it downloads or builds in `~/.cache/pip`. In an image nothing ever
reuses that cache, so the layer carries it for nothing, often tens or hundreds of
megabytes.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install -r requirements.txt
```
Use instead:
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir -r requirements.txt
```

## Fix
Add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1` once at the top of the stage, or
keep a cache between builds with `RUN --mount=type=cache,target=/root/.cache/pip`.

`dlint check --fix` adds `--no-cache-dir` after `pip install` (safe).
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_add_flag


CACHE_DIRS = ("/root/.cache/pip",)
ENV_NAME = "PIP_NO_CACHE_DIR"


class PipNoCacheDir(Rule):
    code = "DF503"
    name = "pip-no-cache-dir"
    severity = "warning"
    aliases = ("DL3042",)
    keywords = ("RUN",)
    triggers = ("pip",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, script in ctx.shipped_run_scripts():
            if "pip" not in script.tools:
                continue
            if _mounts_pip_cache(ctx, ins) or _env_disables_cache(ctx, ins):
                continue
            for command in script.unfollowed(_installs_with_cache, _removes_cache)[:1]:
                if _exported_before(script, command):
                    continue
                yield self.report(
                    ctx,
                    command,
                    f"`{_shown(command)}` without `--no-cache-dir`: the downloaded and built "
                    "wheels stay in ~/.cache/pip in this layer. Add `--no-cache-dir` or "
                    "set `ENV PIP_NO_CACHE_DIR=1`.",
                    fix_add_flag(ctx, command, ("install",), "--no-cache-dir"),
                )


def _shown(command) -> str:
    """The command as it names pip: `pip3 install`, `python3 -m pip install`."""
    lead = command.argv[:len(command.argv) - len(command.tool_args)]
    return " ".join([command.basename, *lead[1:], "install"])


def _installs_with_cache(command) -> bool:
    return (command.matches("pip", "install") and not _no_cache_flag(command)
            and not any(a.name == ENV_NAME for a in command.assignments))


def _no_cache_flag(command) -> bool:
    """--no-cache-dir, or an abbreviation pip's option parser accepts (`--no-cache`)."""
    for arg in command.tool_args:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if name.startswith("--no-cache") and "--no-cache-dir".startswith(name):
            return True
    return False


def _removes_cache(command) -> bool:
    """`rm -rf ~/.cache` (or /root/.cache/pip, $HOME/.cache...) after the install."""
    if command.tool != "rm":
        return False
    return any(a.rstrip("/").endswith(("/.cache", "/.cache/pip", "~/.cache"))
               for a in command.positional_args(()))


def _exported_before(script, command) -> bool:
    """`export PIP_NO_CACHE_DIR=...` earlier in the script: every later pip is clean."""
    for earlier in script.effective_commands:
        if earlier is command:
            return False
        if earlier.tool == "export" and any(a.startswith(ENV_NAME + "=") for a in earlier.args):
            return True
    return False


def _env_disables_cache(ctx, ins) -> bool:
    state = ctx.model.state_at(ins)
    return ENV_NAME in state.env or state.args.get(ENV_NAME) is not None


def _mounts_pip_cache(ctx, ins) -> bool:
    """A cache/tmpfs mount on /root/.cache/pip (or a parent), or on a `.cache` or
    `.cache/pip` directory whatever the HOME."""
    if ctx.model.cache_mounted(ins, CACHE_DIRS):
        return True
    return any(target.endswith(("/.cache", "/.cache/pip")) or target in ("/.cache", "/root")
               for target in ctx.model.cache_mount_targets(ins))
