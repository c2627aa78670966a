"""## What it does
Checks for a COPY of the whole build context, or of a source folder, before a
dependency install that only needs a manifest.

The installs: those that read a manifest from the context (`pip install -r
requirements.txt`, `poetry install`, `pipenv install`, `uv sync`, `npm ci`/`npm install`,
`yarn install`, `pnpm install`, `go mod download`, `bundle install`, `composer install`,
`cargo fetch`, `mvn dependency:go-offline`, `gradle dependencies`), and system or global
installs that need nothing from the context at all (`apt-get install`, `apk add`,
`yum`/`dnf`/`zypper install`, `pip install <name>`, `npm install -g`,
`go install pkg@version`, ...) when the rest of the RUN needs nothing from it either.
Installs of the project itself (`pip install .`, `pip install -e .`) need the sources and
are not reported; so do `uv sync` without `--no-install-project` and `poetry install`
without `--no-root`, which install the project after its dependencies (copying only the
manifests first would make them fail: uv's and poetry's Docker advice is a first
`--no-install-project`/`--no-root` install after the manifests, then the full one after
the sources). "Source folder" means a source with a trailing `/` or a usual source
directory name (`src`, `app`, `lib`, `pkg`, `cmd`, ...) that does not hold the manifest.

The message names the manifest to copy first, and gives the cost measured with the cache
analyzer (dlint.cache): how many of the build's steps an edit to a source file reruns
with this order, the install included, and how many with the fix, without the install.
When `dlint cache verify` has measured this Dockerfile's steps (it saves their durations
under the user cache dir), the message gives the time too ("reruns 3 of 4 steps (~4m10s)
... would rerun 2 (~12s)").
Heredoc RUN bodies are checked like any script; Windows stages are not.

## Why is this bad?
A COPY step's cache key is the content of what it copies, and every step after it
depends on it. After `COPY . .`, editing any source file invalidates the COPY and
therefore reruns the dependency install below it, the slowest step of most builds, even
though the dependencies did not change.

## Example
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "app.py"]
```

## Fix
Copy only the manifests the install reads (the message names them), run the install,
then copy the rest of the sources. An install that needs nothing from the context moves
above the COPY.

`dlint check --fix --unsafe-fixes` does the reordering when the RUN holds only installs
and the COPY is of the whole context (or the install needs nothing from it): a COPY of the
manifests into the same destination where the COPY was, the COPY itself right after the
install; lock files are written as globs that may match nothing (`yarn.loc[k]`) unless the
build context shows them. The fix's description gives the rebuild cost before and after,
from the cache model. Unsafe: the install no longer sees the other sources, and the COPY
that now follows it may overwrite what it installed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace

from dlint.api import Finding, Rule, fix_copy_manifests_first


WHOLE_CONTEXT = frozenset({".", "*"})
# The context path a "source edit" touches when the cost is measured: any name no manifest
# COPY selects (a folder source gets it appended).
EDITED_FILE = "dlint-example-source-file"
SOURCE_DIRS = frozenset({
    "src", "app", "lib", "libs", "pkg", "cmd", "internal", "source", "sources", "code", "web",
    "server", "client", "frontend", "backend", "api", "components", "pages",
})
# Commands a context-free RUN may hold besides its installs.
CONTEXT_FREE_TOOLS = frozenset({
    "set", "export", "echo", "printf", "true", ":", "mkdir", "ln", "useradd", "groupadd",
    "adduser", "addgroup", "usermod", "apt-get", "apt", "apt-cache", "apt-mark", "apk", "yum",
    "dnf", "dnf5", "zypper", "update-ca-certificates", "locale-gen", "dpkg-reconfigure",
    "update-alternatives", "ldconfig", "rm", "cd",
})
# Cleanups of an install's own cache: they read nothing from the context and belong with
# the install (they move with it).
CACHE_CLEANUPS = (
    (("yarn",), "cache"), (("npm",), "cache"), (("pnpm",), "store"), (("pip",), "cache"),
    (("uv",), "cache"), (("go",), "clean"), (("composer",), {"clear-cache", "clearcache", "cc"}),
    (("gem",), "cleanup"), (("apt-get", "apt"), {"clean", "autoclean", "autoremove"}),
    (("yum", "dnf", "dnf5"), "clean"), (("zypper",), {"clean", "cc"}), (("apk",), "cache"),
)
# Package-index refreshes: a RUN of nothing else right before a system install is part of
# it (the install fails without the index), so it moves with it.
INDEX_UPDATES = (
    (("apt-get", "apt"), "update"), (("apk",), "update"), (("yum", "dnf", "dnf5"), "makecache"),
    (("zypper",), {"refresh", "ref"}),
)
SYSTEM_INSTALLS = (
    (("apt-get", "apt"), "install"),
    (("apk",), "add"),
    (("yum", "dnf", "dnf5"), "install"),
    (("zypper",), {"install", "in"}),
)


@dataclass(frozen=True)
class Install:
    """A dependency install command and the manifests it reads from the build context."""

    command: object               # the SimpleCommand
    label: str                    # "pip install -r requirements.txt"
    manifests: tuple[str, ...]    # () when the install needs nothing from the context


def _is_local_path(word: str) -> bool:
    return word.startswith((".", "/", "~")) or word.endswith((".whl", ".deb", ".rpm", ".apk", ".gem"))


def _pip(command) -> Install | None:
    if command.has_flag("-e", "--editable"):
        return None
    files = command.flag_values("-r", "--requirement") + command.flag_values("-c", "--constraint")
    packages = command.positional_args()[1:]
    if any(_is_local_path(p) for p in packages):
        return None  # installs the project or local archives: needs them
    if files:
        shown = " ".join(f"-r {f}" for f in files[:2])
        return Install(command, f"pip install {shown}", tuple(dict.fromkeys(files)))
    return Install(command, "pip install " + " ".join(packages[:3]), ()) if packages else None


def _analyse(command) -> Install | None:
    """What a dependency-install command needs from the build context, or None."""
    tool = command.tool
    words = command.positional_args()
    first = words[0] if words else None
    if tool == "pip" and first == "install":
        return _pip(command)
    if tool == "uv":
        if first == "sync":
            if not command.has_flag("--no-install-project", "--no-install-workspace"):
                return None  # installs the project itself too: needs its sources
            return Install(command, "uv sync", ("pyproject.toml", "uv.lock"))
        if words[:2] == ["pip", "install"]:
            return _pip(command)
    if tool == "poetry" and first == "install":
        if not command.has_flag("--no-root"):
            return None  # installs the project itself too: needs its sources
        return Install(command, "poetry install", ("pyproject.toml", "poetry.lock"))
    if tool == "pipenv" and first in ("install", "sync"):
        return Install(command, f"pipenv {first}", ("Pipfile", "Pipfile.lock"))
    if tool == "npm" and first in ("ci", "install", "i"):
        if command.has_flag("-g", "--global"):
            return Install(command, "npm install -g", ())
        if len(words) == 1:
            return Install(command, f"npm {first}", ("package.json", "package-lock.json"))
        return None
    if tool == "yarn":
        if words[:2] == ["global", "add"]:
            return Install(command, "yarn global add", ())
        if not words or first == "install":
            return Install(command, "yarn install", ("package.json", "yarn.lock"))
        return None
    if tool == "pnpm":
        if first in ("install", "i") and len(words) == 1:
            return Install(command, "pnpm install", ("package.json", "pnpm-lock.yaml"))
        if first == "fetch":
            return Install(command, "pnpm fetch", ("pnpm-lock.yaml",))
        return None
    if tool == "go":
        if words[:2] == ["mod", "download"]:
            return Install(command, "go mod download", ("go.mod", "go.sum"))
        if first == "install" and len(words) > 1 and all("@" in w for w in words[1:]):
            return Install(command, "go install " + words[1], ())
        return None
    if tool == "bundle" and first == "install":
        return Install(command, "bundle install", ("Gemfile", "Gemfile.lock"))
    if tool == "gem" and first == "install" and len(words) > 1:
        return None if any(_is_local_path(w) for w in words[1:]) else Install(command, "gem install", ())
    if tool == "composer" and first == "install":
        return Install(command, "composer install", ("composer.json", "composer.lock"))
    if tool == "cargo":
        if first == "fetch":
            return Install(command, "cargo fetch", ("Cargo.toml", "Cargo.lock"))
        if first == "install" and len(words) > 1 and not command.has_flag("--path"):
            return Install(command, "cargo install " + words[1], ())
        return None
    if tool == "mvn" and any(w.startswith("dependency:") for w in words):
        return Install(command, "mvn " + next(w for w in words if w.startswith("dependency:")), ("pom.xml",))
    if tool == "gradle" and first == "dependencies":
        return Install(command, "gradle dependencies", ("build.gradle", "settings.gradle"))
    for tools, sub in SYSTEM_INSTALLS:
        if command.matches(tools, sub):
            if any(_is_local_path(w) for w in words[1:]):
                return None
            return Install(command, f"{command.basename} {first}", ())
    return None


def _installs(script) -> tuple[list[Install], bool]:
    """The dependency installs of a RUN that need at most a manifest from the context
    (those reading a manifest first: they decide the advice), and whether the rest of the
    RUN needs nothing from the context either."""
    installs = []
    others = []
    for command in script.effective_commands:
        install = _analyse(command)
        if install is not None:
            installs.append(install)
        else:
            others.append(command)
    # An install that needs nothing only counts when nothing else in the RUN reads the
    # context either (`apt-get install ... && ./configure && make` needs the sources).
    # A cleanup of the install's cache (`yarn cache clean`) reads nothing either.
    context_free = all((c.tool in CONTEXT_FREE_TOOLS or _is_cleanup(c)) and all(not a.startswith(".") for a in c.args)
                       for c in others)
    kept = sorted((i for i in installs if i.manifests or context_free), key=lambda i: not i.manifests)
    return kept, context_free


def _is_cleanup(command) -> bool:
    return any(command.matches(tools, sub) for tools, sub in CACHE_CLEANUPS)


def _index_update_run(ctx, ins) -> bool:
    """A RUN that only refreshes a package index (`RUN apt-get update`)."""
    if ins is None or ins.keyword != "RUN":
        return False
    script = ctx.script(ins)
    commands = list(script.effective_commands) if script.posix else []
    return bool(commands) and all(any(c.matches(t, sub) for t, sub in INDEX_UPDATES) for c in commands)


def _norm(source: str) -> str:
    return posixpath.normpath(source.lstrip("/")) if source not in ("/", "") else "."


def _busting_sources(ctx, ins) -> list[str]:
    """Sources of a context COPY/ADD that copy the whole context or a source folder."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.value) < 2:
        return []
    heredocs = {h.name for h in ins.heredocs}
    out = []
    for word in ins.value[:-1]:
        if word.startswith("<<") and word.lstrip("<-").strip("'\"") in heredocs:
            continue
        expansion = ctx.model.expand(word, ins)
        if expansion.unresolved:
            return []
        source = expansion.value
        if source.lower().startswith(("http://", "https://", "git@", "git://", "ssh://")):
            continue
        norm = _norm(source)
        if norm in WHOLE_CONTEXT or source in ("./", "./*"):
            out.append(source)
        elif source.endswith("/") or posixpath.basename(norm) in SOURCE_DIRS:
            out.append(source)
    return out


