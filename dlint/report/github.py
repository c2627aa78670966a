"""GitHub Actions workflow commands: one `::error|warning|notice ...::message` per finding.

Escaping follows actions/toolkit (command.ts): message data escapes % CR LF; property
values additionally ":" and ",". Columns are given only for single-line findings: the
runner accepts col/endColumn only when line == endLine.

GitHub shows at most 10 annotations of each kind per step (50 per job); the rest stay in
the log. Findings are therefore printed most severe first, and a plain summary line says
how many were left without an annotation.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup

from dlint.report import _common

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

COMMANDS = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}
ANNOTATIONS_PER_KIND = 10  # per step, per kind
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def command(severity: str) -> str:
    return COMMANDS.get(severity, "warning")


def escape_data(text: str) -> str:
    text = _CONTROL.sub("\ufffd", text)  # no raw control bytes (ESC, BEL, ...) in the log
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, report: Report) -> str:
    pos = _common.position(finding)
    props = [("file", _common.relative_path(finding.file, report.root)), ("line", str(pos.line))]
    if pos.end_line == pos.line:
        props.append(("col", str(pos.column)))
    props.append(("endLine", str(pos.end_line)))
    if pos.end_line == pos.line:
        props.append(("endColumn", str(pos.end_column)))
    props.append(("title", f"{finding.code} {finding.name}".strip()))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{command(finding.severity)} {joined}::{escape_data(finding.message)}"


def _severity_order(finding: Finding) -> int:
    from dlint.lint.finding import SEVERITIES

    return SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 1


def render(findings: list[Finding], report: Report) -> str:
    ordered = sorted(_common.sorted_findings(findings), key=_severity_order)  # stable
    lines = [annotation(f, report) for f in ordered]
    kinds = Counter(command(f.severity) for f in ordered)
    hidden = sum(max(0, n - ANNOTATIONS_PER_KIND) for n in kinds.values())
    if hidden:
        counts = ", ".join(f"{kinds[k]} {k}" for k in ("error", "warning", "notice") if kinds[k])
        lines.append(f"dlint: {len(ordered)} findings ({counts}); GitHub shows at most "
                     f"{ANNOTATIONS_PER_KIND} annotations of each kind per step, "
                     f"{hidden} appear only in this log")
    return "".join(line + "\n" for line in lines)


def annotations_if_github_actions(findings: list[Finding], report: Report,
                                  environ: Mapping[str, str] | None = None) -> str:
    """What the CLI appends after its normal output when no --format was given:
    the workflow commands if running under GitHub Actions (GITHUB_ACTIONS=true), else ""."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") != "true" or not findings:
        return ""
    return render(findings, report)
