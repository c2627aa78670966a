"""Apply the text edits that rules propose (``Finding.fix``), safely.

Only fixes marked ``safe`` are applied. Edits are positioned on the decoded text (1-based
lines split at "\\n", columns in characters, end exclusive, as TextEdit says); the file's
BOM and line endings are kept byte for byte outside the edited ranges. An edit that
overlaps one already taken is left for the next round; rounds repeat (re-linting in
between) until nothing changes, at most MAX_ROUNDS times, so a second ``--fix`` is a no-op.
Each file is written atomically: a temporary file in the same directory, then
os.replace, with the original permissions.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable

from dlint.lint.finding import Finding, TextEdit

BOM = b"\xef\xbb\xbf"
MAX_ROUNDS = 5


def _offsets(text: str) -> list[int]:
    """Offset of the start of each line (1-based line n at index n-1)."""
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _offset(starts: list[int], text: str, line: int, column: int) -> int | None:
    if not 1 <= line <= len(starts):
        return None
    begin = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)  # the "\n" itself is addressable
    position = begin + column - 1
    return position if begin <= position <= end + 1 and position <= len(text) else None


def apply_edits(text: str, fixes: Iterable[Iterable[TextEdit]]) -> tuple[str, int]:
    """The text with each fix (a group of edits, all or nothing) applied unless it overlaps
    a fix already taken; and the number of fixes applied."""
    starts = _offsets(text)
    taken: list[tuple[int, int, str]] = []
    applied = 0
    for edits in fixes:
        spans = []
        for edit in edits:
            begin = _offset(starts, text, edit.line, edit.column)
            end = _offset(starts, text, edit.end_line, edit.end_column)
            if begin is None or end is None or end < begin:
                spans = None
                break
            spans.append((begin, end, edit.text))
        if not spans:
            continue
        if any(b < e2 and s2 < e or b == s2 for b, e, _ in spans for s2, e2, _ in taken):
            continue  # overlaps a fix already taken: next round
        taken.extend(spans)
        applied += 1
    for begin, end, replacement in sorted(taken, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text, applied


def fix_text(text: str, lint: Callable[[str], Iterable[Finding]], *,
             unsafe: bool = False) -> tuple[str, int]:
    """``text`` with the fixes of ``lint(text)``'s findings applied (the unsafe ones too
    when asked), re-linting between rounds until nothing changes; and how many applied."""
    total = 0
    for _ in range(MAX_ROUNDS):
        fixes = [f.fix.edits for f in lint(text)
                 if f.fix is not None and f.fix.edits and (f.fix.safe or unsafe)]
        new_text, applied = apply_edits(text, fixes)
        if not applied or new_text == text:
            break
        text, total = new_text, total + applied
    return text, total


def write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=".dlint-fix-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fix_file(path: str, findings: Iterable[Finding]) -> int:
    """Apply the safe fixes of these findings to one file; the number of fixes applied."""
    fixes = [f.fix.edits for f in findings if f.fix is not None and f.fix.safe and f.fix.edits]
    if not fixes:
        return 0
    with open(path, "rb") as fh:
        raw = fh.read()
    bom = BOM if raw.startswith(BOM) else b""
    text = raw[len(bom):].decode("utf-8")
    new_text, applied = apply_edits(text, fixes)
    if applied and new_text != text:
        write_atomically(path, bom + new_text.encode("utf-8"))
        return applied
    return 0


def fix_run(run, relint: Callable[[], object]):
    """Fix every file of a LintRun, re-linting between rounds. (summary line, final run)."""
    total = 0
    files: set[str] = set()
    for _ in range(MAX_ROUNDS):
        by_file: dict[str, list[Finding]] = {}
        for finding in run.findings:
            if finding.fix is not None and finding.fix.safe and finding.file in run.paths:
                by_file.setdefault(finding.file, []).append(finding)
        applied = 0
        for shown, findings in by_file.items():
            count = fix_file(run.paths[shown], findings)
            if count:
                files.add(shown)
                applied += count
        if not applied:
            break
        total += applied
        run = relint()
    if not total:
        return "dlint: no fixes available", run
    return f"dlint: applied {total} fix{'es' if total != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}", run
