"""The value of Docker's `# check=` parser directive, as BuildKit's linter reads it
(frontend/dockerfile/linter: ParseLintOptions). dlint.lint.buildcheck applies it;
dlint.syntax.validate reports a value BuildKit rejects."""

from __future__ import annotations

from dlint._record import Record

_KEYS = ("skip", "experimental", "error")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


class CheckOptions(Record):
    """One parsed `check` value: skipped names (or all), error, experimental names."""

    _fields = ("skip_all", "skip", "error", "experimental", "problem")

    def __init__(self, skip_all: bool = False, skip: frozenset[str] = frozenset(),
                 error: bool = False, experimental: frozenset[str] = frozenset(),
                 problem: str | None = None):
        self.skip_all = skip_all
        self.skip = skip
        self.error = error
        self.experimental = experimental
        self.problem = problem   # why BuildKit rejects the value, or None


def parse_check_value(value: str) -> CheckOptions:
    """A `check` directive's value, as BuildKit's parseLintOptions reads it."""
    value = value.strip().split(" ", 1)[0].split("\t", 1)[0]
    skip_all = error = False
    skip: set[str] = set()
    experimental: set[str] = set()
    parts = value.split(";", 2)
    for part in parts:
        key, sep, val = part.partition("=")
        key = key.strip()  # case-sensitive, as in BuildKit
        if not sep or key not in _KEYS:
            return CheckOptions(problem=f"invalid check option {part!r}")
        names = [n.strip() for n in val.split(",")]
        if key == "skip":  # a later skip= replaces an earlier one
            skip_all = val.strip() == "all"
            skip = set() if skip_all else {n for n in names if n}
        elif key == "experimental":
            experimental = {n for n in names if n}
        else:
            text = val.strip()
            if text in _TRUE:
                error = True
            elif text not in _FALSE:
                return CheckOptions(problem=f"invalid check option {part!r}: not a boolean")
    return CheckOptions(skip_all, frozenset(skip), error, frozenset(experimental))
