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


class PragmaItem(Record):
    """One item of an ignore pragma's list, as written (``DL3008``, ``untagged-image``).

    The engine fills the rest for the rules that read pragmas (Rule.reads_pragmas), after
    the other rules' findings went through the pragmas: ``rules``, the codes of the rules
    it names (empty: no rule has this code, name or alias; for ``ALL`` every rule);
    ``selected``, whether this run could have suppressed something with it (every rule
    it names is selected, and for a ShellCheck code the code itself; for ``ALL`` every
    rule that is on by default); ``used``, whether it suppressed at least one finding."""

    _fields = ("text", "column", "rules", "selected", "used")

    def __init__(self, text: str, column: int = 0, rules: tuple[str, ...] = (), selected: bool = False,
                 used: bool = False):
        self.text = text
        self.column = column  # where it starts on the pragma's line (1-based)
        self.rules = rules
        self.selected = selected
        self.used = used

    @property
    def end_column(self) -> int:
        return self.column + len(self.text) - 1

    @property
    def key(self) -> str:
        return self.text.lower()


class Pragma(Record):
    """A suppression pragma comment (``# dlint: ignore=...``, ``# hadolint ignore=...``).

    ``scope``: "next", "stage" or "global". ``first``/``last``: the lines it covers (None
    for a global pragma, or when it covers nothing; then ``unreached`` says why: "blank"
    (a blank line follows it), "end" (nothing follows it), "inside" (it sits inside a
    continued instruction)). ``problem`` is set on a comment that looks like a pragma but
    is not one, so it suppresses nothing: "no-equals" (``# hadolint ignore DL3008``),
    "no-items" (``# dlint: ignore=``), "disable" (``# hadolint disable=DL3008``) or
    "shellcheck" (``# shellcheck disable=SC2086``, tool "shellcheck"); such a pragma covers
    nothing and its items are the codes it seems to name. ``stray``: codes after the list, separated from it by a space
    instead of a comma (``ignore=DL3008 DL3009``): dlint reads them as the free comment,
    hadolint ignores the whole pragma. ``end_column`` is the last column of the comment's
    text."""

    _fields = ("line", "column", "end_column", "text", "tool", "scope", "items", "first", "last",
               "unreached", "problem", "stray")

    def __init__(self, line: int, column: int, end_column: int, text: str, tool: str, scope: str,
                 items: list[PragmaItem], first: int | None = None, last: int | None = None,
                 unreached: str | None = None, problem: str | None = None,
                 stray: list[PragmaItem] | None = None):
        self.line = line
        self.column = column
        self.end_column = end_column
        self.text = text
        self.tool = tool
        self.scope = scope
        self.items = items
        self.first = first
        self.last = last
        self.unreached = unreached
        self.problem = problem
        self.stray = [] if stray is None else stray

    @property
    def form(self) -> str:
        """The pragma as it should be written: ``# hadolint ignore=DL3008,DL3009``."""
        scope = "" if self.scope == "next" else self.scope + " "
        tool = "hadolint" if self.tool == "shellcheck" else self.tool
        colon = ":" if tool == "dlint" else ""
        codes = ",".join(item.text for item in self.items + self.stray) or "CODE"
        return f"# {tool}{colon} {scope}ignore={codes}"


class Pragmas(Record):
    """The pragmas of a file, for the rules that read them (LintContext.pragmas);
    ``honoured`` is false when the configuration turns pragmas off
    (``disable-ignore-pragmas``): then none of them suppressed anything."""

    _fields = ("pragmas", "honoured")

    def __init__(self, pragmas: list[Pragma], honoured: bool = True):
        self.pragmas = pragmas
        self.honoured = honoured

    def __iter__(self):
        return iter(self.pragmas)

    def __len__(self) -> int:
        return len(self.pragmas)


