"""Output formats: one module per format, each exposing render(findings, report) -> str.

A reporter knows findings and rule metadata, never a particular rule.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.lint.rule import Rule

# format name -> module under dlint.report (imported only when used)
FORMATS = {
    "tty": "tty",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "checkstyle": "checkstyle",
    "junit": "junit",
}


@dataclass
class Report:
    """Everything a reporter may need besides the findings."""

    rules: list[type[Rule]] = field(default_factory=list)  # every known rule (SARIF rules[])
    files: list[str] = field(default_factory=list)         # every file checked, as displayed
    sources: dict[str, list[str]] = field(default_factory=dict)  # displayed path -> lines
    root: str = "."        # paths in findings are relative to this, with "/"
    color: bool = False    # tty only
    width: int = 0         # tty with color: wrap finding messages to this many columns (0: never)
    version: str = ""
    quiet: bool = False    # tty: the findings only, without the summary line (--quiet)


def render(fmt: str, findings: list[Finding], report: Report) -> str:
    module = importlib.import_module(f"dlint.report.{FORMATS[fmt]}")
    return module.render(findings, report)
