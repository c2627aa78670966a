"""Regular expressions compiled on first use.

Compiling a pattern costs 0.1-1 ms, paid on every `dlint check` for each module-level
re.compile() even when the file being linted never needs it (heredocs, durations, pip
names...). ``LazyPattern(pattern, flags)`` stands in for ``re.compile(pattern, flags)`` at
module level: the first method call compiles it, and the compiled pattern's methods are
then stored on the instance, so later calls cost what they cost on a re.Pattern.
Use it only through its methods/attributes (not as an argument to re.sub or isinstance).
"""

from __future__ import annotations

import re

_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
               "scanner", "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        if name == "_source":
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]!r})"
