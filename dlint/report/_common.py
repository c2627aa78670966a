"""Helpers shared by the CI formats (sarif, github, gitlab, checkstyle, junit).

One place for: where dlint's docs live, paths as CI tools want them (relative, "/"),
positions clamped to what every format accepts, the normalised source text a finding
points at, and the fingerprints built from it, and text safe for XML 1.0.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

# The project's home and rule docs: the only place these URLs are spelled out.
INFORMATION_URI = "https://github.com/dlint-docker/dlint"
RULE_DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/{code}.md"

TOOL_NAME = "dlint"


def tool_version(report: Report) -> str:
    if report.version:
        return report.version
    from dlint import __version__

    return __version__


def rule_help_uri(code: str) -> str:
    return RULE_DOCS_URI.format(code=code)


def relative_path(path: str, root: str = ".") -> str:
    """`path` relative to `root`, with "/" separators and no leading "./".

    Findings normally carry paths already relative to the root; absolute paths (and
    Windows separators) are normalised here so every format agrees.
    """
    if not path or path == "-":
        return path
    normalised = path.replace("\\", "/")
    if os.path.isabs(path) or re.match(r"^[A-Za-z]:/", normalised):
        try:
            normalised = os.path.relpath(path, os.path.abspath(root or ".")).replace("\\", "/")
        except ValueError:  # another drive on Windows: keep it absolute
            pass
    while normalised.startswith("./"):
        normalised = normalised[2:]
    return normalised or "."


@dataclass(frozen=True)
class Position:
    """A finding's position, clamped: 1-based lines and columns, end >= start.

    `end_column` is inclusive, as in Finding and the AST (SPEC §6); SARIF wants an
    exclusive end and adds 1 itself.
    """

    line: int
    column: int
    end_line: int
    end_column: int


def position(finding: Finding) -> Position:
    line = max(1, finding.line or 1)
    column = max(1, finding.column or 1)
    end_line = max(line, finding.end_line or line)
    end_column = max(1, finding.end_column or 1)
    if end_line == line and end_column < column:
        end_column = column
    return Position(line, column, end_line, end_column)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """File, line, column, code (SPEC §5), then message for a total order."""
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.code, f.message))


def _source_lines(finding: Finding, report: Report) -> list[str] | None:
    sources = report.sources
    lines = sources.get(finding.file)
    if lines is None:
        lines = sources.get(relative_path(finding.file, report.root))
    return lines


def line_text(finding: Finding, report: Report) -> str:
    """The offending source line(s), whitespace-normalised, so re-indenting or moving
    the instruction keeps the text. Falls back to the message when the source is unknown
    (never to the line number, which moves)."""
    lines = _source_lines(finding, report)
    pos = position(finding)
    if lines and pos.line <= len(lines):
        chunk = lines[pos.line - 1 : min(pos.end_line, len(lines))]
        return " ".join(" ".join(chunk).split())
    return "message:" + " ".join(finding.message.split())


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def fingerprints(findings: list[Finding], report: Report) -> list[tuple[str, str]]:
    """For each finding (same order): (primaryLocationLineHash, unique fingerprint).

    primaryLocationLineHash (SARIF, as GitHub spells it) = hash(rule code, line text)
    + ":N", N counting identical (file, code, text) in line order from 1: it does not
    contain the line number, so it survives unrelated lines moving, and two identical
    lines get different N.  The unique fingerprint (GitLab) also hashes the path and N.
    """
    order = sorted(range(len(findings)), key=lambda i: _order_key(findings[i]))
    seen: dict[tuple[str, str, str], int] = {}
    out: list[tuple[str, str]] = [("", "")] * len(findings)
    for i in order:
        finding = findings[i]
        path = relative_path(finding.file, report.root)
        text = line_text(finding, report)
        key = (path, finding.code, text)
        seen[key] = occurrence = seen.get(key, 0) + 1
        line_hash = f"{_digest(finding.code, text)[:16]}:{occurrence}"
        unique = _digest(finding.code, path, text, str(occurrence))[:32]
        out[i] = (line_hash, unique)
    return out


def _order_key(finding: Finding):
    return (finding.file, finding.line, finding.column, finding.end_line, finding.end_column,
            finding.code, finding.message)


# XML 1.0 allows tab, LF, CR and U+0020..U+D7FF, U+E000..U+FFFD, U+10000.. only.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` with characters XML 1.0 cannot carry (even as &#N;) replaced by U+FFFD."""
    return _XML_FORBIDDEN.sub("\ufffd", text)


def xml_document(root) -> str:
    """Serialise an ElementTree element: indented, ASCII with character references for
    everything else, so the bytes are valid UTF-8 whatever stdout's encoding is."""
    import xml.etree.ElementTree as ET

    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="us-ascii", xml_declaration=False).decode("ascii")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
