"""The typer app: option parsing and help only; the work is in library calls."""

from __future__ import annotations

import json
import os
import sys
from typing import List, Optional

import typer

from dlint.cli.check import COLOR_CHOICES, FORMAT_CHOICES, THRESHOLD_CHOICES, CheckOptions, run_check
from dlint.cli.output import error, write

APP_SETTINGS = dict(
    # rich help panels and pretty tracebacks import rich (~50 ms) and print tracebacks
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _plain_metavars() -> None:
    """Help for users: `--format FORMAT`, not typer's `--format <str>`; `dlint parse FILE`, not
    `{FILE}` (typer's marks for a type and a required argument)."""
    from typer.core import TyperArgument, TyperOption

    if getattr(TyperOption, "_dlint_plain", False):
        return
    option_metavar, argument_metavar = TyperOption.make_metavar, TyperArgument.make_metavar

    def option(self, ctx):
        if self.metavar is None and not self.is_flag and self.name:
            return self.name.upper().replace("_", "-")
        return option_metavar(self, ctx)

    def argument(self, ctx, *, usage=False):
        var = argument_metavar(self, ctx, usage=usage)
        return var[1:-1] if var.startswith("{") and var.endswith("}") else var

    TyperOption.make_metavar, TyperArgument.make_metavar = option, argument
    TyperOption._dlint_plain = True


_plain_metavars()


def _choice(value: Optional[str], choices: tuple[str, ...], option: str) -> Optional[str]:
    if value is not None and value not in choices:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=option)
    return value


def _version(value: bool) -> None:
    if value:
        from dlint import __version__

        typer.echo(f"dlint {__version__}")
        raise typer.Exit(0)


def _format_value(value: str) -> str:
    fmt = value.partition("=")[0]
    _choice(fmt, FORMAT_CHOICES, "--format")
    return value


def check(
    paths: List[str] = typer.Argument(None, metavar="[PATH]...", help="Dockerfiles, directories (searched recursively), or - for stdin."),
    format: List[str] = typer.Option(
        None, "--format", metavar="FORMAT[=FILE]", show_default=False,
        help="Output format: " + "|".join(FORMAT_CHOICES) + " (default tty; under GitHub Actions "
             "tty is followed by annotations). Repeatable: FORMAT=FILE writes that format to FILE, "
             "at most one FORMAT without a file goes to stdout (--format tty --format sarif=out.sarif)."),
    select: List[str] = typer.Option(None, "--select", metavar="CODES", help="Only these rules (codes, names, aliases or ALL; comma-separated, repeatable)."),
    ignore: List[str] = typer.Option(None, "--ignore", metavar="CODES", help="Skip these rules (codes, names, aliases or ALL)."),
    severity_threshold: Optional[str] = typer.Option(
        None, "--severity-threshold", metavar="LEVEL", help="Exit 1 only for findings at or above: error|warning|info|style (default style)."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place (with -: print the fixed text)."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="With --fix or --diff: the unsafe fixes too."),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff of what --fix would change; write nothing (exit 1 when something would change)."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", help="Config file (default: nearest .dlint.toml or pyproject.toml [tool.dlint])."),
    root: Optional[str] = typer.Option(None, "--root", metavar="DIR", help="Show paths relative to this directory (default: the working directory); PATHs are still relative to the working directory."),
    context: Optional[str] = typer.Option(None, "--context", metavar="DIR", help="Build context folder of the linted Dockerfiles, as in `docker build DIR` (default: each Dockerfile's folder, or the config's `contexts`)."),
    output_file: Optional[str] = typer.Option(
        None, "--output-file", "-o", metavar="FILE",
        help="Write the output that has no FILE of its own (the --format without =FILE, or tty) to FILE instead of stdout; never coloured."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings (and with --diff, even with changes); 2 still means a usage or input error."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the findings only: no summary line, no \"No files checked\", no --fix or --write-baseline summary."),
    color: str = typer.Option("auto", "--color", metavar="WHEN", help="Colour the tty output on stdout: auto (a terminal without NO_COLOR), always, never."),
    statistics: bool = typer.Option(False, "--statistics", help="Instead of the findings, print how many each rule code has, most first (text with --format tty, JSON with --format json)."),
    stdin_filename: Optional[str] = typer.Option(
        None, "--stdin-filename", metavar="PATH",
        help="The path the Dockerfile read from - (stdin) stands for: shown in the output, and its folder gives the config and the build context. Without PATHs, reads stdin."),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", metavar="N", show_default=False,
        help="Lint files in N processes (default: one per CPU core when there are enough files to gain from it; 1: in one process). Same output as one process."),
    baseline: Optional[str] = typer.Option(None, "--baseline", metavar="FILE", help="Report only the findings not recorded in this baseline file (see --write-baseline); the exit code counts only those."),
    write_baseline: Optional[str] = typer.Option(None, "--write-baseline", metavar="FILE", help="Record every finding of this run in FILE (JSON) and report none of them; later runs with --baseline FILE report only new findings."),
) -> None:
    """Lint Dockerfiles. Exit 0 clean, 1 findings at or above the threshold, 2 usage or input error."""
    for value in format or []:
        _format_value(value)
    _choice(severity_threshold, THRESHOLD_CHOICES, "--severity-threshold")
    _choice(color, COLOR_CHOICES, "--color")
    if jobs is not None and jobs < 1:
        raise typer.BadParameter(f"{jobs} is not a number of processes (1 or more)", param_hint="--jobs")
    options = CheckOptions(list(paths or []), list(format or []), list(select or []), list(ignore or []),
                           severity_threshold, fix, config, root, context, unsafe_fixes, diff,
                           output_file, exit_zero, quiet, color, statistics, stdin_filename, jobs,
                           baseline, write_baseline)
    raise typer.Exit(run_check(options))


