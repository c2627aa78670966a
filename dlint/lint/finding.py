"""Findings: what rules produce and reporters print (SPEC §5 JSON shape)."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info", "style")  # most severe first


def severity_rank(severity: str) -> int:
    """Higher is more severe: error=3 ... style=0."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


@dataclass(frozen=True)
class TextEdit:
    """Replace [start, end) (1-based line/column, end exclusive) with `text`."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A fix for a finding: text edits, safe unless it may change what the build does."""

    description: str
    edits: tuple[TextEdit, ...] = ()
    safe: bool = True


@dataclass
class Finding:
    """One problem found by a rule (SPEC §5 JSON shape)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: str
    message: str
    aliases: list[str] = field(default_factory=list)
    fix: Fix | None = None

    def sort_key(self):
        return (self.file, self.line, self.column, self.code)

    def to_json(self) -> dict:
        fix = None
        if self.fix is not None:
            fix = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [e.__dict__ for e in self.fix.edits],
            }
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "aliases": list(self.aliases),
            "fix": fix,
        }
