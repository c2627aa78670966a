"""JUnit XML (de facto; GitLab artifacts:reports:junit, Jenkins, Azure DevOps).

<testsuites name="dlint"> holds one <testsuite name="dlint"> for the run; each file
checked is one <testcase> (classname = name = file = path), passing when it has no
finding, else carrying one <failure type=severity message=...> per finding whose text is
"path:line:col CODE name message". tests/failures count testcases (files), as JUnit
consumers expect; errors is 0 (dlint reports broken input as findings).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup

from dlint.report import _common
from dlint.report.checkstyle import files_in_order

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report


def render(findings: list[Finding], report: Report) -> str:
    findings = _common.sorted_findings(findings)
    by_file: dict[str, list[Finding]] = {p: [] for p in files_in_order(findings, report)}
    for finding in findings:
        by_file[_common.relative_path(finding.file, report.root)].append(finding)

    tests = len(by_file)
    failures = sum(1 for found in by_file.values() if found)
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "dlint", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "dlint", **counts, "skipped": "0"})
    for path, file_findings in by_file.items():
        name = _common.xml_text(path)
        case = ET.SubElement(suite, "testcase", classname=name, name=name, file=name)
        for finding in file_findings:
            pos = _common.position(finding)
            failure = ET.SubElement(case, "failure", {
                "type": finding.severity,
                "message": _common.xml_text(finding.message),
            })
            failure.text = _common.xml_text(
                f"{path}:{pos.line}:{pos.column} {finding.code} {finding.name} {finding.message}"
            )
    return _common.xml_document(root)