def _terminal_width() -> Optional[int]:
    """Columns of the terminal stdout is, or None when stdout is not a terminal."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    return max(40, shutil.get_terminal_size().columns)


def _rules_for_terminal(rows: list[dict], width: int) -> str:
    """A block per rule that fits `width` columns: the code, name, severity, aliases and
    origin on one line, then the summary wrapped under it."""
    import textwrap

    blocks = []
    for row in rows:
        head = [row["code"], row["name"], row["severity"]]
        if not row["enabled"]:
            head.append("(off by default)")
        if row["aliases"]:
            head.append("aliases: " + ",".join(row["aliases"]))
        if row["origin"] != "builtin":
            head.append(f"plugin:{row['distribution'] or '?'}")
        indent = " " * 7
        lines = textwrap.wrap("  ".join(head), width, subsequent_indent=indent, break_on_hyphens=False)
        lines += textwrap.wrap(row["summary"], width, initial_indent=indent, subsequent_indent=indent)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def rules(format: str = typer.Option("tty", "--format", help="tty|json")) -> None:
    """List every rule: code, name, severity, enabled, aliases, origin (builtin or the plugin's
    distribution), summary."""
    _choice(format, ("tty", "json"), "--format")
    from dlint.lint.registry import default_registry

    registry = default_registry()
    for problem in registry.errors:
        error(problem)
    rows = []
    for r in registry.rules:
        origin, distribution = registry.origin(r)
        rows.append({"code": r.code, "name": r.name, "severity": r.severity, "enabled": r.enabled,
                     "aliases": list(r.aliases), "summary": r.summary(),
                     "origin": origin, "distribution": distribution})
    if format == "json":
        write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    elif _terminal_width() is not None:
        write(_rules_for_terminal(rows, _terminal_width()))
    else:  # piped: one aligned row per rule, whole summaries (grep, cut)
        headers = {"code": "CODE", "name": "NAME", "severity": "SEVERITY", "enabled": "ENABLED", "aliases": "ALIASES",
                   "origin": "ORIGIN"}
        table = [headers] + [
            {**row, "enabled": "yes" if row["enabled"] else "no", "aliases": ",".join(row["aliases"]) or "-",
             "origin": "builtin" if row["origin"] == "builtin" else f"plugin:{row['distribution'] or '?'}"}
            for row in rows
        ]
        widths = {k: max(len(str(t[k])) for t in table) for k in headers}
        lines = []
        for t, row in zip(table, [None] + rows):
            cells = "  ".join(str(t[k]).ljust(widths[k]) for k in headers)
            lines.append(f"{cells}  {row['summary'] if row else 'SUMMARY'}".rstrip())
        write("\n".join(lines) + "\n")
    raise typer.Exit(2 if registry.errors else 0)


def rule(selector: str = typer.Argument(..., metavar="CODE|NAME|ALIAS", help="A rule code, name or alias.")) -> None:
    """Show a rule's documentation."""
    from dlint.lint.registry import default_registry

    registry = default_registry()
    found = registry.resolve(selector) if selector.upper() != "ALL" else []
    exact = registry.get(selector)
    if exact is not None and selector.lower() in (exact.code.lower(), exact.name.lower()):
        found = [exact]
    if not found:
        error(f"unknown rule {selector!r} (see `dlint rules` for codes, names and aliases)")
        raise typer.Exit(2)
    owner = registry.subcode_owner(selector)
    if owner is not None:
        code = selector.strip().upper()
        summary, help_uri = owner.subcode_docs(code) or (f"a finding of {owner.name}", "")
        write(f"# {code} ({owner.code} {owner.name})\n\n{summary}.\n{help_uri}\n\n"
              f"Select, ignore or suppress it by its code: `--ignore {code}`, "
              f"`# hadolint ignore={code}`; `dlint rule {owner.name}` shows how the rule works.\n")
        return
    pages = []
    for r in found:
        meta = [r.severity, "enabled by default" if r.enabled else "disabled by default"]
        if r.aliases:
            meta.append("aliases: " + ", ".join(r.aliases))
        origin, distribution = registry.origin(r)
        if origin == "plugin":
            meta.append(f"plugin {distribution}" if distribution else "plugin")
        if r.options:
            meta.append("options: " + ", ".join(f"{k} (default {r.defaults.get(k)!r})" for k in r.options))
        pages.append(f"# {r.code} {r.name}\n\n{' · '.join(meta)}\n\n{r.docs()}\n")
    write("\n".join(pages))


