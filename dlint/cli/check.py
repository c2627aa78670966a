"""`dlint check`, independent of typer so the argv fast path (dlint.cli.main) can call it."""

from __future__ import annotations

import os
import sys

from dlint._record import Record
from dlint.cli.output import error, use_color, write

FORMAT_CHOICES = ("tty", "json", "sarif", "github", "gitlab", "checkstyle", "junit")
THRESHOLD_CHOICES = ("error", "warning", "info", "style")


class CheckOptions(Record):
    _fields = ("paths", "format", "select", "ignore", "severity_threshold", "fix", "config", "root",
               "context", "unsafe_fixes", "diff", "baseline", "write_baseline")

    def __init__(self, paths: list[str] | None = None,
                 format: str | None = None,  # None: tty, plus GitHub annotations under GitHub Actions
                 select: list[str] | None = None,  # raw, possibly comma-separated
                 ignore: list[str] | None = None, severity_threshold: str | None = None,
                 fix: bool = False, config: str | None = None, root: str | None = None,
                 context: str | None = None, unsafe_fixes: bool = False, diff: bool = False,
                 baseline: str | None = None, write_baseline: str | None = None):
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
        self.baseline = baseline              # report only findings not recorded in this file
        self.write_baseline = write_baseline  # record every finding of this run in this file


def reporter_available(fmt: str) -> bool:
    import importlib.util

    from dlint.report import FORMATS

    try:
        return importlib.util.find_spec(f"dlint.report.{FORMATS[fmt]}") is not None
    except (KeyError, ImportError):
        return False


def run_check(options: CheckOptions) -> int:
    """Lint, print the report, return the exit code (SPEC §5: 0 clean, 1 findings, 2 errors)."""
    from dlint import __version__
    from dlint.lint.config import ConfigError, split_selectors
    from dlint.lint.engine import lint_paths
    from dlint.lint.finding import severity_rank
    from dlint.lint.registry import default_registry
    from dlint.report import Report, render

    fmt = options.format or "tty"
    if options.unsafe_fixes and not (options.fix or options.diff):
        error("--unsafe-fixes works with --fix or --diff")
        return 2
    if not reporter_available(fmt):
        error(f"output format {fmt!r} is not available in this installation "
              f"(module dlint.report.{fmt} is missing)")
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
        write(outcome.summary(unsafe=options.unsafe_fixes, wrote=not options.diff) + "\n", sys.stderr)
        if options.diff:
            write("".join(unified_diff(shown, old, new) for shown, (old, new) in outcome.changed.items()))
            if run.errors or outcome.errors or registry.errors:
                return 2
            return 1 if outcome.changed else 0
        if "-" in paths:  # the fixed text is the output; the report goes to stderr
            bom, text = run.texts.get("-", (b"", ""))
            old_new = outcome.changed.get("-")
            write(("\ufeff" if bom else "") + (old_new[1] if old_new else text))
            out = sys.stderr
        if outcome.errors:
            run.errors.extend(outcome.errors)
    else:
        for problem in run.errors:
            error(problem)
    report = Report(
        rules=list(registry.rules),
        files=run.files,
        sources=run.sources,
        root=root,
        color=fmt == "tty" and use_color(out),
        version=__version__,
    )
    if options.write_baseline is not None or known is not None:
        from dlint.report.baseline import BaselineError, load, write as write_baseline

        try:
            if options.write_baseline is not None:
                count = write_baseline(options.write_baseline, run.findings, report)
                write(f"dlint: recorded {count} finding{'s' if count != 1 else ''} in "
                      f"{options.write_baseline}\n", sys.stderr)
                known = load(options.write_baseline)
        except BaselineError as exc:
            error(str(exc))
            return 2
        run.findings = known.new_findings(run.findings, report)
        run.failing = any(severity_rank(f.severity) >= run.floors.get(f.file, 0) for f in run.findings)
    if report.color:
        import shutil

        report.width = max(40, shutil.get_terminal_size().columns)
    # a broken config that left nothing to check: the error says it all (no "No files checked")
    if not (fmt == "tty" and run.config_failed and not run.files):
        write(render(fmt, run.findings, report), out)
    if options.format is None and os.environ.get("GITHUB_ACTIONS") == "true":
        from dlint.report.github import annotations_if_github_actions

        write(annotations_if_github_actions(run.findings, report))
    if registry.errors:
        return 2
    return run.exit_code
