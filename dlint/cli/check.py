"""`dlint check`, independent of typer so the argv fast path (dlint.cli.main) can call it."""

from __future__ import annotations

import os
import sys

from dlint._record import Record
from dlint.cli.output import error, use_color, write

FORMAT_CHOICES = ("tty", "json", "sarif", "github", "gitlab", "checkstyle", "junit")
THRESHOLD_CHOICES = ("error", "warning", "info", "style")
COLOR_CHOICES = ("auto", "always", "never")


class CheckOptions(Record):
    _fields = ("paths", "format", "select", "ignore", "severity_threshold", "fix", "config", "root",
               "context", "unsafe_fixes", "diff", "output_file", "exit_zero", "quiet", "color", "statistics",
               "stdin_filename", "jobs",
               "baseline", "write_baseline")

    def __init__(self, paths: list[str] | None = None,
                 # None or []: tty, plus GitHub annotations under GitHub Actions; a list: each
                 # --format value, FORMAT or FORMAT=FILE (see plan_outputs)
                 format: str | list[str] | None = None,
                 select: list[str] | None = None,  # raw, possibly comma-separated
                 ignore: list[str] | None = None, severity_threshold: str | None = None,
                 fix: bool = False, config: str | None = None, root: str | None = None,
                 context: str | None = None, unsafe_fixes: bool = False, diff: bool = False,
                 output_file: str | None = None, exit_zero: bool = False, quiet: bool = False,
                 color: str = "auto", statistics: bool = False, stdin_filename: str | None = None,
                 jobs: int | None = None, baseline: str | None = None,
                 write_baseline: str | None = None):
        self.paths = [] if paths is None else paths
        self.format = format
        self.select = [] if select is None else select
        self.ignore = [] if ignore is None else ignore
        self.severity_threshold = severity_threshold
        self.fix = fix
        self.config = config
        self.root = root
        self.context = context  # build context folder for every file (like `docker build DIR`)
        self.unsafe_fixes = unsafe_fixes  # with --fix or --diff: the unsafe fixes too
        self.diff = diff                  # print what --fix would change, write nothing
        self.output_file = output_file    # where the output without a FILE goes (default: stdout)
        self.exit_zero = exit_zero        # exit 0 with findings (2 stays 2)
        self.quiet = quiet                # tty: findings only, no summary line
        self.color = color                # tty on stdout: auto|always|never
        self.statistics = statistics      # a count per code instead of the findings
        self.stdin_filename = stdin_filename  # the path stdin stands for (display, config, context)
        self.jobs = jobs                  # processes; None: automatic (dlint.lint.parallel)
        self.baseline = baseline              # report only findings not recorded in this file
        self.write_baseline = write_baseline  # record every finding of this run in this file


class UsageError(Exception):
    """A bad combination of options: one line, exit 2."""


class Outputs(Record):
    """Where the report goes: ``stdout`` (a format, or None for nothing), ``stdout_file``
    (--output-file: that output goes to a file instead), ``files``: (format, path) pairs."""

    _fields = ("stdout", "stdout_file", "files")

    def __init__(self, stdout: str | None, stdout_file: str | None, files: list[tuple[str, str]]):
        self.stdout = stdout
        self.stdout_file = stdout_file
        self.files = files


def plan_outputs(formats: str | list[str] | None, output_file: str | None = None) -> Outputs:
    """The outputs of `--format` values (FORMAT, FORMAT=FILE, FORMAT=- for stdout) and
    `--output-file`. No --format: tty on stdout. Otherwise exactly what is named: at most
    one format without a file (stdout), any number with one; --output-file sends the
    stdout output (the named one, or tty when no --format is given) to a file. Raises
    UsageError for an unknown format, an empty FILE, two outputs on stdout or in one
    file, or --output-file with nothing to write."""
    if isinstance(formats, str):
        formats = [formats]
    formats = list(formats or [])
    stdout: str | None = None if formats else "tty"
    files: list[tuple[str, str]] = []
    for value in formats:
        fmt, eq, path = value.partition("=")
        if fmt not in FORMAT_CHOICES:
            raise UsageError(f"--format {value}: {fmt!r} is not one of {', '.join(FORMAT_CHOICES)}")
        if eq and not path:
            raise UsageError(f"--format {value}: no file after '=' (FORMAT=FILE, or FORMAT alone for stdout)")
        if not eq or path == "-":
            if stdout is not None:
                raise UsageError(f"--format {value}: only one format can go to stdout, and {stdout} "
                                 f"does already; give one of them a file: --format {fmt}=FILE")
            stdout = fmt
        else:
            files.append((fmt, path))
    if output_file == "-":
        output_file = None
    if output_file is not None and stdout is None:
        raise UsageError("--output-file: every --format names its own file, so nothing goes to "
                         "--output-file (name one format without a file)")
    seen: set[str] = set()
    for path in [path for _fmt, path in files] + ([output_file] if output_file is not None else []):
        key = os.path.normcase(os.path.abspath(os.path.expanduser(path)))
        if key in seen:
            raise UsageError(f"--format/--output-file: two outputs would go to the same file {path}")
        seen.add(key)
    return Outputs(stdout, output_file, files)


