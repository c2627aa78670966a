"""Variable expansion as BuildKit's shell lexer does it (frontend/dockerfile/shell/lex.go).

`expand(word, env)` is `ProcessWord`: quotes are removed, the escape character escapes,
`$V`/`${V}` and the `${V<modifier>word}` forms are substituted, nothing is word-split.
`Expansion.words` is `ProcessWords` (used by EXPOSE and a few others): the same scan,
split on unquoted whitespace.

`env` maps names to values; a value of None means "declared but without a value" (an ARG
with no default): it expands as unset, but is reported in `Expansion.unknown`, as is any
name absent from `env` (it may come from the base image's environment or a build arg).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_SPECIAL_PARAMS = frozenset("@*#?-$!0")

# The most characters variables may contribute to one expanded word. BuildKit has no
# limit, so `ARG A=xx`, `ARG B=$A$A`, ... doubles a value at each ARG: 40 of them make a
# 2^40-character string (a hang, then an out-of-memory kill). Real values stay far below
# this (the longest in ../shared/corpus is under 2,000 characters); past it the word is
# left unexpanded, with `Expansion.too_large` set and an error saying why.
MAX_EXPANSION = 1 << 16
# `${V%%pattern}` tries every split point of the value: quadratic, so a long value with a
# pattern is left unexpanded (unsupported) rather than scanned.
_MAX_TRIM = 4096


@dataclass(frozen=True)
class Expansion:
    """The result of expanding one word against an environment."""

    value: str                              # the expanded word, quotes removed
    names: frozenset[str] = frozenset()     # every variable name looked up
    unknown: frozenset[str] = frozenset()   # looked up but absent from env, or None there
    error: str | None = None                # BuildKit would fail ("${V?}", bad syntax)
    unsupported: bool = False               # a form we cannot evaluate exactly (value kept raw)
    too_large: bool = False                 # over MAX_EXPANSION characters: left unexpanded
    # What produced it, so that `words` (rarely needed) is computed only on demand.
    _source: tuple | None = field(default=None, compare=False, repr=False)

    @property
    def words(self) -> tuple[str, ...]:
        """BuildKit's ProcessWords result: split on unquoted whitespace."""
        if self._source is None:
            return tuple(self.value.split())
        word, env, escape, windows, keep_unknown = self._source
        lexer = _Lexer(word, env, escape, windows)
        lexer.keep_unknown = keep_unknown
        words = _Words()
        try:
            lexer.process_stop_on("", False, words)
        except (_ExpandError, RecursionError):
            return (word,)
        return tuple(words.result())

    @property
    def unresolved(self) -> bool:
        """True when the value is not certain: unknown variables, an error, or an
        unsupported form."""
        return bool(self.unknown) or self.error is not None or self.unsupported


class _ExpandError(Exception):
    pass


class _TooLarge(_ExpandError):
    pass


