"""`--statistics`: how many findings each code has, instead of the findings (as ruff does).

Text (with ``--format tty``), one line per code, most findings first (ties by code),
columns separated by tabs as flake8's and ruff's statistics are::

    412	DF510	[ ] apt-unpinned
     97	DF502	[*] apk-no-cache

``[*]``: the code's findings have a fix that `--fix` applies (with ``unsafe``, as with
``--unsafe-fixes``, unsafe fixes count too); the marks are left out when no code has one.
Then the tty summary line (not with ``quiet``). Nothing at all when there are no findings.
JSON (``--format json``): an array of ``{"code", "name", "count", "fixable"}`` in the same
order (``[]`` when there are no findings).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup
if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

FORMATS = ("tty", "json")


def _fixable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (fix.safe or unsafe)


def rows(findings: list[Finding], unsafe: bool = False) -> list[dict]:
    """{code, name, count, fixable} per code, most findings first, then by code."""
    by_code: dict[str, dict] = {}
    for f in findings:
        row = by_code.get(f.code)
        if row is None:
            row = by_code[f.code] = {"code": f.code, "name": f.name, "count": 0, "fixable": False}
        row["count"] += 1
        if not row["fixable"] and _fixable(f, unsafe):
            row["fixable"] = True
    return sorted(by_code.values(), key=lambda r: (-r["count"], r["code"]))


def render(fmt: str, findings: list[Finding], report: Report, unsafe: bool = False) -> str:
    table = rows(findings, unsafe)
    if fmt == "json":
        import json

        return json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    if not table:
        return ""
    count_width = len(str(table[0]["count"]))
    code_width = max(len(r["code"]) for r in table)
    marks = any(r["fixable"] for r in table)
    lines = []
    for r in table:
        mark = ("[*] " if r["fixable"] else "[ ] ") if marks else ""
        lines.append(f"{r['count']:>{count_width}}\t{r['code']:<{code_width}}\t{mark}{r['name']}")
    if not report.quiet:
        from dlint.report.tty import summary

        lines.append(summary(findings, report))
    return "".join(line + "\n" for line in lines)
