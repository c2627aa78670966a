"""Checkstyle XML (de facto format read by reviewdog, Jenkins Warnings NG, ...).

One <file> per file checked, findings or not; severity error|warning|info (style -> info);
source="dlint.CODE".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup

from dlint.report import _common

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

SEVERITIES = {"error": "error", "warning": "warning", "info": "info", "style": "info"}


def files_in_order(findings: list[Finding], report: Report) -> list[str]:
    """Every file checked, as given, then any file only findings mention; relative, "/"."""
    paths = [_common.relative_path(p, report.root) for p in report.files]
    paths += [_common.relative_path(f.file, report.root) for f in findings]
    return list(dict.fromkeys(paths))


def render(findings: list[Finding], report: Report) -> str:
    findings = _common.sorted_findings(findings)
    by_file: dict[str, list[Finding]] = {p: [] for p in files_in_order(findings, report)}
    for finding in findings:
        by_file[_common.relative_path(finding.file, report.root)].append(finding)

    root = ET.Element("checkstyle", version="4.3")
    for path, file_findings in by_file.items():
        file_el = ET.SubElement(root, "file", name=_common.xml_text(path))
        for finding in file_findings:
            pos = _common.position(finding)
            ET.SubElement(file_el, "error", {
                "line": str(pos.line),
                "column": str(pos.column),
                "severity": SEVERITIES.get(finding.severity, "warning"),
                "message": _common.xml_text(finding.message),
                "source": _common.xml_text(f"dlint.{finding.code}"),
            })
    return _common.xml_document(root)
