"""dlint's command line. ``main`` is the console script.

Startup: importing typer costs ~80 ms here, more than linting a file, so a plain
``dlint check ...`` (only options this module knows, valid values) and ``dlint --version``
skip typer entirely; anything else (help, a usage error, other commands) goes to the
typer app in dlint.cli.app, which has the same options and calls the same run_check.
``DLINT_NO_FASTPATH=1`` forces the typer path (tests compare the two).
"""

from __future__ import annotations

import os
import sys

_VALUE_OPTIONS = {"--format", "--select", "--ignore", "--severity-threshold", "--config", "--root",
                  "--context", "--output-file", "-o", "--color", "--stdin-filename", "--jobs", "-j",
                  "--baseline", "--write-baseline"}
_FLAGS = {"--fix": "fix", "--unsafe-fixes": "unsafe_fixes", "--diff": "diff", "--exit-zero": "exit_zero",
          "--quiet": "quiet", "-q": "quiet", "--statistics": "statistics"}


def parse_check_argv(argv: list[str]):
    """CheckOptions for ``check`` arguments, or None when typer must handle them."""
    from dlint.cli.check import COLOR_CHOICES, FORMAT_CHOICES, THRESHOLD_CHOICES, CheckOptions

    options = CheckOptions()
    args = iter(argv)
    only_paths = False
    for arg in args:
        if only_paths or arg == "-" or not arg.startswith("-"):
            options.paths.append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        if arg in _FLAGS:
            setattr(options, _FLAGS[arg], True)
            continue
        if arg.startswith(("-j", "-o")) and len(arg) > 2 and not arg.startswith("--"):
            arg = arg[:2] + "=" + arg[2:]  # -j4, -oFILE
        name, eq, value = arg.partition("=")
        if name not in _VALUE_OPTIONS:
            return None
        if not eq:
            value = next(args, None)
            if value is None or (value.startswith("-") and value != "-"):
                return None
        if name == "--format":
            if value.partition("=")[0] not in FORMAT_CHOICES:
                return None
            options.format = (options.format or []) + [value]
        elif name in ("--jobs", "-j"):
            if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²".isdigit()
                return None
            options.jobs = int(value)
        elif name == "--color":
            if value not in COLOR_CHOICES:
                return None
            options.color = value
        elif name in ("--output-file", "-o"):
            options.output_file = value
        elif name == "--stdin-filename":
            options.stdin_filename = value
        elif name == "--severity-threshold":
            if value not in THRESHOLD_CHOICES:
                return None
            options.severity_threshold = value
        elif name == "--select":
            options.select.append(value)
        elif name == "--ignore":
            options.ignore.append(value)
        elif name == "--config":
            options.config = value
        elif name == "--root":
            options.root = value
        elif name == "--context":
            options.context = value
        elif name == "--baseline":
            options.baseline = value
        elif name == "--write-baseline":
            options.write_baseline = value
    return options


def _dispatch(argv: list[str]) -> int:
    if os.environ.get("DLINT_NO_FASTPATH", "") in ("", "0"):
        if argv == ["--version"]:
            from dlint import __version__

            print(f"dlint {__version__}")
            return 0
        if argv[:1] == ["check"]:
            options = parse_check_argv(argv[1:])
            if options is not None:
                from dlint.cli.check import run_check

                return run_check(options)
    from dlint.cli.app import build_app

    app = build_app(with_cache=not argv or argv[0] in ("cache", "--help", "-h"))
    try:
        app(args=argv, prog_name="dlint", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: never a traceback (DLINT_DEBUG=1 prints one after the one-line error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _dispatch(argv)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `dlint check ... | head`
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        code = 1
    except Exception as exc:
        message = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        try:
            sys.stderr.write(f"dlint: internal error: {message}\n")
            if os.environ.get("DLINT_DEBUG") == "1":
                import traceback

                traceback.print_exc()
            sys.stderr.flush()
        except Exception:
            pass
        code = 2
    return code