class Suppressions(Record):
    _fields = ("global_items", "ranges")

    def __init__(self, global_items: set[str] | None = None,
                 ranges: list[tuple[int, int, set[str]]] | None = None):
        self.global_items = set() if global_items is None else global_items
        self.ranges = [] if ranges is None else ranges  # (first, last line, items)
        # the pragmas behind them, for recording which items suppressed something
        self.global_pragmas: list[Pragma] = []
        self.range_pragmas: list[Pragma | None] = [None] * len(self.ranges)

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

    @staticmethod
    def _mark(pragma: Pragma | None, finding: Finding) -> None:
        if pragma is None:
            return
        keys = {key.lower() for key in (finding.code, finding.name, *finding.aliases)}
        keys.add("all")
        for item in pragma.items:
            if item.key in keys:
                item.used = True

    def _record(self, finding: Finding) -> None:
        """Mark every pragma item that suppresses this finding as used (all of them: a
        finding two pragmas cover makes neither look unused)."""
        for pragma in self.global_pragmas:
            self._mark(pragma, finding)
        for (first, last, items), pragma in zip(self.ranges, self.range_pragmas):
            if first <= finding.line <= last and self._matches(items, finding):
                self._mark(pragma, finding)

    def apply(self, findings: list[Finding], record: bool = False) -> list[Finding]:
        """The findings no pragma suppresses; with ``record``, the items of the pragmas
        (Pragma.items) that suppressed some finding are marked ``used``."""
        if not self:
            return findings
        kept = []
        for finding in findings:
            if self.suppresses(finding):
                if record:
                    self._record(finding)
            else:
                kept.append(finding)
        return kept


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


# A comment that means to be a pragma but is not one: ``ignore`` not followed by ``=``
# (``# hadolint ignore DL3008``, ``# dlint: ignore: DF501``), or ``ignore=`` with no code.
# Only when what follows looks like codes (letters then digits, or ALL), so prose such as
# "# hadolint ignores this" or "# dlint ignore rules below" is left alone.
NEAR_PRAGMA_RE = LazyPattern(
    r"^(?P<tool>dlint|hadolint)\s*:?\s*(?P<scope>global\s+|stage\s+)?ignore"
    r"(?:(?P<sep>\s*[:\s]\s*)(?P<items>(?:[A-Za-z]{1,5}[0-9]{3,5}|ALL)(?:\s*,\s*(?:[A-Za-z]{1,5}[0-9]{3,5}|ALL))*)"
    r"|\s*=\s*)\s*(?:#.*)?$"
)


# ``disable=`` instead of ``ignore=``: ShellCheck's directive word, which neither dlint nor
# hadolint reads (``# hadolint disable=DL3008``), and ShellCheck's own directive as a
# Dockerfile comment (``# shellcheck disable=SC2086`` above a RUN), which ShellCheck never
# sees: BuildKit drops Dockerfile comments before the RUN's script is run or checked.
DISABLE_RE = LazyPattern(
    r"^(?P<tool>dlint|hadolint|shellcheck)\s*:?\s*(?P<scope>global\s+|stage\s+)?disable\s*=\s*"
    r"(?P<items>(?:[A-Za-z]{1,5}[0-9]{3,5}|ALL|all)(?:\s*,\s*(?:[A-Za-z]{1,5}[0-9]{3,5}|ALL|all))*)\s*(?:#.*)?$"
)

# codes right after a pragma's list, separated by spaces (not a free comment)
STRAY_CODES_RE = LazyPattern(r"^\s+(?P<codes>[A-Za-z]{1,5}[0-9]{3,5}(?:\s+[A-Za-z]{1,5}[0-9]{3,5})*)(?:\s|$)")


def _items(listed: str, line_text: str, column: int, cursor: int | None = None) -> list[PragmaItem]:
    """The items of a pragma's list, each with its column on the line (searched from
    ``cursor``, an offset; default: after the word ``ignore``)."""
    items = []
    if cursor is None:
        cursor = line_text.find("ignore", max(column - 1, 0)) + len("ignore")
    for raw in listed.split(","):
        text = raw.strip()
        at = line_text.find(text, cursor)
        if at < 0:  # not on the line as written (cannot happen with a plain comment)
            at = max(column - 1, 0)
        else:
            cursor = at + len(text)
        items.append(PragmaItem(text, at + 1))
    return items


