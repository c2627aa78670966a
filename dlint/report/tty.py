"""`--format tty` (default): findings for people.

Plain text unless ``Report.color`` (the CLI sets it when stdout is a terminal, NO_COLOR is
unset and TERM is not "dumb"); rich is imported only then, so pre-commit and pipes never
pay for it. Each finding is one grep-able line, then the source line with the span
underlined (with colour, a long finding line wraps at the terminal's width; plain text never
wraps, so pipes get one line per finding):

    Dockerfile:3:1: DF101 [untagged-image] warning: Pin the base image tag
      3 | FROM ubuntu
        | ^^^^^^^^^^^

and a last line "N findings in M files" (with how many `--fix` and `--fix --unsafe-fixes`
would fix, when any) or "All checks passed", left out with ``Report.quiet`` (`--quiet`).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

MAX_SOURCE_WIDTH = 160  # long lines (a 10 MB RUN) are cut around the finding


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(findings: list[Finding], report: Report) -> str:
    if not findings:
        checked = len(report.files)
        if not checked:
            return "No files checked"
        return "All checks passed" + (f" ({_plural(checked, 'file')} checked)" if checked != 1 else "")
    files = len({f.file for f in findings})
    text = f"{_plural(len(findings), 'finding')} in {_plural(files, 'file')}"
    safe = sum(1 for f in findings if f.fix is not None and f.fix.edits and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.edits and not f.fix.safe)
    hints = []
    if safe:
        hints.append(f"{safe} fixable with --fix")
    if unsafe:
        hints.append(f"{unsafe} more with --fix --unsafe-fixes")
    return f"{text} ({', '.join(hints)})" if hints else text


def excerpt(finding: Finding, report: Report) -> tuple[int, str, int, int] | None:
    """(line number, shown text, caret offset, caret width) for the finding's first line."""
    lines = report.sources.get(finding.file)
    if not lines or not 1 <= finding.line <= len(lines):
        return None
    raw = lines[finding.line - 1].rstrip("\r")
    start = min(max(finding.column, 1) - 1, len(raw))
    end = finding.end_column if finding.end_line == finding.line else len(raw)  # inclusive = exclusive 0-based
    end = min(max(end, start + 1), max(len(raw), start + 1))
    text = raw
    if "\t" in raw:  # columns count characters; the terminal shows tabs wide
        start, end, text = len(raw[:start].expandtabs(4)), len(raw[:end].expandtabs(4)), raw.expandtabs(4)
    if len(text) > MAX_SOURCE_WIDTH:  # a window around the start
        left = max(0, min(start - 20, len(text) - MAX_SOURCE_WIDTH))
        prefix = "..." if left else ""
        suffix = "..." if left + MAX_SOURCE_WIDTH < len(text) else ""
        text = prefix + text[left : left + MAX_SOURCE_WIDTH] + suffix
        start = start - left + len(prefix)
        end = min(end - left + len(prefix), len(text) - len(suffix))
    return finding.line, text, start, max(1, end - start)


def _safe(text: str) -> str:
    """Control characters would drive the terminal: show them escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def _cells(text: str) -> int:
    """Terminal columns `text` takes: East Asian wide and fullwidth characters take two,
    combining marks and zero-width characters none (counting characters put the caret
    under the wrong word after CJK text)."""
    if text.isascii():
        return len(text)
    import unicodedata

    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _underline(text: str, start: int, width: int) -> tuple[str, int, int]:
    """(text as shown, caret column, caret width) in terminal cells, not characters."""
    safe = _safe(text)
    if safe != text:  # escaping moved the columns: underline the whole line
        start, width = 0, max(1, len(safe))
    return safe, _cells(safe[:start]), max(1, _cells(safe[start:start + width]))


def render_plain(findings: list[Finding], report: Report) -> str:
    out: list[str] = []
    for f in sorted(findings, key=lambda f: f.sort_key()):
        out.append(f"{f.file}:{f.line}:{f.column}: {f.code} [{f.name}] {f.severity}: {_safe(f.message)}")
        shown = excerpt(f, report)
        if shown is not None:
            number, text, start, width = shown
            gutter = len(str(number))
            safe, start, width = _underline(text, start, width)
            out.append(f"  {number} | {safe}")
            out.append(f"  {' ' * gutter} | {' ' * start}{'^' * width}")
    if not report.quiet:
        out.append(summary(findings, report))
    return "".join(line + "\n" for line in out)


SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan", "style": "magenta"}


def render_rich(findings: list[Finding], report: Report) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    # the finding line wraps at the terminal's width; source excerpts never wrap (soft_wrap)
    # no_color=False: the CLI decided (`--color always` wins over NO_COLOR)
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=report.width or 10_000,
                      highlight=False, emoji=False, markup=False, no_color=False)
    for f in sorted(findings, key=lambda f: f.sort_key()):
        line = Text()
        line.append(f"{f.file}:{f.line}:{f.column}", style="bold")
        line.append(": ")
        line.append(f.code, style=SEVERITY_STYLES.get(f.severity, ""))
        line.append(f" [{f.name}] ", style="dim")
        line.append(f.severity, style=SEVERITY_STYLES.get(f.severity, ""))
        line.append(f": {_safe(f.message)}")
        console.print(line, soft_wrap=not report.width)
        shown = excerpt(f, report)
        if shown is not None:
            number, text, start, width = shown
            safe, start, width = _underline(text, start, width)
            gutter = len(str(number))
            # Text.assemble, not Text + Text: a sum takes the first part's style for the
            # whole line, which painted the source text blue like the gutter.
            console.print(Text.assemble((f"  {number} | ", "blue"), safe), soft_wrap=True)
            console.print(Text.assemble((f"  {' ' * gutter} | ", "blue"),
                                        (" " * start + "^" * width, SEVERITY_STYLES.get(f.severity, ""))),
                          soft_wrap=True)
    if not report.quiet:
        console.print(Text(summary(findings, report), style="bold red" if findings else "bold green"),
                      soft_wrap=True)
    return buffer.getvalue()


def render(findings: list[Finding], report: Report) -> str:
    if report.color:
        return render_rich(findings, report)
    return render_plain(findings, report)
