"""Docker's `# check=` parser directive, for the rules that are Docker build checks.

    # check=skip=StageNameCasing,UndefinedVar;error=true      (top of the file)
    # check=skip=all
    # check=skip=UndefinedVar                                  (in the comments right
    COPY $src /app/                                             above one instruction)

BuildKit (frontend/dockerfile/linter, dockerui/config.go) reads the file directive as
``key=value`` parts separated by ``;`` (at most 3, keys ``skip``, ``experimental``,
``error``), the value cut at its first space. ``skip=all`` turns off every build check
that is on by default; ``skip=A,B`` the named ones (names trimmed, case-sensitive,
unknown names ignored). ``error=true`` (Go ParseBool) makes the build fail when a build
check warned: here, the build-check findings of the file become errors. Since frontend
1.21 a ``# check=`` comment among the comments directly above an instruction (since the
previous instruction) adds skips for that instruction only; its ``error=`` is ignored
and a malformed one is ignored silently.

Which findings this concerns is decided by the rule, not by a list here: a rule whose
``build_check`` is true is a Docker build check, and the names in ``skip=`` are matched
against its aliases. Rules that are off by default (Docker's experimental checks) ignore
``skip``, as in BuildKit. ``experimental=`` is accepted but does not turn rules on: use
dlint's own selection (``--select``, ``extend-select``) for that.
"""

from __future__ import annotations

import bisect

from dlint._record import Record
from dlint.lint.finding import Finding
from dlint.syntax.check_directive import CheckOptions, parse_check_value
from dlint.syntax.nodes import Document

__all__ = ["BuildCheckConfig", "CheckOptions", "find_build_check_config", "parse_check_value"]

def _names_skipped(options: CheckOptions, aliases: tuple[str, ...] | list[str]) -> bool:
    return options.skip_all or any(alias in options.skip for alias in aliases)


class BuildCheckConfig(Record):
    """The file's `check` directive and the per-instruction `# check=` comments."""

    _fields = ("file", "ranges")

    def __init__(self, file: CheckOptions | None = None,
                 ranges: list[tuple[int, int, CheckOptions]] | None = None):
        self.file = file
        self.ranges = [] if ranges is None else ranges   # (first, last line, options)

    def __bool__(self) -> bool:
        return self.file is not None or bool(self.ranges)

    def apply(self, findings: list[Finding], build_checks: dict[str, tuple[bool, tuple[str, ...]]]) -> list[Finding]:
        """Drop skipped build-check findings and raise the rest to errors under error=true.

        ``build_checks`` maps the code of each build-check rule to (on by default, aliases)."""
        out: list[Finding] = []
        file = self.file if self.file is not None and self.file.problem is None else None
        for finding in findings:
            rule = build_checks.get(finding.code)
            if rule is None:
                out.append(finding)
                continue
            default_on, aliases = rule
            if default_on:
                if file is not None and _names_skipped(file, aliases):
                    continue
                if any(first <= finding.line <= last and _names_skipped(options, aliases)
                       for first, last, options in self.ranges):
                    continue
            if file is not None and file.error:
                finding.severity = "error"
            out.append(finding)
        return out


def find_build_check_config(document: Document) -> BuildCheckConfig:
    """The `check` directive of a document and its per-instruction `# check=` comments."""
    config = BuildCheckConfig()
    directive = document.directive("check")
    directive_lines = {d.line for d in document.directives}
    if directive is not None:
        config.file = parse_check_value(directive.value)
    candidates = [c for c in document.comments
                  if c.line not in directive_lines and "check" in c.text and "=" in c.text]
    if not candidates:
        return config
    instructions = document.instructions
    starts = [i.start_line for i in instructions]
    for comment in candidates:
        key, sep, value = comment.text.partition("=")
        if not sep or key.strip().lower() != "check":
            continue
        options = parse_check_value(value)
        if options.problem is not None:
            continue  # BuildKit ignores a malformed per-instruction comment
        index = bisect.bisect_right(starts, comment.line)
        if index and instructions[index - 1].end_line >= comment.line:
            continue  # inside a multi-line instruction
        if index >= len(instructions):
            continue
        target = instructions[index]
        config.ranges.append((target.start_line, target.end_line,
                              CheckOptions(options.skip_all, options.skip)))
    return config