def find_pragmas(document: Document) -> list[Pragma]:
    """Every ignore pragma of a document, in file order, with the lines each covers (see
    Pragma), and the comments that look like pragmas but are not (``problem``)."""
    found: list[Pragma] = []
    candidates = []
    lines = document.lines
    for comment in document.comments:
        if "ignore" not in comment.text and "disable" not in comment.text:  # most comments are not pragmas
            continue
        text = comment.text.strip()
        line_text = lines[comment.line - 1] if comment.line <= len(lines) else ""
        end_column = max(comment.column, len(line_text.rstrip()))
        match = PRAGMA_RE.match(text)
        if match is not None:
            scope = (match.group("scope") or "next").strip()
            items = _items(match.group("items"), line_text, comment.column)
            pragma = Pragma(comment.line, comment.column, end_column, text, match.group("tool"), scope, items)
            rest = text[match.end("items"):]
            if rest.strip() and not rest.lstrip().startswith("#"):
                stray = STRAY_CODES_RE.match(rest)
                if stray is not None:
                    after = items[-1].column + len(items[-1].text) - 1 if items else comment.column
                    pragma.stray = _items(",".join(stray.group("codes").split()), line_text, after, after)
            found.append(pragma)
            if scope != "global":
                candidates.append(pragma)
            continue
        near = NEAR_PRAGMA_RE.match(text)
        if near is not None:
            scope = (near.group("scope") or "next").strip()
            raw = near.group("items")
            items = _items(raw, line_text, comment.column) if raw else []
            found.append(Pragma(comment.line, comment.column, end_column, text, near.group("tool"), scope,
                                items, problem="no-equals" if raw else "no-items"))
            continue
        disable = DISABLE_RE.match(text)
        if disable is not None:
            scope = (disable.group("scope") or "next").strip()
            items = _items(disable.group("items"), line_text, comment.column,
                           line_text.find("disable", max(comment.column - 1, 0)) + len("disable"))
            found.append(Pragma(comment.line, comment.column, end_column, text, disable.group("tool"), scope,
                                items, problem="shellcheck" if disable.group("tool") == "shellcheck" else "disable"))
    if not candidates:
        return found
    instructions = sorted(document.instructions, key=lambda i: i.start_line)
    starts = [i.start_line for i in instructions]
    comment_lines = {c.line for c in document.comments}
    for pragma in candidates:
        line = pragma.line
        index = bisect.bisect_right(starts, line)  # first instruction starting after the pragma
        if index and instructions[index - 1].end_line >= line:
            pragma.unreached = "inside"  # a comment inside a multi-line instruction: no clear target
            continue
        # the target starts at the first line after the pragma that is not a comment
        target = line + 1
        while target in comment_lines or (target <= len(lines) and lines[target - 1].lstrip().startswith("#")):
            target += 1
        if target > len(lines):
            pragma.unreached = "end"
            continue
        if not lines[target - 1].strip():
            pragma.unreached = "blank"
            continue
        following = instructions[index] if index < len(instructions) else None
        if pragma.scope == "stage":
            last = len(lines)
            for later in instructions[index + 1 :]:
                if later.keyword == "FROM":
                    last = later.start_line - 1
                    break
            pragma.first, pragma.last = target, last
        elif following is not None and following.start_line == target:
            pragma.first, pragma.last = target, following.end_line
        else:
            pragma.first, pragma.last = target, target
    return found


def suppressions_of(pragmas: list[Pragma]) -> Suppressions:
    """What a document's pragmas (find_pragmas) suppress."""
    result = Suppressions()
    for pragma in pragmas:
        if pragma.problem is not None:
            continue
        items = {item.key for item in pragma.items}
        if pragma.scope == "global":
            result.global_items |= items
            result.global_pragmas.append(pragma)
        elif pragma.first is not None:
            result.ranges.append((pragma.first, pragma.last, items))
            result.range_pragmas.append(pragma)
    return result


def find_suppressions(document: Document) -> Suppressions:
    return suppressions_of(find_pragmas(document))
