"""## What it does
Checks for `pip install` (also `pip3`, `pip3.12`, `python -m pip`) without
`--no-cache-dir`.

Also clean: `--no-cache` (pip accepts the abbreviation); removing `~/.cache` or
`~/.cache/pip` later in the same RUN; `PIP_NO_CACHE_DIR` set by an ENV or an ARG with a
value in effect at the RUN (pip disables its cache for any value of it), set on the
command itself (`PIP_NO_CACHE_DIR=1 pip install ...`) or exported earlier in the script;
a `--mount=type=cache` (or tmpfs) on pip's cache directory (`~/.cache/pip` or `~/.cache`).
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
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.model import parse_mount
from dlint.syntax.nodes import Span

CACHE_DIRS = ("/root/.cache/pip",)
ENV_NAME = "PIP_NO_CACHE_DIR"

def _shipped_stages(model) -> set[int]:
    """ids of the stages whose layers end up in an image someone runs: the last stage,
    every stage no other stage uses (a possible --target), and their FROM ancestors.
    Stages only read through COPY --from / RUN --mount=from are build stages."""
    used = {id(dep.stage) for stage in model.stages for dep in model.dependencies(stage)
            if dep.stage is not None and dep.stage is not stage}
    shipped: set[int] = set()
    for stage in model.stages:
        if id(stage) in used and stage is not model.final_stage:
            continue
        while stage is not None and id(stage) not in shipped:
            shipped.add(id(stage))
            stage = stage.base_stage
    return shipped


def _mounted(ctx, ins, directory: str) -> bool:
    """A cache or tmpfs mount of `directory` or one of its parents."""
    for flag in ins.flags_named("mount"):
        options = parse_mount(flag.value)
        if options.get("type") not in ("cache", "tmpfs"):
            continue
        target = ctx.model.expand(options.get("target", ""), ins).value
        if not target:
            continue
        target = posixpath.normpath(target)
        if directory == target or directory.startswith(target.rstrip("/") + "/"):
            return True
    return False


def _span(command) -> Span:
    return Span(command.line, command.column, command.end_line, command.end_column)



class PipNoCacheDir(Rule):
    code = "DF503"
    name = "pip-no-cache-dir"
    severity = "warning"
    aliases = ("DL3042",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        shipped = _shipped_stages(model)
        for stage in model.stages:
            if id(stage) not in shipped or stage.windows:
                continue
            for ins in stage.instructions:
                if ins.keyword != "RUN" or any(_mounted(ctx, ins, d) for d in CACHE_DIRS):
                    continue
                script = ctx.script(ins)
                if not script.posix:
                    continue
                if _mounts_pip_cache(ctx, ins) or _env_disables_cache(ctx, ins):
                    continue
                exported = False
                for index, command in enumerate(script.effective_commands):
                    if command.tool == "export" and any(a.startswith(ENV_NAME + "=") for a in command.args):
                        exported = True
                    if exported or not command.matches("pip", "install"):
                        continue
                    if _no_cache_flag(command) or any(a.name == ENV_NAME for a in command.assignments):
                        continue
                    if any(_removes_cache(c) for c in script.effective_commands[index + 1:]):
                        continue
                    yield self.report(
                        ctx,
                        _span(command),
                        "`pip install` without `--no-cache-dir`: the downloaded and built "
                        "wheels stay in ~/.cache/pip in this layer. Add `--no-cache-dir` or "
                        "set `ENV PIP_NO_CACHE_DIR=1`.",
                    )
                    break


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


def _env_disables_cache(ctx, ins) -> bool:
    state = ctx.model.state_at(ins)
    return ENV_NAME in state.env or state.args.get(ENV_NAME) is not None


def _mounts_pip_cache(ctx, ins) -> bool:
    """A cache/tmpfs mount on a `.cache` or `.cache/pip` directory (whatever the HOME)."""
    for flag in ins.flags_named("mount"):
        options = parse_mount(flag.value)
        if options.get("type") not in ("cache", "tmpfs"):
            continue
        target = posixpath.normpath(ctx.model.expand(options.get("target", ""), ins).value or ".")
        if target.endswith(("/.cache", "/.cache/pip")) or target in ("/.cache", "/root"):
            return True
    return False
