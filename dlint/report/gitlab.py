"""GitLab Code Quality report: a JSON array (artifacts:reports:codequality).

Severity mapping (GitLab knows info < minor < major < critical < blocker):
error -> critical (the build breaks or the image is wrong), warning -> major,
info -> minor, style -> info; blocker is not used.
The fingerprint is unique per finding: hash of rule code, path, normalised line text and
the occurrence index of that text, so it survives unrelated lines moving, and identical
findings on identical lines do not collapse in the merge-request widget.
"""

from __future__ import annotations

import json
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup

from dlint.report import _common

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

SEVERITIES = {"error": "critical", "warning": "major", "info": "minor", "style": "info"}


def severity(dlint_severity: str) -> str:
    return SEVERITIES.get(dlint_severity, "major")


def issues(findings: list[Finding], report: Report) -> list[dict]:
    findings = _common.sorted_findings(findings)
    out = []
    for finding, (_line_hash, unique) in zip(findings, _common.fingerprints(findings, report)):
        pos = _common.position(finding)
        out.append({
            "description": f"{finding.code} {finding.name}: {finding.message}"
            if finding.name else f"{finding.code}: {finding.message}",
            "check_name": finding.code,
            "fingerprint": unique,
            "severity": severity(finding.severity),
            "location": {
                "path": _common.relative_path(finding.file, report.root),
                "lines": {"begin": pos.line, "end": pos.end_line},
            },
        })
    return out


def render(findings: list[Finding], report: Report) -> str:
    # ASCII with \u escapes: valid UTF-8 without BOM whatever stdout's encoding is.
    return json.dumps(issues(findings, report), indent=2) + "\n"