def _copied_names(ctx, ins) -> set[str]:
    """Basenames of the files a context COPY names explicitly (manifests copied early)."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
        return set()
    return {posixpath.basename(ctx.model.expand(w, ins).value.rstrip("/")) for w in ins.value[:-1]}


class CacheBustingCopy(Rule):
    code = "DF701"
    name = "cache-busting-copy"
    severity = "info"
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            if stage.windows:
                continue
            busting: list[tuple[object, list[str]]] = []   # (COPY, sources) so far
            copied: dict[str, int] = {}                   # basename -> line of its COPY
            reported: set[int] = set()
            previous = None
            for ins in stage.instructions:
                before, previous = previous, ins
                if ins.keyword in ("COPY", "ADD"):
                    sources = _busting_sources(ctx, ins)
                    if sources:
                        busting.append((ins, sources))
                    for name in _copied_names(ctx, ins):
                        copied.setdefault(name, ins.start_line)
                    continue
                if ins.keyword != "RUN" or not busting:
                    continue
                script = ctx.script(ins)
                if not script.posix:
                    continue
                installs, only_installs = _installs(script)
                if not installs:
                    continue
                for copy, sources in busting:
                    if id(copy) in reported:
                        continue
                    install = self._affected(installs, sources)
                    if install is None:
                        continue
                    reported.add(id(copy))
                    # `RUN apt-get update` alone right before a system install moves with it.
                    update = before if (not install.manifests and before is not copy
                                        and _index_update_run(ctx, before)) else None
                    message = self._message(copy, sources, ins, install, copied, update)
                    split = None if only_installs else " && ".join(i.command.text for i in installs)
                    cost = _cost(ctx, stage, copy, sources, ins, install, copied, split, update)
                    # a source folder holding the manifest: which file the install reads
                    # is the folder's, not the context root's (`COPY web/ .`): no fix
                    whole = all(_norm(s) in WHOLE_CONTEXT for s in sources)
                    fix = None
                    if split is None and (whole or not install.manifests
                                          or _already_copied(install, copy, copied)):
                        fix = _fix(ctx, copy, ins, install, copied, cost)
                    yield self.report(ctx, copy, f"{message} {cost}" if cost else message, fix)

    @staticmethod
    def _affected(installs: list[Install], sources: list[str]) -> Install | None:
        """The first install a COPY of `sources` busts needlessly: a source folder that
        holds one of the install's manifests is what the install reads, not a bust."""
        for install in installs:
            folders = [_norm(s) for s in sources if _norm(s) not in WHOLE_CONTEXT]
            whole = len(folders) < len(sources)
            inside = any(_norm(m).startswith(f + "/") for m in install.manifests for f in folders)
            if whole or not inside:
                return install
        return None

    @staticmethod
    def _message(copy, sources, run, install, copied, update=None) -> str:
        """What is wrong and what to copy first, from the model alone."""
        norm = [_norm(s) for s in sources]
        what = ("the whole build context" if any(n in WHOLE_CONTEXT for n in norm)
                else "source folder " + ", ".join(f"`{s}`" for s in sources))
        head = (f"{copy.keyword} of {what} before `RUN {install.label}` (line {run.start_line}): "
                f"every source edit reruns the install.")
        if not install.manifests and update is not None:
            return (f"{head} The install needs nothing from the build context: move it, with the "
                    f"`{' '.join(update.original.split())}` on line {update.start_line} that it needs, above "
                    f"this {copy.keyword} (or join the two in one RUN).")
        if not install.manifests:
            return f"{head} The install needs nothing from the build context: move it above this {copy.keyword}."
        names = [posixpath.basename(m) for m in install.manifests]
        if _already_copied(install, copy, copied):
            return (f"{head} {names[0]} is already copied on line {copied[names[0]]}: move the "
                    f"install above this {copy.keyword}.")
        listed = " and ".join(", ".join(names).rsplit(", ", 1))
        return f"{head} Copy {listed} first, run the install, then copy the rest."