def _check_writable(path: str) -> str | None:
    """Why an output file cannot be written, checked before linting; None if it can."""
    full = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(full):
        return "is a directory"
    if not os.path.isdir(os.path.dirname(full)):
        return "no such directory"
    return None


def _terminal_width() -> int:
    """Columns to wrap coloured output at: $COLUMNS, else the terminal's that stdout or (with
    `--color always` into a pipe, `| less -R`) stderr is; 0 (no wrapping) without one."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
        if columns > 0:
            return columns
    except ValueError:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            continue
    return 0


def _write_file(path: str, text: str) -> str | None:
    try:
        with open(os.path.expanduser(path), "wb") as fh:
            fh.write(text.encode("utf-8", "replace"))
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    return None


def reporter_available(fmt: str) -> bool:
    import importlib.util

    from dlint.report import FORMATS

    try:
        return importlib.util.find_spec(f"dlint.report.{FORMATS[fmt]}") is not None
    except (KeyError, ImportError):
        return False


def run_check(options: CheckOptions) -> int:
    """Lint, write the outputs, return the exit code (SPEC §5: 0 clean, 1 findings, 2 errors)."""
    code = _run_check(options)
    if options.exit_zero and code == 1:  # findings (or, with --diff, changes): still a success
        return 0
    return code


def _usage(options: CheckOptions) -> Outputs:
    """The outputs, after checking the option combinations (UsageError)."""
    outputs = plan_outputs(options.format, options.output_file)
    if options.unsafe_fixes and not (options.fix or options.diff):
        raise UsageError("--unsafe-fixes works with --fix or --diff")
    if options.diff:  # what these would write is never made: say so rather than write nothing
        given = [name for name, value in (("--format", options.format),
                                          ("--output-file", options.output_file not in (None, "-")),
                                          ("--statistics", options.statistics),
                                          ("--write-baseline", options.write_baseline)) if value]
        if given:
            raise UsageError(f"--diff prints a unified diff instead of the findings, so {given[0]} would "
                             f"write nothing: drop {given[0]}, or run without --diff")
    if options.color not in COLOR_CHOICES:
        raise UsageError(f"--color {options.color}: use one of {', '.join(COLOR_CHOICES)}")
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs {options.jobs}: use a number of processes, 1 or more")
    if options.statistics:
        if outputs.stdout is None:
            raise UsageError("--statistics replaces the output without a file, and every --format names a file")
        if outputs.stdout not in ("tty", "json"):
            raise UsageError(f"--statistics prints text (--format tty) or JSON (--format json), not {outputs.stdout}")
    if options.stdin_filename is not None and options.paths and "-" not in options.paths:
        raise UsageError("--stdin-filename names the file that - (stdin) stands for: add - to the PATHs")
    for fmt in {fmt for fmt, _path in outputs.files} | {outputs.stdout} - {None}:
        if not reporter_available(fmt):
            raise UsageError(f"output format {fmt!r} is not available in this installation "
                             f"(module dlint.report.{fmt} is missing)")
    written = [p for _f, p in outputs.files] + [outputs.stdout_file] * (outputs.stdout_file is not None)
    for path in written:
        problem = _check_writable(path)
        if problem:
            raise UsageError(f"cannot write {path}: {problem}")
    for option, baseline in (("--baseline", options.baseline), ("--write-baseline", options.write_baseline)):
        same = [path for path in written if baseline is not None and _same_file(path, baseline)]
        if same:
            raise UsageError(f"{option} {baseline}: the --format/--output-file output {same[0]} would "
                             f"overwrite it; write the report to another file")
    return outputs


def _same_file(a: str, b: str) -> bool:
    a, b = (os.path.normcase(os.path.abspath(os.path.expanduser(path))) for path in (a, b))
    return a == b


def _run_check(options: CheckOptions) -> int:
    from dlint import __version__
    from dlint.lint.config import ConfigError, split_selectors
    from dlint.lint.engine import lint_paths
    from dlint.lint.finding import severity_rank
    from dlint.lint.registry import default_registry
    from dlint.report import Report, render

    try:
        outputs = _usage(options)
    except UsageError as exc:
        error(str(exc))
        return 2
    registry = default_registry()
    for problem in registry.errors:
        error(problem)
    cwd = os.getcwd()
    root = os.path.abspath(os.path.expanduser(options.root)) if options.root else cwd
    if not os.path.isdir(root):  # --root only changes how paths are shown; PATHs are from the cwd
        error(f"--root {options.root}: not a directory")
        return 2
    kwargs = dict(
        config_path=options.config,
        select=split_selectors(options.select) or None,
        ignore=split_selectors(options.ignore) or None,
        severity_threshold=options.severity_threshold,
        root=root,
        registry=registry,
        context=options.context,
        cwd=cwd,
        stdin_filename=options.stdin_filename,
        # --fix and --diff re-lint fixed texts in this process: they lint serially
        jobs=1 if options.fix or options.diff else options.jobs,
    )
    if options.context is not None and not os.path.isdir(os.path.join(cwd, os.path.expanduser(options.context))):
        error(f"--context {options.context}: not a directory")
        return 2
    known = None
    if options.baseline is not None and options.write_baseline is None:
        from dlint.report.baseline import BaselineError, load

        try:
            known = load(options.baseline)
        except BaselineError as exc:
            error(str(exc))
            return 2
    paths = options.paths or ["."]
    if options.stdin_filename is not None and not options.paths:
        paths = ["-"]  # as ruff: --stdin-filename alone reads stdin
    if "-" in paths:  # read once: --fix lints again
        kwargs["stdin"] = sys.stdin.buffer.read()
    try:
        run = lint_paths(paths, **kwargs)
    except ConfigError as exc:
        error(str(exc))
        return 2
    out = sys.stdout
    if options.fix or options.diff:
        from dlint.fix import fix_run, unified_diff

        outcome = fix_run(run, unsafe=options.unsafe_fixes, write=options.fix and not options.diff)
        for problem in run.errors + outcome.errors:
            error(problem)
        if not options.quiet:
            write(outcome.summary(unsafe=options.unsafe_fixes, wrote=not options.diff) + "\n", sys.stderr)
        if options.diff:
            write("".join(unified_diff(shown, old, new) for shown, (old, new) in outcome.changed.items()))
            if run.errors or outcome.errors or registry.errors:
                return 2
            # a file configured `exit-zero = true` (its floor above every severity) does not fail
            return 1 if any(run.floors.get(shown, 0) <= severity_rank("error") for shown in outcome.changed) else 0
        if "-" in paths:  # the fixed text is the output; the report goes to stderr
            shown = run.stdin_path or "-"
            bom, text = run.texts.get(shown, (b"", ""))
            old_new = outcome.changed.get(shown)
            write(("\ufeff" if bom else "") + (old_new[1] if old_new else text))
            out = sys.stderr
        if outcome.errors:
            run.errors.extend(outcome.errors)
    else:
        for problem in run.errors:
            error(problem)
    def report_for(fmt: str, color: bool) -> Report:
        report = Report(rules=list(registry.rules), files=run.files, sources=run.sources, root=root,
                        color=color, version=__version__,
                        # --write-baseline: the stderr line says what was recorded, no "All checks passed"
                        quiet=options.quiet or options.write_baseline is not None)
        if color:
            width = _terminal_width()
            report.width = max(40, width) if width else 0
        return report

    if options.write_baseline is not None or known is not None:
        from dlint.report.baseline import BaselineError, load, write as write_baseline

        fingerprinting = report_for("json", False)
        try:
            if options.write_baseline is not None:
                count = write_baseline(options.write_baseline, run.findings, fingerprinting)
                if not options.quiet:
                    write(f"dlint: recorded {count} finding{'s' if count != 1 else ''} in "
                          f"{options.write_baseline}\n", sys.stderr)
                known = load(options.write_baseline)
        except BaselineError as exc:
            error(str(exc))
            return 2
        run.findings = known.new_findings(run.findings, fingerprinting)
        run.failing = any(severity_rank(f.severity) >= run.floors.get(f.file, 0) for f in run.findings)

    written_ok = True
    for fmt, path in outputs.files:  # colour never goes to a file
        problem = _write_file(path, render(fmt, run.findings, report_for(fmt, False)))
        if problem:
            error(f"cannot write {path}: {problem}")
            written_ok = False
    fmt = outputs.stdout
    if fmt is not None:
        to_file = outputs.stdout_file is not None
        color = fmt == "tty" and not to_file and not options.statistics and (
            options.color == "always" or (options.color == "auto" and use_color(out)))
        report = report_for(fmt, color)
        if options.statistics:
            from dlint.report.statistics import render as render_statistics

            text = render_statistics(fmt, run.findings, report, unsafe=options.unsafe_fixes)
        # a broken config that left nothing to check: the error says it all (no "No files checked")
        elif fmt == "tty" and run.config_failed and not run.files:
            text = ""
        else:
            text = render(fmt, run.findings, report)
        if to_file:
            problem = _write_file(outputs.stdout_file, text)
            if problem:
                error(f"cannot write {outputs.stdout_file}: {problem}")
                written_ok = False
        elif text:
            write(text, out)
    if not options.format and os.environ.get("GITHUB_ACTIONS") == "true":
        from dlint.report.github import annotations_if_github_actions

        # on stdout even with --output-file: that is where the runner reads them; on stderr
        # after `--fix -`, whose stdout is the fixed text (the runner reads stderr too)
        write(annotations_if_github_actions(run.findings, report_for("github", False)), out)
    if registry.errors or not written_ok:
        return 2
    return run.exit_code
