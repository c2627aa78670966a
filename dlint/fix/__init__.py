"""Apply the text edits that rules propose (``Finding.fix``), safely.

Fixes marked ``safe`` are applied by ``--fix``; ``--unsafe-fixes`` adds the others. Edits are positioned on the decoded text (1-based
lines split at "\\n", columns in characters, end exclusive, as TextEdit says); the file's
BOM and line endings are kept byte for byte outside the edited ranges. An edit that
overlaps one already taken is left for the next round; rounds repeat (re-linting in
between) until nothing changes, at most MAX_ROUNDS times, so a second ``--fix`` is a no-op.
Each file is written atomically: a temporary file in the same directory, then
os.replace, with the original permissions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from dlint.lint.finding import Finding, TextEdit, severity_rank

BOM = b"\xef\xbb\xbf"
MAX_ROUNDS = 25  # rules that report one finding per RUN reveal the next once fixed


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
    new_text, applied, _ = _apply_edits(text, fixes)
    return new_text, applied


def _apply_edits(text: str, fixes: Iterable[Iterable[TextEdit]]) -> tuple[str, int, list[int]]:
    starts = _offsets(text)
    taken: list[tuple[int, int, str]] = []
    applied = 0
    indexes: list[int] = []
    for index, edits in enumerate(fixes):
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
        indexes.append(index)
    for begin, end, replacement in sorted(taken, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text, applied, indexes


class FixResult:
    """The outcome of fixing one text: the new text, how many fixes were applied (per
    code), the findings of the fixed text, and how many of those an unsafe run would fix."""

    __slots__ = ("text", "applied", "by_code", "findings")

    def __init__(self, text: str, applied: int, by_code: dict[str, int], findings: list[Finding]):
        self.text = text
        self.applied = applied
        self.by_code = by_code
        self.findings = findings

    def unsafe_left(self) -> int:
        return sum(1 for f in self.findings if f.fix is not None and f.fix.edits and not f.fix.safe)


def fix_text_result(text: str, lint: Callable[[str], Iterable[Finding]], *,
                    unsafe: bool = False, findings: list[Finding] | None = None) -> FixResult:
    """``text`` with the fixes of its findings applied (the unsafe ones too when asked),
    re-linting between rounds until nothing changes. ``findings``: those of ``text``
    when already known (saves one lint)."""
    by_code: dict[str, int] = {}
    total = 0
    current = list(lint(text)) if findings is None else list(findings)
    for _ in range(MAX_ROUNDS):
        fixable = [f for f in current
                   if f.fix is not None and f.fix.edits and (f.fix.safe or unsafe)]
        new_text, taken = _apply(text, fixable)
        if not taken or new_text == text:
            break
        text, total = new_text, total + len(taken)
        for finding in taken:
            by_code[finding.code] = by_code.get(finding.code, 0) + 1
        current = list(lint(text))
    return FixResult(text, total, by_code, current)


def _apply(text: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    new_text, _, indexes = _apply_edits(text, [f.fix.edits for f in findings])
    return new_text, [findings[i] for i in indexes]


def fix_text(text: str, lint: Callable[[str], Iterable[Finding]], *,
             unsafe: bool = False) -> tuple[str, int]:
    """``text`` with the fixes of ``lint(text)``'s findings applied (the unsafe ones too
    when asked), re-linting between rounds until nothing changes; and how many applied."""
    result = fix_text_result(text, lint, unsafe=unsafe)
    return result.text, result.applied


def write_atomically(path: str, data: bytes) -> None:
    import tempfile  # here: rules import dlint.fix (their fixes) on every run; ~4 ms

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


def fix_file(path: str, findings: Iterable[Finding], *, unsafe: bool = False) -> int:
    """Apply the fixes of these findings (the safe ones; the unsafe ones too when asked)
    to one file, one round, no re-linting; the number of fixes applied."""
    fixes = [f.fix.edits for f in findings
             if f.fix is not None and f.fix.edits and (f.fix.safe or unsafe)]
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


class FixOutcome:
    """What a --fix or --diff run did: per file the new text, totals, and the findings
    left (the report shows those)."""

    def __init__(self):
        self.changed: dict[str, tuple[str, str]] = {}  # shown path -> (old text, new text)
        self.applied = 0
        self.by_code: dict[str, int] = {}
        self.unsafe_left = 0
        self.errors: list[str] = []

    def summary(self, *, unsafe: bool, wrote: bool) -> str:
        files = len(self.changed)
        if self.applied:
            verb = "fixed" if wrote else "would fix"
            text = (f"dlint: {verb} {self.applied} finding{_s(self.applied)} "
                    f"in {files} file{_s(files)}")
        else:
            text = "dlint: nothing to fix"
        if self.unsafe_left and not unsafe:
            text += (f"; {self.unsafe_left} more fixable with --unsafe-fixes")
        return text


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def fix_run(run, *, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Fix every file of a LintRun (stdin too: its new text is in the outcome). Replaces
    each fixed file's findings in ``run`` by those of the fixed text; writes the files
    (atomically, mode and BOM kept) when ``write``."""
    outcome = FixOutcome()
    by_file: dict[str, list[Finding]] = {}
    for finding in run.findings:
        by_file.setdefault(finding.file, []).append(finding)
    findings: list[Finding] = []
    for shown in run.files:
        current = by_file.get(shown, [])
        if shown not in run.texts or not any(f.fix is not None and f.fix.edits for f in current):
            findings.extend(current)
            continue
        bom, text = run.texts[shown]
        result = fix_text_result(text, run.linters[shown], unsafe=unsafe, findings=current)
        outcome.unsafe_left += result.unsafe_left()
        if not result.applied or result.text == text:
            findings.extend(result.findings)
            continue
        if _breaks(text, result.text):  # a fix bug must never cost the user a working file
            outcome.errors.append(f"{shown}: the fixes would make the file invalid; nothing "
                                  f"written (please report this)")
            findings.extend(current)
            continue
        if write and shown in run.paths:
            try:
                write_atomically(run.paths[shown], bom + result.text.encode("utf-8"))
            except OSError as exc:
                outcome.errors.append(f"{shown}: cannot write the fixed file: {exc.strerror or exc}")
                findings.extend(current)
                continue
        findings.extend(result.findings)
        lines = result.text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        run.sources[shown] = [line.rstrip("\r") for line in lines]
        outcome.changed[shown] = (text, result.text)
        outcome.applied += result.applied
        for code, count in result.by_code.items():
            outcome.by_code[code] = outcome.by_code.get(code, 0) + count
    findings.sort(key=Finding.sort_key)
    run.findings = findings
    run.failing = any(severity_rank(f.severity) >= run.floors.get(f.file, 0) for f in findings)
    return outcome


def _breaks(old: str, new: str) -> bool:
    """True when ``new`` has syntax errors ``old`` did not have."""
    from dlint.syntax import parse

    before = {(e.message, e.layer) for e in parse(old).errors}
    return any((e.message, e.layer) not in before for e in parse(new).errors)


def unified_diff(shown: str, old: str, new: str) -> str:
    """A unified diff of one file (``a/`` and ``b/`` prefixes, like git)."""
    import difflib

    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{shown}", f"b/{shown}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)
