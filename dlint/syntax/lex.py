"""The subset of BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) that the
Dockerfile parser uses to find heredocs: ProcessWords with an empty environment.

Only word boundaries, quote handling and the errors matter here (an error means "no
heredocs on this line", exactly as in BuildKit), so variable values are never looked up:
every variable is unset. Not a general shell parser (dlint.shell is that).
"""

from __future__ import annotations

GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                     "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_EOF = ""


class LexError(Exception):
    pass


class _Words:
    __slots__ = ("word", "words", "in_word")

    def __init__(self) -> None:
        self.word: list[str] = []
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in GO_SPACE:
            if self.in_word and self.word:
                self.words.append("".join(self.word))
                self.word = []
                self.in_word = False
        else:
            self.word.append(ch)
            self.in_word = True

    def add_raw_char(self, ch: str) -> None:
        self.word.append(ch)
        self.in_word = True

    def add_string(self, s: str) -> None:
        for ch in s:
            self.add_char(ch)

    def add_raw_string(self, s: str) -> None:
        self.word.append(s)
        self.in_word = True

    def get(self) -> list[str]:
        if self.word:
            w = "".join(self.word)
            if w:
                self.words.append(w)
            self.word = []
            self.in_word = False
        return self.words


class _Lexer:
    def __init__(self, src: str, raw_quotes: bool, raw_escapes: bool, skip_unset: bool) -> None:
        self.src = src
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset = skip_unset
        self.escape = "\\"

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else _EOF

    def next(self) -> str:
        if self.pos < len(self.src):
            ch = self.src[self.pos]
            self.pos += 1
            return ch
        return _EOF

    def process_stop_on(self, stop: str, raw_escapes: bool | None = None) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        if raw_escapes is not None:
            self.raw_escapes = raw_escapes
        try:
            return self._process_stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _process_stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words = _Words()
        src = self.src
        n = len(src)
        while self.pos < n:
            ch = src[self.pos]
            if stop and ch == stop:
                self.pos += 1
                return "".join(result), words.get()
            if ch == "$":
                tmp = self.process_dollar()
                result.append(tmp)
                words.add_string(tmp)
            elif ch == "'":
                tmp = self.process_single_quote()
                result.append(tmp)
                words.add_raw_string(tmp)
            elif ch == '"':
                tmp = self.process_double_quote()
                result.append(tmp)
                words.add_raw_string(tmp)
            else:
                self.pos += 1
                if ch == self.escape:
                    if self.raw_escapes:
                        words.add_raw_char(ch)
                        result.append(ch)
                    ch = self.next()
                    if ch == _EOF:
                        break
                    words.add_raw_char(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.get()

    def process_single_quote(self) -> str:
        result = []
        ch = self.next()
        if self.raw_quotes:
            result.append(ch)
        end = self.src.find("'", self.pos)
        if end < 0:
            raise LexError("unexpected end of statement while looking for matching single-quote")
        result.append(self.src[self.pos:end])
        self.pos = end + 1
        if self.raw_quotes:
            result.append("'")
        return "".join(result)

    def process_double_quote(self) -> str:
        result = []
        ch = self.next()
        if self.raw_quotes:
            result.append(ch)
        while True:
            p = self.peek()
            if p == _EOF:
                raise LexError("unexpected end of statement while looking for matching double-quote")
            if p == '"':
                self.next()
                if self.raw_quotes:
                    result.append('"')
                return "".join(result)
            if p == "$":
                result.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    result.append(ch)
                p = self.peek()
                if p == _EOF:
                    continue
                if p in ('"', "$", self.escape):
                    ch = self.next()
                elif not self.raw_escapes:
                    result.append(ch)
                    ch = self.next()
                else:
                    ch = self.next()
            result.append(ch)

    def process_name(self) -> str:
        name: list[str] = []
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if not name and ch.isdecimal():
                while self.pos < len(self.src) and self.src[self.pos].isdecimal():
                    name.append(self.src[self.pos])
                    self.pos += 1
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                self.pos += 1
                return ch
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            name.append(ch)
            self.pos += 1
        return "".join(name)

    def process_dollar(self) -> str:
        self.next()  # the "$"
        if self.peek() != "{":
            name = self.process_name()
            if not name:
                return "$"
            return "$" + name if self.skip_unset else ""
        self.next()
        p = self.peek()
        if p == _EOF:
            raise LexError("syntax error: missing '}'")
        if p in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        chs = ch
        if ch == "}":
            return "${%s}" % name if self.skip_unset else ""
        if ch == ":" or (ch and ch in "+-?#%"):
            if ch == ":":
                ch = self.next()
                chs += ch
            try:
                word, _ = self.process_stop_on("}", ch in ("#", "%"))
            except LexError:
                if self.peek() == _EOF:
                    raise LexError("syntax error: missing '}'") from None
                raise
            # BuildKit returns unset variables untouched before it looks at the modifier
            if self.skip_unset:
                return "${%s%s%s}" % (name, chs, word)
            if ch == "-":
                return word
            if ch == "?":
                raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if ch in ("+", "#", "%"):
                return ""
            raise LexError(f"unsupported modifier ({chs}) in substitution")
        if ch == "/":
            if self.peek() == "/":
                self.next()
            try:
                pattern, _ = self.process_stop_on("/", True)
            except LexError:
                if self.peek() == _EOF:
                    raise LexError("syntax error: missing '/' in ${}") from None
                raise
            try:
                repl, _ = self.process_stop_on("}", True)
            except LexError:
                if self.peek() == _EOF:
                    raise LexError("syntax error: missing '}'") from None
                raise
            if self.skip_unset:
                return "${%s/%s/%s}" % (name, pattern, repl)
            return ""
        raise LexError(f"unsupported modifier ({chs}) in substitution")


def process_words(src: str, *, raw_quotes: bool, raw_escapes: bool, skip_unset: bool) -> list[str]:
    """BuildKit's Lex.ProcessWords(src, emptyEnv); raises LexError where BuildKit errors."""
    return _Lexer(src, raw_quotes, raw_escapes, skip_unset).process_stop_on(_EOF)[1]