def parse(
    file: str = typer.Argument(..., metavar="FILE", help="A Dockerfile, or - for stdin."),
    format: str = typer.Option("json", "--format", help="json"),
) -> None:
    """Print a Dockerfile's syntax tree as JSON: one object per instruction, with positions."""
    _choice(format, ("json",), "--format")
    from dlint.lint.engine import not_text_cause, os_error_cause, read_source
    from dlint.syntax import NotText, decode_source
    from dlint.syntax import parse as parse_source
    from dlint.syntax import to_json

    try:
        data = sys.stdin.buffer.read() if file == "-" else read_source(file)
    except OSError as exc:
        error(f"{file}: {os_error_cause(exc)}")
        raise typer.Exit(2)
    try:
        text = decode_source(data)
    except NotText as exc:
        error(f"{file}: {not_text_cause(exc)}")
        raise typer.Exit(2)
    document = parse_source(text, file if file != "-" else "-")
    write(json.dumps(to_json(document), indent=2, ensure_ascii=False) + "\n")


def lsp(
    stdio: bool = typer.Option(False, "--stdio", help="Talk over stdin/stdout: the only transport, the default "
                                                      "(accepted because some clients pass it)."),
) -> None:
    """Run the language server on stdin/stdout, for editors (diagnostics, fixes, hover).
    Needs the lsp extra: pip install 'dlint-docker[lsp]'."""
    from dlint.lsp import serve

    raise typer.Exit(serve())


config_app = typer.Typer(help="Configuration helpers.", **APP_SETTINGS)


@config_app.command("migrate")
def config_migrate(
    path: Optional[str] = typer.Argument(
        None, metavar="[PATH]",
        help="A hadolint config (.hadolint.yaml); default: the one hadolint would read from here."),
) -> None:
    """Print the .dlint.toml equivalent of a hadolint config."""
    from dlint.lint.config import ConfigError
    from dlint.lint.hadolint_config import migrate
    from dlint.lint.registry import default_registry

    registry = default_registry()
    try:
        text = migrate(path, registry)
    except ConfigError as exc:
        error(str(exc))
        raise typer.Exit(2)
    write(text)


def build_app(with_cache: bool = True) -> typer.Typer:
    app = typer.Typer(help="dlint: a Dockerfile linter and build-cache analyzer.", **APP_SETTINGS)

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ) -> None:
        """dlint: a Dockerfile linter and build-cache analyzer."""

    app.command()(check)
    app.command()(rules)
    app.command()(rule)
    app.command()(parse)
    app.command()(lsp)
    app.add_typer(config_app, name="config")
    if with_cache:  # imported only for `dlint cache ...` and top-level help
        from dlint.cli.cache import app as cache_app

        app.add_typer(cache_app, name="cache")
    return app