def _fix(ctx, copy, run, install, copied, cost: str | None):
    """The reordering as text (unsafe; only when the RUN holds nothing but installs: a
    RUN that also builds would have to be split). Its description carries the cost."""
    manifests = [] if not install.manifests or _already_copied(install, copy, copied) else list(install.manifests)
    names = " and ".join(", ".join(manifests).rsplit(", ", 1))
    what = (f"Copy {names} first, run the install, then {copy.keyword} the rest" if manifests
            else f"Move {copy.keyword} below the install")
    description = (f"{what} (unsafe: the install no longer sees the other sources, and the "
                   f"{copy.keyword} may overwrite what it installs)")
    if cost:
        description += ". " + cost
    return fix_copy_manifests_first(ctx, copy, run, manifests, description)


def _already_copied(install: Install, copy, copied: dict[str, int]) -> bool:
    """The install's main manifest was copied by an earlier COPY of the stage."""
    name = posixpath.basename(install.manifests[0]) if install.manifests else None
    return name is not None and copied.get(name, copy.start_line) < copy.start_line


def _cost(ctx, stage, copy, sources, run, install, copied, split: str | None, update=None) -> str | None:
    """"A source edit reruns N of M steps ...; copying X first would rerun K", measured
    with the cache analyzer on this order and on the fixed one. `split` is the install
    part of a RUN that also does other work (that part moves up, the RUN stays). None
    when the analyzer is missing or cannot tell."""
    try:
        from dlint.api import PredictError, steps_invalidated_by
    except ImportError:  # the analyzer is optional for this rule
        return None
    whole = any(_norm(s) in WHOLE_CONTEXT for s in sources)
    edited = EDITED_FILE if whole else f"{_norm(sources[0])}/{EDITED_FILE}"
    # The whole build when the final image depends on this stage, else the stage itself.
    model = ctx.model
    target = None if stage in model.reachable() else (stage.name or str(stage.index))
    manifests = [] if not install.manifests or _already_copied(install, copy, copied) else list(install.manifests)
    fixed_document, install_line = _reordered(ctx.document, copy, run, manifests, split, update)
    try:
        now = steps_invalidated_by(ctx.document, edited, target=target)
        fixed = steps_invalidated_by(fixed_document, edited, target=target)
    except PredictError:
        return None
    if not any(s.line == run.start_line and s.cached is False for s in now.steps):
        return None
    if not any(s.line == install_line and s.cached is True for s in fixed.steps):
        return None
    names = " and ".join(", ".join(posixpath.basename(m) for m in manifests).rsplit(", ", 1))
    change = f"copying {names} first" if manifests else f"installing before this {copy.keyword}"
    cost_now = cost_fixed = ""
    # A split RUN keeps its other work after the COPY: its duration with the fix is unknown.
    timed = _timed(ctx, now, fixed, fixed_document) if split is None else None
    if timed is not None:
        cost_now, cost_fixed = f" ({timed[0]})", f" ({timed[1]})"
    return (f"With this order a source edit reruns {len(now.rerun_steps)} of {now.step_count} "
            f"steps{cost_now}, `RUN {install.label}` included; {change} would rerun "
            f"{len(fixed.rerun_steps)}{cost_fixed}, without the install.")


