"""`dlint cache ...`: cache-analysis commands (diff, explain, verify) register here.

Imported only when the command line starts with `cache` (or asks for top-level help), so
`dlint check` never pays for it or for what its commands import.
"""

from __future__ import annotations

from typing import List, Optional

import typer

app = typer.Typer(
    help="Predict and verify the build-cache effect of an edit.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)


# --------------------------------------------------------------------------- shared arguments
# BEFORE/AFTER and the build options are the same for `diff` and `verify` (SPEC §8): these
# helpers turn them into snapshots and build-arg maps; both commands use them.

from dlint.cache import BUILDERS as BUILDER_CHOICES  # noqa: E402  (a constant, no imports)
CACHE_FORMATS = ("tty", "json")

# Options shared by the cache commands (typer reads these defaults; one definition each).
FILE_OPTION = typer.Option("Dockerfile", "-f", "--file", help="Dockerfile path relative to the context.")
BUILD_ARG_OPTION = typer.Option(None, "--build-arg", metavar="K=V", help="Build argument for both builds (repeatable).")
BEFORE_BUILD_ARG_OPTION = typer.Option(None, "--before-build-arg", metavar="K=V", help="Build argument for BEFORE only.")
AFTER_BUILD_ARG_OPTION = typer.Option(None, "--after-build-arg", metavar="K=V", help="Build argument for AFTER only.")
TARGET_OPTION = typer.Option(None, "--target", help="Build this stage.")
BUILDER_OPTION = typer.Option("buildkit", "--builder",
                              help="buildkit (Docker Engine, default image store) | buildkit-container "
                                   "(docker-container buildx builder, setup-buildx-action, containerd "
                                   "image store: COPY --link is linked) | classic.")
FORMAT_OPTION = typer.Option("tty", "--format", help="tty|json.")
GIT_TREE_OPTION = typer.Option(False, "--git-tree",
                               help="Between two revisions, compare the git trees alone (a build from a "
                                    "git URL). Default: two checkouts, whose .git differs unless "
                                    ".dockerignore excludes it.")
TIMINGS_OPTION = typer.Option(None, "--timings", metavar="FILE",
                              help="Step durations from a `docker buildx build --progress=rawjson` log "
                                   "(stderr) of the BEFORE build; default: what `cache verify` last "
                                   "measured for this Dockerfile, if anything.")


class CacheUsageError(Exception):
    """Bad command-line input: one line for the user (exit 2)."""


def parse_build_args(values: list[str] | None, option: str) -> dict[str, str]:
    """`K=V` values of a --build-arg style option (a bare `K` takes K from the environment,
    as `docker build` does; unset, it is left out)."""
    import os

    out: dict[str, str] = {}
    for value in values or []:
        key, eq, val = value.partition("=")
        if not key or key != key.strip() or " " in key:
            raise CacheUsageError(f"{option} {value!r}: expected KEY=VALUE")
        if eq:
            out[key] = val
        elif key in os.environ:
            out[key] = os.environ[key]
    return out


def resolve_contexts(before: str | None, after: str | None, cwd: str | None = None, *,
                     git_tree: bool = False):
    """(BEFORE, AFTER) snapshots. Each is a folder, a git revision (`HEAD`, `main~2`), or a
    folder of a revision written `REV:PATH` (PATH from the repository root, as git reads
    it; `REV:./PATH` from the current folder). A bare revision's context is the folder of
    the other side when that one is a folder of the repository (`HEAD services/api`),
    else the current folder's path. Defaults: BEFORE = HEAD, AFTER = the working tree (the
    current folder). When one side is a revision, a folder side leaves its .git out (git
    does not record it).

    Two revisions are two checkouts (`docker build .` in each): the context at the
    repository root then has a `.git` folder that differs between any two commits, unless
    .dockerignore excludes it. `git_tree`: the git trees alone (a build from a git URL,
    which sends no `.git`)."""
    import os
    import posixpath

    from dlint.cache.context import ContextError, DirectorySnapshot, GitSnapshot, git_toplevel

    cwd = cwd or os.getcwd()
    before = "HEAD" if before is None else before
    after = "." if after is None else after

    def kind(arg: str) -> str:
        return "dir" if os.path.isdir(os.path.join(cwd, arg)) else "rev"

    kinds = (kind(before), kind(after))
    repo = None
    if "rev" in kinds:
        import shutil

        if shutil.which("git") is None:  # e.g. in dlint's container image
            bad = before if kinds[0] == "rev" else after
            raise CacheUsageError(f"{bad!r} is not a folder, and git is not installed (needed to read it as a "
                                  "revision): compare two folders instead")
        repo = git_toplevel(cwd)
        if repo is None:
            bad = before if kinds[0] == "rev" else after
            raise CacheUsageError(f"{bad!r} is not a folder, and {cwd} is not in a git repository "
                                  "(so it cannot be a revision)")

    def folder_prefix(arg: str) -> str | None:
        """The path of folder `arg` inside the repository, None when it lies outside."""
        found = git_toplevel(os.path.join(cwd, arg))
        if found is None or os.path.realpath(found[0]) != os.path.realpath(repo[0]):
            return None
        return found[1]

    def rev_and_prefix(arg: str, other: str, other_kind: str) -> tuple[str, str]:
        root, cwd_prefix = repo
        rev, colon, path = arg.partition(":")
        if colon and rev:
            if path.startswith(("./", "../")) or path in (".", ".."):
                path = posixpath.normpath(posixpath.join(cwd_prefix, path))
            path = posixpath.normpath(path.strip("/")) if path.strip("/") else ""
            if path.startswith(".."):
                raise CacheUsageError(f"{arg!r}: the path leaves the repository")
            return rev, "" if path == "." else path
        if other_kind == "dir":
            prefix = folder_prefix(other)
            if prefix is not None:
                return arg, prefix
        return arg, cwd_prefix

    def snapshot(arg: str, arg_kind: str, other: str, other_kind: str):
        try:
            if arg_kind == "dir":
                return DirectorySnapshot(os.path.join(cwd, arg), skip_git_dir="rev" in kinds)
            rev, prefix = rev_and_prefix(arg, other, other_kind)
            return GitSnapshot(repo[0], rev, prefix, checkout_git=kinds == ("rev", "rev") and not git_tree,
                               missing_ok=True)
        except ContextError as exc:
            raise CacheUsageError(str(exc)) from None

    sides = (snapshot(before, kinds[0], after, kinds[1]), snapshot(after, kinds[1], before, kinds[0]))
    # A context folder one revision lacks is empty there (a Dockerfile that only one side
    # has), when the other side is the same folder; else (on neither side, or another
    # folder: a typo) it is a mistake.
    for side, other, other_arg, other_kind in ((sides[0], sides[1], after, kinds[1]),
                                               (sides[1], sides[0], before, kinds[0])):
        if getattr(side, "missing", None):
            same = folder_prefix(other_arg) if other_kind == "dir" else getattr(other, "prefix", None)
            if getattr(other, "missing", None) or same != side.prefix:
                raise CacheUsageError(side.missing)
    return sides


# --------------------------------------------------------------------------- verify


class _BuildProgress:
    """Progress while verifying: on a terminal a rich line (which build, which step, time
    elapsed), plain lines otherwise (CI logs); stderr either way, so stdout holds only the
    result."""

    PHASES = {"PREPARE": "making run-specific copies of the base images",
              "BEFORE": "building BEFORE (build 1/2)", "AFTER": "building AFTER (build 2/2)",
              "CLEANUP": "removing what this run made"}

    def __init__(self) -> None:
        import sys

        self._tty = sys.stderr.isatty()
        self._bar = None
        self._task = None
        self._side = ""
        self._started = 0.0
        self._counts = [0, 0]  # steps done, of which cached
        self._shown: set[str] = set()

    def __enter__(self) -> "_BuildProgress":
        if self._tty:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish_phase()
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def _line(self, text: str) -> None:
        from dlint.cli.output import write
        import sys

        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            write(text + "\n", sys.stderr)

    def _finish_phase(self) -> None:
        import time

        if self._side in ("BEFORE", "AFTER"):
            done, cached = self._counts
            self._line(f"{self._side} built in {time.monotonic() - self._started:.1f} s "
                       f"({done} steps, {cached} cached)")
        self._side = ""

    def __call__(self, phase) -> None:
        import time

        event = phase.event
        if phase.side == "WAIT":
            self._line(str(event) + " ...")
            return
        if event is None:  # a phase starts
            self._finish_phase()
            self._side, self._started, self._counts, self._shown = phase.side, time.monotonic(), [0, 0], set()
            title = self.PHASES.get(phase.side, phase.side)
            self._line(f"{title} ...")
            if self._bar is not None:
                if self._task is not None:
                    self._bar.remove_task(self._task)
                self._task = self._bar.add_task(title, total=None)
            return
        if not event.name or event.state not in ("cached", "done", "error", "started"):
            return
        name = " ".join(event.name.split())
        if self._bar is not None and self._task is not None:
            build = {"BEFORE": "1/2", "AFTER": "2/2"}.get(self._side, "")
            self._bar.update(self._task, description=f"build {build} {self._side}: {name[:70]}")
        if event.state != "started" and name not in self._shown:
            self._shown.add(name)
            import re

            # a Dockerfile step, not [internal] nor the merge of a linked copy ("[2/5] LINK COPY ...")
            if re.match(r"^(\[[^\]]*\d+/\d+\]|Step \d+/\d+ )", name) and not re.match(r"^\[[^\]]*\] LINK ", name):
                self._counts[0] += 1
                self._counts[1] += event.state == "cached"
            self._line(f"  {self._side} {name[:90]}: {'CACHED' if event.state == 'cached' else event.state}")


@app.command()
def verify(
    before: Optional[str] = typer.Argument(None, metavar="[BEFORE]", help="Build context folder or git revision (default: HEAD)."),
    after: Optional[str] = typer.Argument(None, metavar="[AFTER]", help="Build context folder or git revision (default: the current folder)."),
    file: str = FILE_OPTION,
    build_arg: List[str] = BUILD_ARG_OPTION,
    before_build_arg: List[str] = BEFORE_BUILD_ARG_OPTION,
    after_build_arg: List[str] = AFTER_BUILD_ARG_OPTION,
    target: Optional[str] = TARGET_OPTION,
    builder: str = BUILDER_OPTION,
    format: str = FORMAT_OPTION,
    prune_cache: bool = typer.Option(False, "--prune-cache",
                                     help="DESTRUCTIVE: empty the engine's whole build cache first and build "
                                          "the Dockerfiles as they are (the old behaviour), instead of isolating "
                                          "the run. Asks first on a terminal."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --prune-cache: do not ask."),
    git_tree: bool = GIT_TREE_OPTION,
) -> None:
    """Build BEFORE then AFTER on a real Docker engine and compare dlint's prediction with the
    cached/rebuilt status the builder reports, step by step.

    Uses DOCKER_HOST (or the current docker context, or the default socket). The user's
    build cache and images are left as they were: the builds start from run-specific
    copies of their base images (same files, new layer chain), so they can hit nothing
    but their own records, and the cache holds exactly the BEFORE build when AFTER runs.
    Builds run with --network=none and the label dlint.verify=<run id>. Afterwards the run
    removes what it made, and only that: its images, the copies of the bases, and the
    BuildKit cache records its builds created.

    Exit 0 when every step agrees, 1 on any disagreement, 2 when no engine is reachable,
    a build fails, or the input is bad."""
    from dlint.cli.output import error, write

    try:  # the same argument handling as `cache diff`
        _check_choices(builder, format)
        common = parse_build_args(build_arg, "--build-arg")
        before_args = parse_build_args(before_build_arg, "--before-build-arg")
        after_args = parse_build_args(after_build_arg, "--after-build-arg")
        before_snap, after_snap = _diff_contexts(before, after, git_tree)
        dockerfile = _dockerfile_in_context(file, after_snap)
    except CacheUsageError as exc:
        error(str(exc))
        raise typer.Exit(2)
    raise typer.Exit(_run_verify(before_snap, after_snap, file=dockerfile, build_args=common,
                                 before_build_args=before_args, after_build_args=after_args,
                                 target=target, builder=builder, format=format,
                                 prune_cache=prune_cache, yes=yes))


def _confirm_prune(docker_host: str) -> bool:
    """--prune-cache on a terminal: ask. Off a terminal the option itself is the consent."""
    import sys

    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return True
    sys.stderr.write(f"--prune-cache empties the WHOLE build cache of the engine at {docker_host} "
                     "(every build's cache, not only dlint's). Continue? [y/N] ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except (KeyboardInterrupt, EOFError):
        return False
    return answer.strip().lower() in ("y", "yes")


def _run_verify(before_snap, after_snap, *, file, build_args, before_build_args, after_build_args,
                target, builder, format, prune_cache=False, yes=False) -> int:
    import json
    import sys

    from dlint.cache.engine import Engine, EngineError
    from dlint.cache.verify import BUILDER_DESCRIPTIONS, VerifyError, engine_note, render_text, verify as run
    from dlint.cli.output import error, write

    engine = Engine()
    try:
        version = engine.engine_version()
    except EngineError as exc:
        error(str(exc))
        return 2
    if prune_cache and not yes and not _confirm_prune(engine.docker_host):
        error("not confirmed: nothing was built or pruned (without --prune-cache the run leaves "
              "the engine's cache as it is)")
        engine.close()
        return 2
    how = ("pruning the engine's whole build cache (--prune-cache)" if prune_cache else
           "isolated from the engine's cache (run-specific copies of the base images)")
    header = [f"Docker Engine {version} at {engine.docker_host}; builder: {BUILDER_DESCRIPTIONS[builder]}",
              f"building BEFORE and AFTER (--network=none), {how}"]
    note = engine_note(version)
    if note:
        header.append(f"note: {note}")
    write("".join(line + "\n" for line in header), sys.stdout if format == "tty" else sys.stderr)
    try:
        with _BuildProgress() as progress:
            result = run(before_snap, after_snap, engine=engine, builder=builder, dockerfile=file,
                         build_args=build_args, before_build_args=before_build_args,
                         after_build_args=after_build_args, target=target, progress=progress,
                         prune_cache=prune_cache, save_timings=True)
    except (VerifyError, EngineError) as exc:
        error(str(exc))
        return 2
    except KeyboardInterrupt:
        error("interrupted (the images of this run were removed)")
        return 130
    finally:
        engine.close()
    if format == "json":
        write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        write("\n" + render_text(result))
    return result.exit_code()


# --------------------------------------------------------------------------- diff / explain


def _diff_contexts(before: str | None, after: str | None, git_tree: bool = False):
    """resolve_contexts, plus one convenience: a single argument that is a folder inside a
    git work tree is the context, compared with its own HEAD (`dlint cache diff path/to/repo`)."""
    import os

    from dlint.cache.context import git_toplevel

    if before is not None and after is None and os.path.isdir(before) and git_toplevel(before) is not None:
        return resolve_contexts("HEAD", ".", cwd=os.path.abspath(before), git_tree=git_tree)
    return resolve_contexts(before, after, git_tree=git_tree)


def _compose_service(name: str):
    """The build section of one service of the compose file in the current folder."""
    import os

    from dlint.lint.compose import ComposeError, find_compose_file, read_compose

    path = find_compose_file(os.getcwd())
    if path is None:
        raise CacheUsageError("--service: no compose.yaml (or docker-compose.yml) in the current folder")
    try:
        builds = read_compose(path)
    except ComposeError as exc:
        raise CacheUsageError(str(exc)) from None
    for build in builds:
        if build.service == name:
            return build
    names = ", ".join(b.service for b in builds) or "none"
    raise CacheUsageError(f"--service: no service {name!r} with a local build in {os.path.basename(path)} "
                          f"(services that build: {names})")


def _dockerfile_in_context(file: str, snapshot) -> str:
    """-f as a path inside the context: an absolute path must lie in a context folder."""
    import os

    if not os.path.isabs(file):
        return file
    root = getattr(snapshot, "root", None)
    if root is None and getattr(snapshot, "repo", None):   # a revision: its folder in the checkout
        root = os.path.join(snapshot.repo, snapshot.prefix)
    if root is not None:
        rel = os.path.relpath(file, os.path.abspath(root))
        if not rel.startswith(".."):
            return rel
    raise CacheUsageError(f"Dockerfile {file!r} is outside the build context")


def _check_choices(builder: str, format: str) -> None:
    if builder not in BUILDER_CHOICES:
        raise CacheUsageError(f"--builder {builder!r} is not one of {', '.join(BUILDER_CHOICES)}")
    if format not in CACHE_FORMATS:
        raise CacheUsageError(f"--format {format!r} is not one of {', '.join(CACHE_FORMATS)}")


def _console():
    """A rich console on a terminal (colour), None for plain text."""
    from dlint.cli.output import use_color

    if not use_color():
        return None
    from rich.console import Console

    return Console(highlight=False)


def render_diff(prediction, document) -> list[tuple[str, str]]:
    """(style, text) lines: the AFTER Dockerfile, each step marked, causes under rebuilds."""
    lines: list[tuple[str, str]] = []
    by_line = {s.line: s for s in prediction.steps}
    width = len(str(len(document.lines)))
    for ins in document.instructions:
        step = by_line.get(ins.start_line)
        source = ins.source_lines or [ins.original]
        if step is None:
            mark, style = "skipped", "dim"      # a stage this builder does not process
        elif step.cached is None:
            mark, style = "-", "dim"
        elif step.cached:
            mark, style = "cached", "green"
        elif not step.certain:
            mark, style = "REBUILT?", "bold yellow"
        else:
            mark, style = "REBUILT", "bold red"
        first = source[0] + (" ..." if len(source) > 1 else "")
        if step is not None and step.cached is False and step.seconds is not None:
            from dlint.cache.timings import format_seconds

            first += f"   [{format_seconds(step.seconds)}]"
        lines.append((style, f"{ins.start_line:>{width}}  {mark:<8} {first}"))
        if step is not None and step.cached is False and step.reason:
            lines.append(("yellow", f"{'':>{width}}  {'':<8}   ^ {step.reason}"))
        elif step is not None and step.cached and step.reason:   # a linked copy that stays cached
            lines.append(("green", f"{'':>{width}}  {'':<8}   = {step.reason}"))
        if step is not None and step.cached is False and not step.certain and step.condition:
            lines.append(("yellow", f"{'':>{width}}  {'':<8}   ? {step.condition}"))
    lines.append(("bold", f"{prediction.summary()} ({prediction.builder} builder)"))
    if prediction.timings_source:
        lines.append(("dim", f"durations from {prediction.timings_source}"))
    return lines


def _emit(lines: list[tuple[str, str]]) -> None:
    from dlint.cli.output import write

    console = _console()
    if console is None:
        write("".join(text + "\n" for _, text in lines))
        return
    from rich.text import Text

    for style, text in lines:
        console.print(Text(text, style=style))


@app.command()
def diff(
    before: Optional[str] = typer.Argument(None, metavar="[BEFORE]", help="Build context folder or git revision (default: HEAD)."),
    after: Optional[str] = typer.Argument(None, metavar="[AFTER]", help="Build context folder or git revision (default: the working tree)."),
    file: str = FILE_OPTION,
    build_arg: List[str] = BUILD_ARG_OPTION,
    before_build_arg: List[str] = BEFORE_BUILD_ARG_OPTION,
    after_build_arg: List[str] = AFTER_BUILD_ARG_OPTION,
    target: Optional[str] = TARGET_OPTION,
    builder: str = BUILDER_OPTION,
    format: str = FORMAT_OPTION,
    timings: Optional[str] = TIMINGS_OPTION,
    service: Optional[str] = typer.Option(None, "--service", help="Take the context, Dockerfile, build args and target from this service of the compose file in the current folder."),
    git_tree: bool = GIT_TREE_OPTION,
    fail_on_rerun: List[str] = typer.Option(None, "--fail-on-rerun", metavar="PATTERN",
                                            help="Exit 1 when a step whose instruction matches this glob "
                                                 "(e.g. 'RUN pip install*') surely reruns (repeatable). Not "
                                                 "applied to a first build (BEFORE has no such Dockerfile or "
                                                 "target: no cache to lose) nor a removed one."),
    max_rerun_seconds: Optional[float] = typer.Option(
        None, "--max-rerun-seconds", metavar="N",
        help="Exit 1 when the steps that surely rerun take more than N seconds in total, by their "
             "known durations (--timings, or what `cache verify` measured); a rerun step without a "
             "known duration counts 0 s (said on stderr); no duration known at all: exit 2, but "
             "not applied (exit 0, said on stderr) when the --timings build was fully cached, nor "
             "to a first build."),
) -> None:
    """Predict which build steps the edit from BEFORE to AFTER reruns, and why, and what it
    costs when step durations are known (--timings, or an earlier `cache verify`).

    Exit 0, or 1 when --fail-on-rerun names a step that surely reruns, or when the steps
    that surely rerun take more than --max-rerun-seconds (one line each on stderr; under
    GitHub Actions an error annotation on the Dockerfile line and a line in the step
    summary); 2 on bad input, or --max-rerun-seconds without any known step duration. A first build (BEFORE has no such Dockerfile or target stage) or a
    removed one applies no gate: exit 0 and one line on stderr. A --timings log of a build
    the cache served whole times nothing: a warning, durations unknown, and
    --max-rerun-seconds is not applied.

    Assumes the builder's cache holds exactly the BEFORE build and the base images are
    unchanged unless a FROM line changes. With no arguments inside a git repository:
    HEAD against the working tree, the current folder being the context."""
    import json
    import os

    from dlint.cache.predict import PredictError, dockerfile_path, load_dockerfile, predict
    from dlint.cache.timings import TimingsError
    from dlint.cli.output import error, write

    try:
        _check_choices(builder, format)
        if max_rerun_seconds is not None and not max_rerun_seconds >= 0:
            raise CacheUsageError(f"--max-rerun-seconds {max_rerun_seconds:g}: expected a number of seconds >= 0")
        common = parse_build_args(build_arg, "--build-arg")
        before_args = parse_build_args(before_build_arg, "--before-build-arg")
        after_args = parse_build_args(after_build_arg, "--after-build-arg")
        if service is not None:  # BEFORE/AFTER are then taken in the service's context
            build = _compose_service(service)
            common = {**build.args, **common}
            target = target if target is not None else build.target
            file = build.dockerfile   # absolute; a revision's snapshot has no folder to place it in
            rel = os.path.relpath(file, build.context)
            if not rel.startswith(".."):
                file = rel.replace(os.sep, "/")
            before_snap, after_snap = resolve_contexts(before, after, cwd=build.context, git_tree=git_tree)
        else:
            before_snap, after_snap = _diff_contexts(before, after, git_tree)
        dockerfile = _dockerfile_in_context(file, after_snap)
        prediction = predict(before_snap, after_snap, dockerfile=dockerfile, build_args=common,
                             before_build_args=before_args, after_build_args=after_args,
                             target=target, builder=builder)
        gates = [name for name, given in (("--fail-on-rerun", bool(fail_on_rerun)),
                                          ("--max-rerun-seconds", max_rerun_seconds is not None)) if given]
        side = before_snap if prediction.first_build else after_snap
        what = f"{dockerfile} stage {target!r}" if (prediction.first_build or prediction.note) and \
            side.has_file(dockerfile_path(dockerfile)) else dockerfile   # the stage, or the whole file
        timings_warning = ""
        if prediction.note:   # AFTER builds nothing (its Dockerfile or target stage is gone)
            after_doc = None
            gates_off = f"AFTER has no build of {what} (nothing to build)"
        else:
            after_doc = load_dockerfile(after_snap, dockerfile)
            prediction, timings_warning = _with_timings(prediction, after_doc, timings, before_snap, after_snap,
                                                        dockerfile, builder, target)
            if timings_warning:
                _warn(timings_warning)
            gates_off = f"BEFORE has no build of {what} (a first build: no cache to lose)" \
                if prediction.first_build else ""
        unmeasured = ""   # why --max-rerun-seconds cannot measure the reruns, when it is not an error
        if max_rerun_seconds is not None and prediction.definite_reruns and not prediction.timed \
                and not gates_off:
            if timings_warning:   # the --timings build was fully cached: it times nothing
                unmeasured = (f"no step duration is known (the build in {timings} was fully cached; "
                              f"{len(prediction.definite_reruns)} steps rerun)")
            elif timings:
                raise CacheUsageError(
                    f"--max-rerun-seconds: the build in {timings} times none of the "
                    f"{len(prediction.definite_reruns)} steps of {dockerfile} that rerun (the log of another "
                    "Dockerfile or target?)")
            else:
                raise CacheUsageError(
                    f"--max-rerun-seconds: no step duration is known for {dockerfile} "
                    f"({len(prediction.definite_reruns)} steps rerun): pass --timings FILE (the stderr of "
                    "`docker buildx build --progress=rawjson` of the BEFORE build) or run `dlint cache verify` "
                    "once")
    except (CacheUsageError, PredictError, TimingsError) as exc:
        error(str(exc))
        raise typer.Exit(2)
    if format == "json":
        write(json.dumps(prediction.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif after_doc is None:
        _emit([("bold", prediction.note)])
    else:
        _emit(render_diff(prediction, after_doc))
    if gates and gates_off:
        # A first build has no cache to lose, a removed one nothing to build: no gate applies.
        _report_gates_off(f"{', '.join(gates)} not applied: {gates_off}")
        return
    gated = gate_reruns(prediction, fail_on_rerun or [])
    entries = [(f"dlint cache diff: {pattern}", step.line, line)
               for (pattern, step), line in zip(gated, _pattern_lines(gated))]
    summary = f"{len(gated)} gated step(s) rerun" if gated else ""
    if max_rerun_seconds is not None and unmeasured:
        _warn_line(f"dlint cache diff: --max-rerun-seconds not applied: {unmeasured}")
    elif max_rerun_seconds is not None:
        over, lines = gate_seconds(prediction, max_rerun_seconds)
        if over:
            costliest = max(prediction.definite_reruns, key=lambda s: s.seconds or 0.0)
            entries.append((f"dlint cache diff: --max-rerun-seconds {max_rerun_seconds:g}", costliest.line, lines[0]))
            entries.extend((None, None, line) for line in lines[1:])
            summary = (summary + "; " if summary else "") + "reruns over the time budget"
        else:
            _warn_line("".join(line + "\n" for line in lines).rstrip("\n"))
    if entries:
        _report_gate(entries, after_snap, dockerfile, summary)
        raise typer.Exit(1)


def _warn(message: str) -> None:
    """One line on stderr: "dlint: warning: <message>"."""
    _warn_line(f"dlint: warning: {' '.join(message.split())}")


def _warn_line(text: str) -> None:
    import sys

    from dlint.cli.output import write

    if text:
        write(text + "\n", sys.stderr)


def _report_gates_off(text: str) -> None:
    """The one line that says why no gate applies: on stderr, and under GitHub Actions the
    same line in the step summary (no annotation: nothing failed)."""
    import os

    _warn_line(f"dlint cache diff: {text}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and os.environ.get("GITHUB_ACTIONS") == "true":
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(f"**dlint cache diff**: {text}\n\n")
        except OSError:
            pass


def instruction_text(text: str) -> str:
    """An instruction as one line, for --fail-on-rerun globs: line continuations joined,
    whitespace runs as one space, the keyword upper-cased."""
    import re

    joined = " ".join(re.sub(r"\\\s*\n", " ", text).split())
    keyword, _, rest = joined.partition(" ")
    return f"{keyword.upper()} {rest}".rstrip()


def gate_reruns(prediction, patterns: list[str]) -> list[tuple[str, object]]:
    """(pattern, step) for each step that surely reruns and whose instruction matches a
    --fail-on-rerun glob (case-sensitive, the keyword upper-cased; `*` spans spaces).
    Steps that only may rerun (REBUILT?) do not trip the gate: a wrong failure costs more."""
    from fnmatch import fnmatchcase

    out = []
    for step in prediction.definite_reruns:
        text = instruction_text(step.text)
        for pattern in patterns:
            if fnmatchcase(text, pattern) or fnmatchcase(text, instruction_text(pattern)):
                out.append((pattern, step))
                break
    return out


def _pattern_lines(gated) -> list[str]:
    return [f"--fail-on-rerun {pattern!r}: line {step.line} reruns ({step.reason}): "
            f"{instruction_text(step.text)[:100]}" for pattern, step in gated]


def gate_seconds(prediction, budget: float) -> tuple[bool, list[str]]:
    """(over the budget, lines for stderr) for --max-rerun-seconds: the known durations of
    the steps that surely rerun, summed. A rerun step without a known duration counts 0 s,
    and the lines say how many there are (a step cached in the timed build has no cost on
    record). Steps that only may rerun (REBUILT?) do not count, as for --fail-on-rerun."""
    from dlint.cache.timings import format_seconds

    reruns = prediction.definite_reruns
    total = sum(s.seconds or 0.0 for s in reruns)
    unknown = [s for s in reruns if s.seconds is None]
    over = total > budget
    verdict = "over" if over else "within"
    steps = "the step that reruns takes" if len(reruns) == 1 else f"the {len(reruns)} steps that rerun take"
    first = f"--max-rerun-seconds {budget:g}: {steps} {format_seconds(total)} by their known durations, {verdict} the budget"
    if unknown:
        first += (f" ({len(unknown)} of them without a known duration, counted as 0 s: lines "
                  f"{', '.join(str(s.line) for s in unknown)})")
    lines = [first]
    if over:
        timed = sorted((s for s in reruns if s.seconds), key=lambda s: -(s.seconds or 0.0))
        lines += [f"  line {s.line} ({format_seconds(s.seconds or 0.0)}): {instruction_text(s.text)[:100]}"
                  for s in timed[:5]]
    elif not unknown:
        lines = []   # within the budget, nothing to say
    return over, lines


def _report_gate(entries, after_snap, dockerfile: str, summary_text: str) -> None:
    """Each entry (title, line, text) as one line on stderr; under GitHub Actions an error
    annotation on the Dockerfile line for those with a title, and the lines in the job's
    step summary."""
    import os
    import sys

    from dlint.cli.output import write
    from dlint.report.github import escape_data, escape_property

    lines = [text for _, _, text in entries]
    write("".join(line + "\n" for line in lines), sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    root = getattr(after_snap, "root", None)
    if root is None:
        root = os.path.join(getattr(after_snap, "repo", "."), getattr(after_snap, "prefix", "") or "")
    path = os.path.relpath(os.path.join(str(root), dockerfile)).replace(os.sep, "/")
    # on stderr, like the lines above: stdout keeps only the report (JSON stays JSON); the
    # Actions runner reads workflow commands from both streams
    for title, line_no, text in entries:
        if title is not None:
            write(f"::error file={escape_property(path)},line={line_no},"
                  f"title={escape_property(title)}::{escape_data(text)}\n", sys.stderr)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(f"**dlint cache diff**: {summary_text} in {path}\n\n"
                         + "".join(f"- {line}\n" for line in lines))
        except OSError:
            pass


def _with_timings(prediction, after_doc, timings_file, before_snap, after_snap, dockerfile, builder, target):
    """(the prediction with step durations, a warning line or ""): durations from --timings
    (a log of the BEFORE build; a fully cached one times nothing, which the warning says),
    else from what `cache verify` stored for the AFTER Dockerfile."""
    from dlint.cache import timings as t

    if timings_file and prediction.first_build:
        found = None  # BEFORE had no such Dockerfile or target: no log of its build can apply
    elif timings_file:
        found = t.read_timings_file(timings_file, _dockerfile_text(before_snap, dockerfile), target)
    else:
        found = t.load(t.dockerfile_key(after_snap, dockerfile), builder)
    return t.apply(prediction, after_doc, found), getattr(found, "warning", "")


def _dockerfile_text(snapshot, dockerfile: str, which: str = "the BEFORE Dockerfile") -> str:
    from dlint.cache.predict import dockerfile_path
    from dlint.syntax import decode_source

    try:
        return decode_source(snapshot.read(dockerfile_path(dockerfile)))
    except Exception as exc:  # ContextError / NotText: load_dockerfile already said it clearly
        raise CacheUsageError(f"cannot read {which}: {exc}") from None


@app.command()
def explain(
    context: str = typer.Argument(".", metavar="[CONTEXT]", help="Build context folder (default: the current folder)."),
    file: str = FILE_OPTION,
    build_arg: List[str] = typer.Option(None, "--build-arg", metavar="K=V", help="Build argument (repeatable)."),
    target: Optional[str] = TARGET_OPTION,
    builder: str = BUILDER_OPTION,
    format: str = FORMAT_OPTION,
    timings: Optional[str] = typer.Option(None, "--timings", metavar="FILE",
                                          help="Step durations from a `docker buildx build --progress=rawjson` "
                                               "log of this Dockerfile; default: what `cache verify` last "
                                               "measured for it, if anything."),
    git_tree: bool = typer.Option(False, "--git-tree",
                                  help="Leave the context's .git out, as a build from a git URL does. "
                                       "Default: a checkout's build, which sends .git unless "
                                       ".dockerignore excludes it."),
) -> None:
    """Which context paths each step depends on, and which files and folders cost the most
    to edit (how long the steps an edit to them reruns take, when durations are known;
    else how many steps)."""
    import json

    from dlint.cache import timings as t
    from dlint.cache.context import ContextError, DirectorySnapshot
    from dlint.cache.predict import PredictError, explain as run_explain
    from dlint.cli.output import error, write

    try:
        _check_choices(builder, format)
        args = parse_build_args(build_arg, "--build-arg")
        snapshot = DirectorySnapshot(context, skip_git_dir=git_tree)
        dockerfile = _dockerfile_in_context(file, snapshot)
        if timings:
            found = t.read_timings_file(timings, _dockerfile_text(snapshot, dockerfile, "the Dockerfile"), target)
            if found.warning:
                _warn(found.warning)
        else:
            found = t.load(t.dockerfile_key(snapshot, dockerfile), builder)
        data = run_explain(snapshot, dockerfile=dockerfile, build_args=args, target=target, builder=builder,
                           timings=found)
    except (CacheUsageError, PredictError, ContextError, t.TimingsError) as exc:
        error(str(exc))
        raise typer.Exit(2)
    if format == "json":
        write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    lines: list[tuple[str, str]] = [("bold", f"Steps and the context paths they read ({builder} builder):")]
    for step in data["steps"]:
        reads = [*step["paths"], *(f"{r['path']} from stage {r['stage']}" for r in step["from_stages"])]
        shown = ", ".join(reads[:6]) + (f", ... ({len(reads)} paths)" if len(reads) > 6 else "")
        lines.append(("", f"  line {step['line']:>3}  {step['text'][:60]}" + (f"  <- {shown}" if reads else "")))
    lines.append(("bold", "Cost of an edit:"))
    missing = [(step["line"], src) for step in data["steps"] for src in step.get("missing", ())]
    for line, src in missing:
        if any(c in src for c in "*?["):
            lines.append(("yellow", f"  line {line}: source {src} matches nothing in the build context"))
        else:
            lines.append(("yellow", f"  line {line}: source {src} is not in the build context (missing, "
                                    "or excluded by .dockerignore): the build would fail"))
    if not data["ranking"] and not missing:
        lines.append(("dim", "  no step reads the build context"))
    for row in data["ranking"]:
        where = f"under {row['path']}" if row["kind"] == "folder" else f"to {row['path']}"
        including = f", including `{row['including']}`" if row["including"] else ""
        style = "red" if row["rerun"] * 2 > row["steps"] else ""
        cost = f" ({t.format_seconds(row['seconds'])})" if "seconds" in row else ""
        lines.append((style, f"  an edit {where} reruns {row['rerun']} of {row['steps']} steps{cost}{including}"))
        if row["path"] == ".git/":
            from dlint.cache.keys import GIT_DIR_CHANGED

            lines.append(("yellow", f"    {GIT_DIR_CHANGED}"))
    if data.get("timings"):
        lines.append(("dim", f"durations from {data['timings']}"))
    _emit(lines)