class _Words:
    """BuildKit's wordsStruct: splits on unquoted whitespace coming from the source text
    or from a variable's value."""

    __slots__ = ("word", "words", "in_word")

    def __init__(self) -> None:
        self.word = ""
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch.isspace():
            if self.in_word and self.word:
                self.words.append(self.word)
                self.word = ""
                self.in_word = False
        else:
            self.word += ch
            self.in_word = True

    def add_raw(self, s: str) -> None:
        self.word += s
        self.in_word = True

    def add_string(self, s: str) -> None:
        for ch in s:
            self.add_char(ch)

    def result(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word = ""
            self.in_word = False
        return self.words


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Lexer:
    __slots__ = ("src", "pos", "n", "env", "escape", "windows", "names", "unknown",
                 "unsupported", "keep_unknown", "quotes", "_folded", "budget")

    def __init__(self, src: str, env: Mapping[str, str | None], escape: str, windows: bool):
        self.src = src
        self.pos = 0
        self.n = len(src)
        self.env = env
        self.escape = escape
        self.windows = windows
        self.names: set[str] = set()
        self.unknown: set[str] = set()
        self.unsupported = False
        self.keep_unknown = False
        self.quotes = True  # False: quotes are ordinary characters (COPY/ADD heredoc bodies)
        self._folded: dict[str, str | None] | None = None
        self.budget = MAX_EXPANSION          # characters variables may still contribute

    def spend(self, text: str) -> str:
        """`text` substituted for a variable, counted against MAX_EXPANSION."""
        self.budget -= len(text)
        if self.budget < 0:
            raise _TooLarge(f"the expansion is larger than {MAX_EXPANSION} characters")
        return text

    # -- scanner ----------------------------------------------------------------------
    def peek(self) -> str:
        return self.src[self.pos] if self.pos < self.n else ""

    def next(self) -> str:
        if self.pos < self.n:
            ch = self.src[self.pos]
            self.pos += 1
            return ch
        return ""

    # -- environment --------------------------------------------------------------------
    def get_env(self, name: str) -> tuple[str, bool]:
        self.names.add(name)
        env = self.env
        if self.windows:
            # Windows environment keys compare case-insensitively (shell.EqualEnvKeys).
            if self._folded is None:
                self._folded = {}
                for k, v in env.items():
                    self._folded[k.upper()] = v
            env = self._folded
            key = name.upper()
        else:
            key = name
        value = env.get(key)
        if value is None:
            self.unknown.add(name)
            return "", False
        return value, True

    # -- processStopOn --------------------------------------------------------------------
    def process_stop_on(self, stop: str, raw_escapes: bool, words: _Words | None = None) -> str:
        out: list[str] = []
        esc = self.escape
        while self.pos < self.n:
            ch = self.src[self.pos]
            if stop and ch == stop:
                self.pos += 1
                return "".join(out)
            if ch == "'" and self.quotes:
                tmp = self.single_quote()
                out.append(tmp)
                if words is not None:
                    words.add_raw(tmp)
            elif ch == '"' and self.quotes:
                tmp = self.double_quote()
                out.append(tmp)
                if words is not None:
                    words.add_raw(tmp)
            elif ch == "$":
                tmp = self.dollar()
                out.append(tmp)
                if words is not None:
                    words.add_string(tmp)
            else:
                self.pos += 1
                if ch == esc:
                    if raw_escapes:
                        out.append(ch)
                        if words is not None:
                            words.add_raw(ch)
                    if self.pos >= self.n:
                        break  # an escape at the very end is dropped
                    ch = self.src[self.pos]
                    self.pos += 1
                    if words is not None:
                        words.add_raw(ch)
                elif words is not None:
                    words.add_char(ch)
                out.append(ch)
        if stop:
            raise _ExpandError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(out)

    def single_quote(self) -> str:
        self.pos += 1
        end = self.src.find("'", self.pos)
        if end < 0:
            self.pos = self.n
            raise _ExpandError("unexpected end of statement while looking for matching single-quote")
        text = self.src[self.pos:end]
        self.pos = end + 1
        return text

    def double_quote(self) -> str:
        self.pos += 1
        out: list[str] = []
        esc = self.escape
        while True:
            if self.pos >= self.n:
                raise _ExpandError("unexpected end of statement while looking for matching double-quote")
            ch = self.src[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "$":
                out.append(self.dollar())
                continue
            self.pos += 1
            if ch == esc:
                if self.pos >= self.n:
                    continue  # loop reports the missing quote
                nxt = self.src[self.pos]
                # Only these can be escaped inside double quotes; other escapes stay.
                if nxt == '"' or nxt == "$" or nxt == esc:
                    ch = nxt
                    self.pos += 1
            out.append(ch)

    def name(self) -> str:
        start = self.pos
        if self.pos < self.n:
            ch = self.src[self.pos]
            if ch.isdigit():
                while self.pos < self.n and self.src[self.pos].isdigit():
                    self.pos += 1
                return self.src[start:self.pos]
            if ch in _SPECIAL_PARAMS:
                self.pos += 1
                return ch
        while self.pos < self.n and _is_name_char(self.src[self.pos]):
            self.pos += 1
        return self.src[start:self.pos]

    def dollar(self) -> str:
        start = self.pos
        self.pos += 1  # the "$"
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            value, found = self.get_env(name)
            if not found and self.keep_unknown:
                return self.src[start:self.pos]
            return self.spend(value)
        self.pos += 1  # "{"
        ch = self.peek()
        if ch == "":
            raise _ExpandError("syntax error: missing '}'")
        if ch in "{}:":
            raise _ExpandError("syntax error: bad substitution")
        name = self.name()
        ch = self.next()
        mod = ch
        if ch == "}":
            value, found = self.get_env(name)
            if not found and self.keep_unknown:
                return self.src[start:self.pos]
            return self.spend(value)
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            ch = self.next()
            mod += ch
        if ch in ("+", "-", "?", "#", "%") and ch:
            raw_escapes = ch in "#%"
            if null_is_unset and raw_escapes:
                raise _ExpandError(f"unsupported modifier ({mod}) in substitution")
            try:
                word = self.process_stop_on("}", raw_escapes)
            except _TooLarge:
                raise
            except _ExpandError:
                if self.pos >= self.n:
                    raise _ExpandError("syntax error: missing '}'") from None
                raise
            value, is_set = self.get_env(name)
            if ch == "-":
                if not is_set or (null_is_unset and value == ""):
                    return word
                return self.spend(value)
            if ch == "+":
                if not is_set or (null_is_unset and value == ""):
                    return ""
                return word
            if ch == "?":
                if not is_set:
                    raise _ExpandError(f"{name}: {word or 'is not allowed to be unset'}")
                if null_is_unset and value == "":
                    raise _ExpandError(f"{name}: {word or 'is not allowed to be empty'}")
                return self.spend(value)
            # "#" / "%": remove the shortest (longest when doubled) matching prefix/suffix.
            greedy = word.startswith(ch)
            if greedy:
                word = word[1:]
            pattern = _shell_pattern(word, self.escape)
            if pattern is None or len(value) > _MAX_TRIM:
                return self._unsupported(start)
            return self.spend(_trim(value, pattern, suffix=(ch == "%"), greedy=greedy))
        if ch == "/" and not null_is_unset:
            replace_all = self.peek() == "/"
            if replace_all:
                self.pos += 1
            try:
                pattern_text = self.process_stop_on("/", True)
            except _TooLarge:
                raise
            except _ExpandError:
                if self.pos >= self.n:
                    raise _ExpandError("syntax error: missing '/' in ${}") from None
                raise
            try:
                replacement = self.process_stop_on("}", True)
            except _TooLarge:
                raise
            except _ExpandError:
                if self.pos >= self.n:
                    raise _ExpandError("syntax error: missing '}'") from None
                raise
            value, _ = self.get_env(name)
            pattern = _shell_pattern(pattern_text, self.escape)
            # BuildKit keeps escape characters in the replacement and hands it to Go's
            # regexp replace (which reads "$"): we do not mimic that, so such cases
            # stay unexpanded.
            if pattern is None or self.escape in replacement or "$" in replacement:
                return self._unsupported(start)
            # every character may be replaced (an empty pattern matches between them too)
            self.budget -= len(value) + (len(value) + 1) * len(replacement)
            if self.budget < 0:
                raise _TooLarge(f"the expansion is larger than {MAX_EXPANSION} characters")
            if replace_all:
                return pattern.sub(lambda _m: replacement, value)
            return pattern.sub(lambda _m: replacement, value, count=1)
        raise _ExpandError(f"unsupported modifier ({mod}) in substitution")

    def _unsupported(self, start: int) -> str:
        self.unsupported = True
        return self.src[start:self.pos]


def _shell_pattern(pattern: str, escape: str) -> re.Pattern[str] | None:
    """A shell glob (`*`, `?`, `[...]`, escapes) as a regex; None if we cannot convert."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == escape:
            if i < n:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                out.append(re.escape(ch))
        elif ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1 if i < n and pattern[i] in "!^]" else i)
            if end < 0:
                out.append(re.escape(ch))
                continue
            body = pattern[i:end]
            i = end + 1
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("^", "\\^")
            out.append("[" + ("^" if negate else "") + body + "]")
        else:
            out.append(re.escape(ch))
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def _trim(value: str, pattern: re.Pattern[str], *, suffix: bool, greedy: bool) -> str:
    n = len(value)
    if suffix:
        # Shortest suffix: try from the end; longest: from the start.
        starts = range(0, n + 1) if greedy else range(n, -1, -1)
        for i in starts:
            if pattern.fullmatch(value, i):
                return value[:i]
        return value
    ends = range(n, -1, -1) if greedy else range(0, n + 1)
    for j in ends:
        if pattern.fullmatch(value, 0, j):
            return value[j:]
    return value


def _needs_processing(word: str, escape: str) -> bool:
    return "$" in word or "'" in word or '"' in word or escape in word


def _short(word: str, limit: int = 80) -> str:
    return word if len(word) <= limit else word[: limit - 3] + "..."


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\", *,
           windows: bool = False, keep_unknown: bool = False, quotes: bool = True) -> Expansion:
    """Expand one word as BuildKit's ProcessWord (and ProcessWords, in `.words`).

    Never raises: a BuildKit error gives `.error` and the raw word as `.value`.
    `keep_unknown=True` leaves plain `$V`/`${V}` references to unknown variables as
    written instead of expanding them to "" (a readable best guess when the value may
    come from the base image; modifier forms still expand as BuildKit does).
    `quotes=False` takes quotes literally, as BuildKit does for COPY/ADD heredoc bodies.
    """
    if not _needs_processing(word, escape):
        return Expansion(word)
    lexer = _Lexer(word, env, escape, windows)
    lexer.keep_unknown = keep_unknown
    lexer.quotes = quotes
    try:
        value = lexer.process_stop_on("", False)
    except _ExpandError as exc:
        return Expansion(word, frozenset(lexer.names), frozenset(lexer.unknown),
                         error=f"failed to process {_short(word)!r}: {exc}",
                         too_large=isinstance(exc, _TooLarge))
    except RecursionError:
        return Expansion(word, error=f"failed to process {_short(word)!r}: nesting too deep")
    return Expansion(value, frozenset(lexer.names), frozenset(lexer.unknown),
                     unsupported=lexer.unsupported,
                     _source=(word, env, escape, windows, keep_unknown))


def expand_words(word: str, env: Mapping[str, str | None], escape: str = "\\", *,
                 windows: bool = False) -> list[str]:
    """BuildKit's ProcessWords: expansion plus splitting on unquoted whitespace."""
    return list(expand(word, env, escape, windows=windows).words)


def suggest(name: str, candidates) -> str | None:
    """BuildKit's "did you mean" (util/suggest): the candidate nearest to `name` by
    Levenshtein distance, if that distance is 1 or 2; None when a candidate equals
    `name` or none is close enough. Ties go to the first candidate in sorted order."""
    best: str | None = None
    best_distance = 3
    for candidate in sorted(set(candidates)):
        if candidate == name:
            return None
        if abs(len(candidate) - len(name)) >= best_distance:
            continue
        distance = _levenshtein(name, candidate, best_distance)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _levenshtein(a: str, b: str, limit: int) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return previous[-1]