def _timed(ctx, now, fixed, fixed_document) -> tuple[str, str] | None:
    """("~4m10s", "~12s"): what a source edit costs now and with the fix, when `cache
    verify` measured this Dockerfile's steps (dlint.cache.timings); else None."""
    import os

    if not ctx.context_dir:
        return None
    from dlint.api import apply_timings, format_seconds, load_timings

    key = os.path.abspath(os.path.join(ctx.context_dir, os.path.basename(ctx.display_path)))
    found = load_timings(key)
    if not found:
        return None
    now = apply_timings(now, ctx.document, found)
    fixed = apply_timings(fixed, fixed_document, found, by_position=False)
    if not now.timed:
        return None
    return (format_seconds(sum(s.seconds or 0.0 for s in now.rerun_steps)),
            format_seconds(sum(s.seconds or 0.0 for s in fixed.rerun_steps)))


def _reordered(document, copy, run, manifests: list[str], split: str | None, update=None):
    """The fixed document and the line of its install RUN: where `copy` was, a COPY of the
    manifests (to the same destination) and then the install: `run` itself, or, when
    `split` is given, a new RUN of just `split` (`run` then stays after the COPY).
    `update`: a RUN right before `run` that moves up with it (`RUN apt-get update`).
    Instructions are copies renumbered one per line: the shared document is not touched."""
    from dlint.api import Instruction

    order = list(document.instructions)
    i, j = order.index(copy), order.index(run)
    inserted = []
    if manifests:
        dest = copy.value[-1]
        dest = dest if dest.endswith("/") or len(manifests) == 1 else dest + "/"
        inserted.append(Instruction("COPY", "COPY", 0, 0, flags=list(copy.flags), value=[*manifests, dest]))
    if update is not None:
        inserted.append(update)
        order = [ins for ins in order if ins is not update]
        i, j = order.index(copy), order.index(run)
    if split is not None:
        install_run = Instruction("RUN", "RUN", 0, 0, flags=list(run.flags), value=[split])
        order = order[:i] + inserted + [install_run] + order[i:]
    else:
        install_run = run
        order = order[:i] + inserted + order[i + 1:j + 1] + [copy] + order[j + 1:]
    renumbered = [replace(ins, start_line=n, end_line=n, span=None) for n, ins in enumerate(order, 1)]
    return replace(document, instructions=renumbered), order.index(install_run) + 1
