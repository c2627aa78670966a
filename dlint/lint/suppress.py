"""Suppression pragmas in Dockerfile comments.

    # dlint: ignore=DF101,untagged-image     the next instruction (all of its lines)
    # dlint: global ignore=DF101             the whole file, wherever it appears
    # hadolint ignore=DL3008,DL3009          hadolint's forms, honoured through aliases
    # hadolint global ignore=DL3008
    # dlint: stage ignore=DF101              (and hadolint's) the rest of the stage

Each item is a rule code, name or alias (case-insensitive), or ALL. Anything after the
list, separated by whitespace, is a free comment: ``# dlint: ignore=DF101  # pinned
upstream``. Unknown codes are ignored (hadolint pragmas name DL/SC codes dlint may not
implement). The colon after ``dlint``/``hadolint`` is optional.

"Next instruction": unlike hadolint, other comment lines may sit between the pragma and
the instruction, so pragmas stack (``# dlint: ignore=A`` then ``# hadolint ignore=B``
then the RUN); a blank line ends the pragma's reach, as does the pragma sitting inside a
multi-line instruction. A finding is suppressed when its line falls inside the target
instruction's lines, so findings deep in a long RUN are covered too.
"""

from __future__ import annotations

import bisect

from dlint._regex import LazyPattern
from dlint._record import Record
from dlint.lint.finding import Finding
from dlint.syntax.nodes import Document

PRAGMA_RE = LazyPattern(
    r"^(?P<tool>dlint|hadolint)\s*:?\s*(?P<scope>global\s+|stage\s+)?ignore\s*=\s*"
    r"(?P<items>[\w.-]+(?:\s*,\s*[\w.-]+)*)\s*(?:[\s#].*)?$"
)


class Suppressions(Record):
    _fields = ("global_items", "ranges")

    def __init__(self, global_items: set[str] | None = None,
                 ranges: list[tuple[int, int, set[str]]] | None = None):
        self.global_items = set() if global_items is None else global_items
        self.ranges = [] if ranges is None else ranges  # (first, last line, items)

    def __bool__(self) -> bool:
        return bool(self.global_items or self.ranges)

    @staticmethod
    def _matches(items: set[str], finding: Finding) -> bool:
        if "all" in items:
            return True
        return any(key.lower() in items for key in (finding.code, finding.name, *finding.aliases))

    def suppresses(self, finding: Finding) -> bool:
        if self.global_items and self._matches(self.global_items, finding):
            return True
        return any(
            first <= finding.line <= last and self._matches(items, finding) for first, last, items in self.ranges
        )

    def apply(self, findings: list[Finding]) -> list[Finding]:
        return [f for f in findings if not self.suppresses(f)] if self else findings


SHELL_PRAGMA_RE = LazyPattern(r"^hadolint\s*:?\s*shell\s*=\s*(?P<shell>[^\s#]+)\s*(?:#.*)?$")


def shell_pragmas(document: Document) -> list[tuple[int, str]]:
    """hadolint's `# hadolint shell=NAME` pragmas, as (line, NAME) in file order: the shell
    ShellCheck checks the following RUNs with, until the next FROM or SHELL."""
    found = []
    for comment in document.comments:
        if "shell" in comment.text:
            match = SHELL_PRAGMA_RE.match(comment.text.strip())
            if match is not None:
                found.append((comment.line, match.group("shell")))
    return found


def parse_pragma(text: str) -> tuple[str, set[str]] | None:
    """("next" | "global" | "stage", lower-cased items) for a pragma comment's text (after '#')."""
    match = PRAGMA_RE.match(text.strip())
    if match is None:
        return None
    scope = (match.group("scope") or "next").strip()
    items = {item.strip().lower() for item in match.group("items").split(",")}
    return scope, items


def find_suppressions(document: Document) -> Suppressions:
    result = Suppressions()
    pragmas = []
    for comment in document.comments:
        if "ignore" in comment.text:  # cheap filter: most comments are not pragmas
            parsed = parse_pragma(comment.text)
            if parsed is not None:
                pragmas.append((comment.line, *parsed))
    if not pragmas:
        return result
    instructions = sorted(document.instructions, key=lambda i: i.start_line)
    starts = [i.start_line for i in instructions]
    comment_lines = {c.line for c in document.comments}
    lines = document.lines
    for line, scope, items in pragmas:
        if scope == "global":
            result.global_items |= items
            continue
        index = bisect.bisect_right(starts, line)  # first instruction starting after the pragma
        if index and instructions[index - 1].end_line >= line:
            continue  # a comment inside a multi-line instruction: no clear target
        # the target starts at the first line after the pragma that is not a comment
        target = line + 1
        while target in comment_lines or (target <= len(lines) and lines[target - 1].lstrip().startswith("#")):
            target += 1
        if target > len(lines) or not lines[target - 1].strip():
            continue  # end of file or a blank line: the pragma targets nothing
        following = instructions[index] if index < len(instructions) else None
        if scope == "stage":
            last = len(lines)
            for later in instructions[index + 1 :]:
                if later.keyword == "FROM":
                    last = later.start_line - 1
                    break
            result.ranges.append((target, last, items))
        elif following is not None and following.start_line == target:
            result.ranges.append((target, following.end_line, items))
        else:
            result.ranges.append((target, target, items))
    return result
