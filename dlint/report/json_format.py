"""`--format json`: one array of findings, sorted by file, line, column, code (SPEC §5)."""

from __future__ import annotations

import json

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report


def render(findings: list[Finding], report: Report) -> str:
    ordered = sorted(findings, key=lambda f: f.sort_key())
    return json.dumps([f.to_json() for f in ordered], indent=2, ensure_ascii=False) + "\n"
