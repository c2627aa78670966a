"""JUnit XML (de facto; GitLab artifacts:reports:junit, Jenkins, Azure DevOps).

<testsuites name="dlint"> holds one <testsuite name="dlint"> for the run. Each finding is
one failing <testcase> (classname = file = path, name = "CODE name at line:col", line =
its line) with one <failure type=severity message=...> whose text is "path:line:col CODE
name message": CI test views list one row per problem, not one row per file with many
failures folded in. A file checked without findings is one passing <testcase> (name =
path). tests/failures count those testcases; errors is 0 (dlint reports broken input as
findings).
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

    tests = sum(len(found) or 1 for found in by_file.values())
    failures = len(findings)
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "dlint", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "dlint", **counts, "skipped": "0"})
    for path, file_findings in by_file.items():
        name = _common.xml_text(path)
        if not file_findings:
            ET.SubElement(suite, "testcase", classname=name, name=name, file=name)
        for finding in file_findings:
            pos = _common.position(finding)
            case = ET.SubElement(suite, "testcase", classname=name,
                                 name=f"{finding.code} {finding.name} at {pos.line}:{pos.column}",
                                 file=name, line=str(pos.line))
            failure = ET.SubElement(case, "failure", {
                "type": finding.severity,
                "message": _common.xml_text(finding.message),
            })
            failure.text = _common.xml_text(
                f"{path}:{pos.line}:{pos.column} {finding.code} {finding.name} {finding.message}"
            )
    return _common.xml_document(root)
