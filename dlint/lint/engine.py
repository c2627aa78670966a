"""The lint engine: files -> documents -> rules -> findings. It knows no rule by name.

Each file is read and parsed once and gets one LintContext, shared by every rule. Rules
run in code order; a rule without ``checks_broken_files`` skips a file whose document has
syntax errors. A rule that raises is reported as one line (``LintRun.errors``, exit 2),
never a traceback, and the other rules still run. Then suppression pragmas, severity
overrides and Docker's `# check=` directive (for rules marked ``build_check``, see
dlint.lint.buildcheck) apply, and findings are sorted by (file, line, column, code).
Rules that read the pragmas themselves (``reads_pragmas``: unknown codes, pragmas that
suppressed nothing) run last, on files with pragmas, once the other findings went through
the pragmas and each pragma item knows whether it suppressed something (ctx.pragmas).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from dlint._io import NotRegularFile, read_source
from dlint._regex import LazyPattern
from dlint._record import Record
from dlint.lint.buildcheck import find_build_check_config
from dlint.lint.config import Config, ConfigError, ConfigFinder, RuleSet, resolve_rules
from dlint.lint.context import LintContext
from dlint.lint.finding import Finding, severity_rank
from dlint.lint.registry import Registry, default_registry
from dlint.lint.suppress import Pragma, Pragmas, find_pragmas, suppressions_of
from dlint.model import MAX_MODELLED_INSTRUCTIONS
from dlint.syntax.nodes import Document

STDIN = "-"
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".direnv", ".eggs",
})


# Discovery only (an explicit path is always linted): a Dockerfile-like name with one of
# these last suffixes is a script, doc or data file about a Dockerfile, not a Dockerfile.
NOT_DOCKERFILE_SUFFIXES = frozenset({
    ".py", ".md", ".rst", ".txt", ".json", ".yml", ".yaml", ".toml", ".sh", ".dockerignore",
})
# "Dockerfile"/"Containerfile" as the last name component after a separator run (_ - . +),
# optionally with dotted suffixes: flat names like "owner+repo__path__Dockerfile.0" or
# "build-Dockerfile", as in ../shared/corpus and generated/vendored trees.
_FLAT_DOCKERFILE_RE = LazyPattern(r"(?:^|[-_.+])(?:Dockerfile|Containerfile)(?:\.[^.]+)*\Z")


def is_dockerfile_name(name: str) -> bool:
    """Whether directory discovery lints a file of this name.

    Dockerfile, dockerfile (the docker CLI's fallback name), Dockerfile.*, Dockerfile-*,
    *.Dockerfile, *.dockerfile, Containerfile, Containerfile.*, Containerfile-*, and
    flat names ending in a separator (``_ - . +``) then Dockerfile/Containerfile, optionally
    with ``.suffix`` parts (``a__b__Dockerfile``, ``app-Dockerfile.prod``). Not when the last
    suffix is in NOT_DOCKERFILE_SUFFIXES (``Dockerfile.py``, ``x_Dockerfile.md``,
    ``Dockerfile.dockerignore``: BuildKit's per-file ignore)."""
    dot = name.rfind(".")
    if dot > 0 and name[dot:].lower() in NOT_DOCKERFILE_SUFFIXES:
        return False
    return (
        name in ("Dockerfile", "Containerfile", "dockerfile")
        or name.startswith(("Dockerfile.", "Containerfile.", "Dockerfile-", "Containerfile-"))
        or name.endswith((".Dockerfile", ".dockerfile"))
        or _FLAT_DOCKERFILE_RE.search(name) is not None
    )


class LintRun(Record):
    """The outcome of linting some paths."""

    _fields = ("findings", "files", "sources", "errors", "failing", "paths")

    def __init__(self, findings: list[Finding] | None = None, files: list[str] | None = None,
                 sources: dict[str, list[str]] | None = None, errors: list[str] | None = None,
                 failing: bool = False, paths: dict[str, str] | None = None):
        self.findings = [] if findings is None else findings
        self.files = [] if files is None else files              # displayed paths, in order
        self.sources = {} if sources is None else sources        # displayed path -> lines
        self.errors = [] if errors is None else errors           # one line each, no "dlint:" prefix
        self.failing = failing  # some finding at or above its file's severity threshold
        # for --fix: displayed path -> absolute path (files only, not stdin)
        self.paths = {} if paths is None else paths
        # for --fix/--diff: displayed path -> (BOM, decoded text) and -> a function linting
        # a new text of that file with the same rules, config and build context
        self.texts: dict[str, tuple[bytes, str]] = {}
        self.linters: dict[str, Callable[[str], list[Finding]]] = {}
        self.floors: dict[str, int] = {}  # displayed path -> rank of its severity threshold
        self.config_failed = False  # a config file was broken (its files were skipped)
        self.stdin_path: str | None = None  # displayed path of the stdin input, when read
        self.workers = 1  # processes that linted the files (lint_paths' `jobs`)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.failing else 0


def _rule_set(registry: Registry, config: Config | RuleSet | None) -> RuleSet:
    if isinstance(config, RuleSet):
        return config
    return resolve_rules(registry, config or Config())


def lint_document(
    document: Document,
    display_path: str,
    config: Config | RuleSet | None = None,
    *,
    registry: Registry | None = None,
    context_dir: str | None = None,
    errors: list[str] | None = None,
    context_explicit: bool = False,
    dockerfile_path: str | None = None,
    shared: dict | None = None,
    build_args: dict[str, str] | None = None,
) -> list[Finding]:
    """Findings for one parsed document, suppressions and severity overrides applied, sorted.

    A rule that raises adds one line to ``errors`` (or to stderr when no list is given)."""
    rule_set = _rule_set(registry or default_registry(), config)
    ctx = LintContext(document, display_path, context_dir, context_explicit=context_explicit,
                      dockerfile_path=dockerfile_path, shared=shared, build_args=build_args)
    finish_preparing(prepare_context(ctx, rule_set, errors), errors)
    return lint_context(ctx, rule_set, errors)


def _runs(rule, document: Document, present: set[str], flat: list[str | None]) -> bool:
    """Whether a selected rule runs on a document: parsed and not too large (unless it checks
    broken files), holding one of its keywords and naming one of its triggers. ``flat``
    caches the document's trigger_text in its one item."""
    if (document.errors or len(document.instructions) > MAX_MODELLED_INSTRUCTIONS) \
            and not rule.checks_broken_files:
        return False
    keywords = rule.keywords
    if keywords and present.isdisjoint(keywords):
        return False  # nothing in this file the rule reads: its module is not even imported
    triggers = rule.triggers
    if triggers:
        if flat[0] is None:
            flat[0] = trigger_text(document)
        if not any(t in flat[0] for t in triggers):
            return False  # the file never names what the rule is about
    return True


def prepare_context(ctx: LintContext, rule_set: RuleSet, errors: list[str] | None = None) -> list:
    """Call prepare() of the selected rules that have one (see Rule.prepare) and run on this
    file; returns their instances, for finish_preparing."""
    prepared = []
    present: set[str] | None = None
    flat: list[str | None] = [None]
    for selected in rule_set.selected:
        if not selected.prepares:
            continue
        if present is None:
            present = document_keywords(ctx.document)
        if not _runs(selected, ctx.document, present, flat):
            continue
        try:
            rule = selected.instance()
            prepared.append(rule)
            rule.prepare(ctx)
        except Exception as exc:
            _rule_failed(selected, ctx.display_path, exc, errors)
    return prepared


def finish_preparing(rules, errors: list[str] | None = None) -> None:
    """Call prepared() once per rule instance, after every file of a run was prepared."""
    for rule in {id(r): r for r in rules}.values():
        try:
            rule.prepared()
        except Exception as exc:
            _rule_failed(rule, "(all files)", exc, errors)


def lint_context(ctx: LintContext, rule_set: RuleSet, errors: list[str] | None = None) -> list[Finding]:
    """Run the rules of a rule set on one (prepared) file's context; see lint_document."""
    document = ctx.document
    display_path = ctx.display_path
    context_dir = ctx.context_dir
    broken = bool(document.errors)
    too_large = len(document.instructions) > MAX_MODELLED_INSTRUCTIONS
    if too_large:
        message = (f"{display_path}: {len(document.instructions)} instructions, more than the "
                   f"{MAX_MODELLED_INSTRUCTIONS} dlint analyses in one file; only its syntax was checked")
        if errors is None:
            print(f"dlint: error: {message}", file=sys.stderr)
        else:
            errors.append(message)
    findings: list[Finding] = []
    present = document_keywords(document)
    flat: list[str | None] = [None]
    late = []  # the rules that read what the pragmas did: they run after the others
    for rule in rule_set.selected:
        if not _runs(rule, document, present, flat):
            continue
        if rule.reads_pragmas:
            late.append(rule)
            continue
        findings += _selected_findings(rule, _run_rule(rule, ctx, display_path, errors), rule_set)
    if not broken and not too_large:
        if flat[0] is None:
            flat[0] = trigger_text(document)
        findings += _trigger_findings(document, rule_set, display_path, context_dir, errors, flat[0])
    if not too_large:
        for instruction, message in ctx.oversized_expansions():
            message = f"{display_path}:{instruction.start_line}: {message}"
            if errors is None:
                print(f"dlint: error: {message}", file=sys.stderr)
            else:
                errors.append(message)
    honoured = not rule_set.disable_ignore_pragmas
    pragmas = find_pragmas(document) if document.comments and (honoured or late) else []
    suppressions = suppressions_of(pragmas) if honoured and pragmas else None
    if suppressions:
        findings = suppressions.apply(findings, record=bool(late))
    if late and pragmas:
        ctx.pragmas = Pragmas(pragmas, honoured)
        _resolve_pragma_items(pragmas, rule_set)
        # their findings go through the pragmas too, marking the items that suppress them
        # used (`global ignore=DF010` hiding an unknown code is not unused): when that marks
        # an item, they run once more to see it (a rule's error was already told, once)
        for again in (False, True):
            used = [item.used for pragma in pragmas for item in pragma.items]
            after: list[Finding] = []
            for rule in late:
                after += _selected_findings(rule, _run_rule(rule, ctx, display_path, [] if again else errors),
                                            rule_set)
            if suppressions:
                after = suppressions.apply(after, record=True)
            if again or used == [item.used for pragma in pragmas for item in pragma.items]:
                break
        findings += after
    for finding in findings:
        level = rule_set.severity_overrides.get(finding.code)
        if level is not None:
            finding.severity = level
    if findings and document.comments:
        checks = find_build_check_config(document)
        if checks:  # Docker's `# check=skip=...;error=true`, for the rules that are build checks
            build_checks = {s.rule.code: (s.rule.enabled, tuple(s.rule.aliases))
                            for s in rule_set.selected if getattr(s.rule, "build_check", False)}
            findings = checks.apply(findings, build_checks)
    findings.sort(key=Finding.sort_key)
    return findings


def _resolve_pragma_items(pragmas: list[Pragma], rule_set: RuleSet) -> None:
    """Fill in what each pragma item names and whether this run selected it (PragmaItem)."""
    registry = rule_set.registry or default_registry()
    selected = {s.code for s in rule_set.selected}
    enabled: list[str] | None = None
    for pragma in pragmas:
        for item in pragma.items:
            if item.key == "all":
                if enabled is None:
                    enabled = [r.code for r in registry.rules if r.enabled]
                item.rules = tuple(r.code for r in registry.rules)
                item.selected = all(code in selected for code in enabled)
                continue
            owner = registry.subcode_owner(item.text)
            if owner is not None:
                item.rules = (owner.code,)
                item.selected = owner.code in selected and rule_set.allows(owner.code, item.text.upper())
                continue
            rules = registry.resolve(item.text)
            item.rules = tuple(r.code for r in rules)
            item.selected = bool(rules) and all(r.code in selected for r in rules)


def _selected_findings(rule, findings: list[Finding], rule_set: RuleSet) -> list[Finding]:
    """A rule's findings under codes of its own (its `subcodes`: SC2086) kept only when that
    code is selected, with the severity configured for the code, else for the rule."""
    if not rule_set.subcode_filters and not rule_set.severity_overrides:
        return findings
    out = []
    for finding in findings:
        if finding.code != rule.code:
            if not rule_set.allows(rule.code, finding.code):
                continue
            level = rule_set.severity_for(rule.code, finding.code)
            if level is not None:
                finding.severity = level
        out.append(finding)
    return out


def _rule_failed(rule, display_path: str, exc: Exception, errors: list[str] | None) -> None:
    message = (
        f"internal error in rule {rule.code} ({rule.name}) on {display_path}: "
        f"{type(exc).__name__}: {_one_line(str(exc))}"
    )
    if os.environ.get("DLINT_DEBUG") == "1":
        import traceback

        traceback.print_exc()
    if errors is None:
        print(f"dlint: {message}", file=sys.stderr)
    else:
        errors.append(message)


def _run_rule(rule, ctx: LintContext, display_path: str, errors: list[str] | None) -> list[Finding]:
    """The findings of one selected rule (its module imported now, if not yet)."""
    try:
        return list(rule.instance().check(ctx) or ())
    except Exception as exc:  # a buggy rule must not take the run down
        _rule_failed(rule, display_path, exc, errors)
        return []


TRIGGER_NOTE = "ONBUILD trigger, runs in every build FROM this image: "


def _trigger_findings(document: Document, rule_set: RuleSet, display_path: str,
                      context_dir: str | None, errors: list[str] | None,
                      flat: str) -> list[Finding]:
    """Findings on ONBUILD triggers: each stage's triggers are linted as the instructions
    of a child build (LintContext's ChildBuild) by the rules that read RUN, COPY or ADD;
    findings are kept at the ONBUILD line, their message saying the trigger runs
    downstream."""
    from dlint.lint.context import TRIGGER_KEYWORDS, child_builds

    out: list[Finding] = []
    seen: set[tuple] = set()
    for child in child_builds(document):
        ctx = LintContext(child.document, display_path, context_dir)
        for rule in rule_set.selected:
            if rule.checks_broken_files or not rule.keywords or rule.reads_triggers:
                continue
            wanted = TRIGGER_KEYWORDS.intersection(rule.keywords)
            if not wanted or wanted.isdisjoint(child.keywords):
                continue
            if rule.triggers and not any(t in flat for t in rule.triggers):
                continue
            for finding in _selected_findings(rule, _run_rule(rule, ctx, display_path, errors), rule_set):
                key = (finding.line, finding.column, finding.code, finding.message)
                if not child.holds(finding.line) or key in seen:
                    continue
                seen.add(key)
                finding.message = TRIGGER_NOTE + finding.message
                out.append(finding)
    return out


def document_keywords(document: Document) -> set[str]:
    """The instruction keywords of a document, ONBUILD triggers' included."""
    present = set()
    for instruction in document.instructions:
        present.add(instruction.keyword)
        if instruction.sub_instruction is not None:
            present.add(instruction.sub_instruction.keyword)
    return present


# an escape at the end of a line (trailing blanks allowed), then any blank or comment lines:
# what BuildKit drops when it joins a continued instruction
_CONTINUATION_RE = LazyPattern(r"[\\`][ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*")


def trigger_text(document: Document) -> str:
    """The text Rule.triggers are looked for in: the source, and when it has line
    continuations (backslash or backtick, whichever the escape directive makes it), the
    source once more with them joined (`ap\\<newline>k` is `apk` to the shell)."""
    text = document.text
    if "\\" not in text and "`" not in text:
        return text
    return text + "\n" + _CONTINUATION_RE.sub("", text)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def display_path(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def discover(directory: Path, config_for: Callable[[Path], Config | None]) -> Iterator[Path]:
    """Dockerfiles under a directory, recursively, in sorted order; skips VCS dirs, venvs,
    node_modules and config ``exclude`` patterns (``config_for(dir)`` gives the config)."""
    for dirpath, dirnames, filenames in os.walk(directory):
        here = Path(dirpath)
        config = config_for(here) or Config()
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
            and not config.excludes(here / d)
        )
        for name in sorted(filenames):
            if is_dockerfile_name(name):
                path = here / name
                if not config.excludes(path):
                    yield path


def os_error_cause(exc: OSError) -> str:
    if isinstance(exc, NotRegularFile):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


def not_text_cause(exc: Exception) -> str:
    reason = str(exc)
    return reason if reason.startswith("not a text file") else f"not a text file: {reason}"


class FileJob(Record):
    """One file to lint, as lint_paths found it: its bytes, displayed path, config, build
    context, and ``mark``: how many of the run's errors came before it (so that the errors
    keep the order of a serial run however the files are linted)."""

    _fields = ("data", "shown", "config", "context_dir", "explicit", "file", "build", "mark")

    def __init__(self, data: bytes, shown: str, config: Config, context_dir: str | None,
                 explicit: bool = False, file: str | None = None, build=None, mark: int = 0):
        self.data = data
        self.shown = shown
        self.config = config
        self.context_dir = context_dir
        self.explicit = explicit
        self.file = file
        self.build = build
        self.mark = mark


class FileResult(Record):
    """What linting one FileJob gave: ``errors`` from reading and preparing it, ``late_errors``
    from its rules; ``linted`` False when it was not text (then nothing else is set)."""

    _fields = ("linted", "findings", "lines", "floor", "failing", "errors", "late_errors")

    def __init__(self):
        self.linted = False
        self.findings: list[Finding] = []
        self.lines: list[str] = []
        self.floor = 0
        self.failing = False
        self.errors: list[str] = []
        self.late_errors: list[str] = []


def lint_jobs(jobs: list[FileJob], registry: Registry, select: list[str] | None,
              ignore: list[str] | None, severity_threshold: str | None, shared: dict,
              run: LintRun | None = None, root_path: Path | None = None) -> tuple[list[FileResult], list[str]]:
    """Lint some files of a run: every file decoded, parsed and prepared first (rules with
    slow outside work, ShellCheck, start it then), then linted in order. Returns a result
    per job and the errors of the rules' `prepared` step. With ``run`` (in-process), also
    fills run.texts and run.linters for --fix. Used by lint_paths, and by its worker
    processes (dlint.lint.parallel) for a slice of the files."""
    from dlint.syntax import NotText, decode_source, parse

    rule_sets: dict[int, RuleSet] = {}

    def rule_set_for(config: Config) -> RuleSet:
        key = id(config)
        if key not in rule_sets:
            rule_sets[key] = resolve_rules(registry, config, select, ignore, severity_threshold)
        return rule_sets[key]

    results = [FileResult() for _ in jobs]
    parsed: list[tuple | None] = []  # (LintContext, RuleSet, FileJob, FileResult)
    preparing: list = []
    for job, result in zip(jobs, results):
        shown = job.shown
        try:
            text = decode_source(job.data)
        except NotText as exc:
            result.errors.append(f"{shown}: {not_text_cause(exc)}")
            continue
        build = job.build
        ctx = LintContext(parse(text, shown), shown, job.context_dir, context_explicit=job.explicit,
                          dockerfile_path=job.file, shared=shared,
                          build_args=build.args if build is not None else None)
        rule_set = rule_set_for(job.config)
        preparing.extend(prepare_context(ctx, rule_set, result.errors))
        parsed.append((ctx, rule_set, job, result))
        if run is not None:
            data, context_dir = job.data, job.context_dir
            run.texts[shown] = (data[:3] if data.startswith(b"\xef\xbb\xbf") else b"", text)
            run.linters[shown] = lambda new_text, shown=shown, rule_set=rule_set, context_dir=context_dir: \
                lint_document(parse(new_text, shown), shown, rule_set, registry=registry,
                              context_dir=context_dir, errors=[])
    finish_errors: list[str] = []
    finish_preparing(preparing, finish_errors)
    for i, item in enumerate(parsed):
        assert item is not None
        parsed[i] = None  # a linted file's model can go
        ctx, rule_set, job, result = item
        document = ctx.document
        findings = lint_context(ctx, rule_set, result.late_errors)
        build = job.build
        if build is not None and build.target is not None and not document.errors:
            from dlint.model import build_model

            if build_model(document).stage(build.target) is None:
                compose_file = display_path(Path(build.compose_file), root_path or Path.cwd())
                result.late_errors.append(f"{compose_file}: service {build.service}: target "
                                          f"{build.target!r} is not a stage of {job.shown}")
        floor = severity_rank(rule_set.severity_threshold)
        result.linted = True
        result.findings = findings
        result.lines = document.lines
        # what fix_run uses to recompute `failing` once fixed (--exit-zero: never fails)
        result.floor = 99 if rule_set.exit_zero else floor
        result.failing = not rule_set.exit_zero and any(severity_rank(f.severity) >= floor for f in findings)
    return results, finish_errors



def config_context(path: Path, config: Config) -> tuple[str, bool]:
    """(build context folder, named explicitly) of the Dockerfile at `path` when no
    --context or compose build names one: the config's `contexts`, else its own folder."""
    named = config.context_for(path)
    return (named, True) if named is not None else (str(path.parent), False)

def lint_paths(
    paths: Iterable[str],
    *,
    config_path: str | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    severity_threshold: str | None = None,
    root: str | os.PathLike[str] | None = None,
    registry: Registry | None = None,
    stdin: bytes | None = None,
    context: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdin_filename: str | None = None,
    jobs: int | None = 1,
) -> LintRun:
    """Lint files, directories (discovery) and ``-`` (stdin, read from ``stdin`` or sys.stdin).

    Findings show paths relative to ``root`` (default: the current directory) with ``/``;
    relative paths and ``context`` are taken relative to ``cwd`` (default: ``root``; the CLI
    passes the working directory, so its ``--root`` changes the display only). The build context of a file (for the
    rules that read it) is ``context`` (``--context``) when given, else the config's
    ``contexts`` entry matching it, else the context of the compose service that builds
    it (a directory PATH holding compose.yaml: its services' Dockerfiles are linted
    first, with their build args), else the file's folder; stdin has none, unless
    ``stdin_filename`` names the file it stands for: then stdin is shown, configured and
    given a build context as that file would be (its bytes are still those of stdin).
    Unreadable or non-text files, missing paths and directories without Dockerfiles
    become ``errors``; the rest is still linted.

    ``jobs``: processes linting the files (dlint.lint.parallel); 1 (default) lints in this
    process, None picks one per core when the files are many enough to be worth it. The
    outcome is the same (findings, files and errors in the same order) either way, except
    that run.texts and run.linters (for --fix) are filled only in a serial run.
    Raises ConfigError for a bad config file or an unknown --select/--ignore item."""
    registry = registry or default_registry()
    root_path = Path(os.path.abspath(root or os.getcwd()))
    base_path = Path(os.path.abspath(cwd)) if cwd is not None else root_path
    for selector in (*(select or ()), *(ignore or ())):
        if not registry.resolve(selector):
            raise ConfigError(f"unknown rule {selector!r} in --select/--ignore (use a rule code, name, alias or ALL)")
    finder = ConfigFinder(registry, config_path)
    run = LintRun()
    seen: set[str] = set()
    context_root = str(base_path / os.path.expanduser(context)) if context else None
    file_jobs: list[FileJob] = []

    def add(data: bytes, shown: str, config: Config, context_dir: str | None,
            explicit: bool = False, file: str | None = None, build=None) -> None:
        file_jobs.append(FileJob(data, shown, config, context_dir, explicit, file, build, len(run.errors)))

    bad_configs: set[str] = set()

    def config_for(directory: Path) -> Config | None:
        """The directory's config; a broken config file is reported once, its files skipped."""
        try:
            return finder.for_directory(directory)
        except ConfigError as exc:
            if str(exc) not in bad_configs:
                bad_configs.add(str(exc))
                run.errors.append(str(exc))
            run.config_failed = True
            return None

    builds: dict[str, object] = {}  # Dockerfile key -> the compose build that names it

    def compose_builds(directory: Path) -> Iterator[Path]:
        from dlint.lint.compose import find_compose_file

        compose = find_compose_file(str(directory))
        if compose is None:
            return
        from dlint.lint.compose import ComposeError, read_compose

        try:
            found = read_compose(compose)
        except ComposeError as exc:
            run.errors.append(str(exc))
            return
        for build in found:
            key = os.path.normcase(build.dockerfile)
            if key not in builds:  # a Dockerfile named by two services is linted once
                builds[key] = build
                yield Path(build.dockerfile)

    def targets() -> Iterator[tuple[str, Path | None]]:
        for raw in paths:
            if raw == STDIN:
                yield raw, None
                continue
            path = base_path / os.path.expanduser(raw)
            if path.is_dir():
                found = False
                for file in compose_builds(path):
                    found = True
                    yield raw, file
                for file in discover(path, config_for):
                    found = True
                    yield raw, file
                if not found:
                    run.errors.append(f"{display_path(path, root_path)}: no Dockerfiles found in this directory")
            else:
                yield raw, path

    def context_of(path: Path, config: Config, build) -> tuple[str, bool]:
        if context_root is not None:
            return context_root, True
        if build is not None:
            return build.context, True
        return config_context(path, config)

    for raw, path in targets():
        if path is None:
            if STDIN in seen:
                continue
            seen.add(STDIN)
            data = stdin if stdin is not None else sys.stdin.buffer.read()
            if stdin_filename is None:
                config = config_for(base_path)
                run.stdin_path = STDIN
                if config is not None:  # stdin has a context only when --context names one
                    add(data, STDIN, config, context_root, context_root is not None)
                continue
            named = base_path / os.path.expanduser(stdin_filename)
            run.stdin_path = display_path(named, root_path)
            config = config_for(named.parent)
            if config is not None:  # shown, configured and in a context as the file it names
                context_dir, explicit = context_of(named, config, None)
                add(data, run.stdin_path, config, context_dir, explicit, str(named))
            continue
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            continue
        seen.add(key)
        shown = display_path(path, root_path)
        try:
            data = read_source(path)
        except OSError as exc:
            run.errors.append(f"{shown}: {os_error_cause(exc)}")
            continue
        config = config_for(path.parent)
        if config is None:
            continue
        run.paths[shown] = str(path)
        build = builds.get(key)
        context_dir, explicit = context_of(path, config, build)
        add(data, shown, config, context_dir, explicit, str(path), build)

    if jobs != 1 and len(file_jobs) > 1:  # one file: not even the module is imported
        from dlint.lint.parallel import workers_for

        run.workers = workers_for(file_jobs, jobs)
    if run.workers > 1:
        from dlint.lint.parallel import lint_jobs_in_processes

        results, finish_errors = lint_jobs_in_processes(
            file_jobs, run.workers, registry, select, ignore, severity_threshold, root_path)
    else:
        results, finish_errors = lint_jobs(file_jobs, registry, select, ignore, severity_threshold, {},
                                           run, root_path)
    _merge(run, file_jobs, results, finish_errors)
    run.findings.sort(key=Finding.sort_key)
    return run


def _merge(run: LintRun, jobs: list[FileJob], results: list[FileResult], finish_errors: list[str]) -> None:
    """Put the files' results into the run, errors in the order a serial run gives them:
    each file's read and prepare errors where it was found, then the `prepared` errors,
    then each file's rule errors."""
    found, run.errors = run.errors, []
    done = 0
    for job, result in zip(jobs, results):
        run.errors.extend(found[done:job.mark])
        done = max(done, job.mark)
        run.errors.extend(result.errors)
    run.errors.extend(found[done:])
    run.errors.extend(dict.fromkeys(finish_errors))  # once, however many processes had them
    for job, result in zip(jobs, results):
        if not result.linted:
            continue
        run.errors.extend(result.late_errors)
        run.files.append(job.shown)
        run.sources[job.shown] = result.lines
        run.findings.extend(result.findings)
        run.floors[job.shown] = result.floor
        if result.failing:
            run.failing = True
