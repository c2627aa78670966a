"""A Dockerfile parser that behaves like BuildKit's (moby/buildkit frontend/dockerfile/parser).

One pass over the lines, as BuildKit's Parse does: parser directives in the leading
comment block, line continuation (`escape[ \\t]*$`, not after an escaped escape), comment
and blank lines dropped inside a continuation, heredoc bodies read after the logical line,
then each logical line split into keyword, `--flags` and a value shaped per instruction
(BuildKit's dispatch table: parseMaybeJSON, parseNameVal, ...). Positions are kept for
every instruction and flag.

Where current BuildKit differs from v0.12.5 (the `dockerfile` test oracle) this follows
current BuildKit: the `check` directive, JSON followed by trailing data is shell form, flag
values are unescaped with the escape character, and `<< EOF` (with a space) is a heredoc.

dockerfile-parse is not used at run time: it is a line-regex parser that is wrong on
heredocs, blank/comment lines in continuations, trailing `\\\\`, BOMs and bare last lines,
and it exposes no flags, exec form, heredocs or directives; where it is right (plain
instruction boundaries and keywords) it adds nothing this parser lacks. It remains a
cross-check in tests/test_parser_differential.py.
"""

from __future__ import annotations

import gc
import json
import math
import re
from bisect import bisect_right

from dlint._regex import LazyPattern

from .lex import GO_SPACE, LexError, process_words
from .nodes import (
    Comment,
    Directive,
    Document,
    Flag,
    Heredoc,
    Instruction,
    Span,
    SyntaxIssue,
)

_GO_SPACE_STR = "".join(sorted(GO_SPACE))
_ASCII_SPACE = frozenset("\t\n\v\f\r ")
# BuildKit's reWhitespace: splits keyword from arguments and whitespace-delimited values.
_RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# BuildKit's DirectiveParser regexp; Go's \s is [\t\n\f\r ].
_RE_DIRECTIVE = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*")
_RE_HEREDOC = LazyPattern(r"([0-9]*)<<(-?)([^<]*)", re.S)
_RE_HEREDOC_OPEN = LazyPattern(r"([0-9]*)<<(-?)")
_RE_LEADING_TABS = LazyPattern(r"^\t+", re.M)
_RE_SURROGATE = LazyPattern("[\ud800-\udfff]")
# Runs of characters with no special meaning for the word scanners (fast path).
_PLAIN_FLAG_RUN = {e: re.compile("[^\t\n\v\f\r '\"" + re.escape(e) + "]+") for e in "\\`"}
_PLAIN_WORD_RUN = {e: re.compile("[^" + re.escape(_GO_SPACE_STR) + "'\"" + re.escape(e) + "]+")
                   for e in "\\`"}
_PLAIN_QUOTED_RUN = {(e, q): re.compile("[^" + re.escape(q + e) + "]+") for e in "\\`" for q in "'\""}

KNOWN_DIRECTIVES = ("syntax", "escape", "check")
HEREDOC_INSTRUCTIONS = frozenset(("ADD", "COPY", "RUN"))
KNOWN_INSTRUCTIONS = frozenset((
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
))


class _ParseError(Exception):
    """An error BuildKit's parser raises (it then rejects the whole file)."""


class _NotStringArray(_ParseError):
    pass


def _keyword_key(cmd: str) -> str:
    """strings.ToUpper(strings.ToLower(cmd)) the way Go maps it (U+0130 lowers to 'i')."""
    if not cmd.isascii():
        cmd = cmd.replace("\u0130", "i")
    return cmd.lower().upper()


# ---------------------------------------------------------------- value parsers


def _reject_constant(name: str):
    raise ValueError(name)


def _go_number(text: str):
    # Go decodes JSON numbers into float64 and fails (not "not a string") when out of range.
    if math.isinf(float(text)):
        raise ValueError("number out of range")
    return 0


_JSON = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_go_number, parse_int=_go_number)


def parse_json_array(rest: str) -> list[str] | None:
    """BuildKit's parseJSON (json.Unmarshal, so no trailing data): the strings, or None."""
    rest = rest.lstrip(_GO_SPACE_STR)
    if not rest.startswith("["):
        return None
    try:
        value = _JSON.decode(rest)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    for item in value:
        if not isinstance(item, str):
            raise _NotStringArray("when using JSON array syntax, arrays must be comprised of strings only")
    # Go replaces unpaired surrogate escapes with U+FFFD.
    return [_RE_SURROGATE.sub("\ufffd", s) if not s.isascii() else s for s in value]


def parse_words(rest: str, escape: str) -> list[str]:
    """BuildKit's parseWords: split on whitespace, quotes and escapes kept in the words."""
    words: list[str] = []
    n = len(rest)
    pos = 0
    plain = _PLAIN_WORD_RUN[escape]
    while pos < n:
        # in spaces
        while pos < n and rest[pos] in GO_SPACE:
            pos += 1
        if pos >= n:
            break
        word: list[str] = []
        blank_ok = False
        quote = ""
        in_quote = False
        while pos < n:
            if not in_quote:
                m = plain.match(rest, pos)
                if m:
                    word.append(m.group())
                    pos = m.end()
                    continue
                ch = rest[pos]
                if ch in GO_SPACE:
                    break
                if ch == "'" or ch == '"':
                    quote = ch
                    blank_ok = True
                    in_quote = True
                    word.append(ch)
                    pos += 1
                    continue
                if ch == escape:
                    if pos + 1 == n:
                        pos += 1
                        continue
                    word.append(rest[pos:pos + 2])
                    pos += 2
                    continue
                word.append(ch)
                pos += 1
            else:
                m = _PLAIN_QUOTED_RUN[(escape, quote)].match(rest, pos)
                if m:
                    word.append(m.group())
                    pos = m.end()
                    continue
                ch = rest[pos]
                if ch == quote:
                    in_quote = False
                    word.append(ch)
                    pos += 1
                    continue
                # ch is the escape character
                if quote == "'":
                    word.append(ch)
                    pos += 1
                    continue
                if pos + 1 == n:
                    in_quote = False
                    pos += 1
                    continue
                word.append(rest[pos:pos + 2])
                pos += 2
        w = "".join(word)
        if blank_ok or w:
            words.append(w)
    return words


def _split_ws(rest: str) -> list[str]:
    if not rest:
        return []
    if "\t" not in rest and "\v" not in rest and "\f" not in rest and "\r" not in rest and "  " not in rest:
        return rest.split(" ")  # fast path, same result as the regex split
    return _RE_WHITESPACE.split(rest)


def _parse_name_val(rest: str, key: str, escape: str) -> list[str]:
    words = parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _RE_WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise _ParseError(f"{key} must have two arguments")
        return [parts[0], parts[1]]
    out: list[str] = []
    for word in words:
        if "=" not in word:
            raise _ParseError(f"Syntax error - can't find = in {json.dumps(word)}. Must be of the form: name=value")
        k, _, v = word.partition("=")
        out += (k, v)
    return out


def _parse_maybe_json(rest: str) -> tuple[list[str], bool]:
    if not rest:
        return [], False
    values = parse_json_array(rest)
    if values is not None:
        return values, True
    return [rest], False


def _parse_maybe_json_to_list(rest: str) -> tuple[list[str], bool]:
    values = parse_json_array(rest)
    if values is not None:
        return values, True
    return _split_ws(rest), False


def _parse_health(rest: str) -> tuple[list[str], bool]:
    # BuildKit scans bytes with unicode.IsSpace: for whole characters that is ASCII space.
    sep = 0
    n = len(rest)
    while sep < n and rest[sep] not in _ASCII_SPACE:
        sep += 1
    if sep == 0:
        return [], False
    nxt = sep
    while nxt < n and rest[nxt] in _ASCII_SPACE:
        nxt += 1
    cmd, is_json = _parse_maybe_json(rest[nxt:])
    return [rest[:sep], *cmd], is_json


# ---------------------------------------------------------------- flags


def extract_flags(line: str, escape: str) -> tuple[list[tuple[str, int, int]], int]:
    """BuildKit's extractBuilderFlags: leading `--` words as (word, start, end), and the
    offset where the arguments start. Quotes are removed and the escape character
    (current BuildKit; v0.12.5 always used a backslash) escapes the next character."""
    words: list[tuple[str, int, int]] = []
    n = len(line)
    pos = 0
    plain = _PLAIN_FLAG_RUN[escape]
    while True:
        while pos < n and line[pos] in _ASCII_SPACE:
            pos += 1
        if pos >= n:
            return words, n
        if line[pos] != "-" or pos + 1 == n or line[pos + 1] != "-":
            return words, pos
        start = pos
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            if not quote:
                m = plain.match(line, pos)
                if m:
                    word.append(m.group())
                    pos = m.end()
                    continue
                ch = line[pos]
                if ch in _ASCII_SPACE:
                    break
                if ch == "'" or ch == '"':
                    quote = ch
                    blank_ok = True
                    pos += 1
                    continue
                # the escape character
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(line[pos + 1])
                pos += 2
            else:
                ch = line[pos]
                if ch == quote:
                    quote = ""
                    pos += 1
                    continue
                if ch == escape:
                    if pos + 1 == n:
                        quote = ""
                        pos += 1
                        continue
                    word.append(line[pos + 1])
                    pos += 2
                    continue
                word.append(ch)
                pos += 1
        w = "".join(word)
        if w == "--":
            return words, pos
        if blank_ok or w:
            words.append((w, start, pos))
        if pos >= n:
            return words, n


# ---------------------------------------------------------------- heredocs


def _heredoc_from_word(word: str, rest_override: str | None = None) -> Heredoc | None:
    m = _RE_HEREDOC.fullmatch(word)
    if not m:
        return None
    fd_text, chomp, rest = m.group(1), m.group(2) == "-", m.group(3)
    if rest_override is not None:
        rest = rest_override
    if not rest:
        return None
    try:
        words = process_words(rest, raw_quotes=False, raw_escapes=False, skip_unset=True)
        if len(words) != 1:
            return None
        raw = process_words(rest, raw_quotes=True, raw_escapes=False, skip_unset=True)
    except LexError as e:
        raise _ParseError(str(e)) from None
    if len(raw) != 1:
        raise _ParseError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0]
    quotes = name.count("'") + name.count('"')
    raw_quotes = raw[0].count("'") + raw[0].count('"')
    fd = min(int(fd_text), 2**64 - 1) if fd_text else 0
    return Heredoc(name=name, content="", expand=quotes == raw_quotes, chomp=chomp, file_descriptor=fd)


def heredocs_from_line(line: str) -> list[Heredoc]:
    """BuildKit's heredocsFromLine; `<< EOF` (space before the word) is a heredoc as in
    current BuildKit."""
    try:
        words = process_words(line, raw_quotes=True, raw_escapes=True, skip_unset=True)
    except LexError:
        return []
    docs: list[Heredoc] = []
    i = 0
    while i < len(words):
        word = words[i]
        doc = _heredoc_from_word(word)
        if doc is None and i + 1 < len(words) and _RE_HEREDOC_OPEN.fullmatch(word) \
                and "<" not in words[i + 1]:
            doc = _heredoc_from_word(word, words[i + 1])
            if doc is not None:
                i += 1
        if doc is not None:
            docs.append(doc)
        i += 1
    return docs


# ---------------------------------------------------------------- the line -> node step


class _PosMap:
    """Maps offsets in a joined logical line back to (line, column)."""

    __slots__ = ("starts", "lines", "cols")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.lines: list[int] = []
        self.cols: list[int] = []

    def add(self, offset: int, line: int, col0: int) -> None:
        self.starts.append(offset)
        self.lines.append(line)
        self.cols.append(col0)

    def at(self, offset: int) -> tuple[int, int]:
        if len(self.starts) == 1:
            return self.lines[0], self.cols[0] + offset + 1
        i = bisect_right(self.starts, offset) - 1
        if i < 0:
            i = 0
        return self.lines[i], self.cols[i] + offset - self.starts[i] + 1

    def span(self, start: int, end: int) -> Span:
        """Span of [start, end) in the logical line (end column inclusive)."""
        line, col = self.at(start)
        end_line, end_col = self.at(max(start, end - 1))
        return Span(line, col, end_line, end_col)


def _new_node(line: str, escape: str, pmap: _PosMap | None, base: int,
              start_line: int, end_line: int) -> tuple[Instruction, list[str]]:
    """BuildKit's newNodeFromLine. Returns the instruction and BuildKit parse errors."""
    errors: list[str] = []
    stripped = line.lstrip(_GO_SPACE_STR)
    lead = len(line) - len(stripped)
    trimmed = stripped.rstrip(_GO_SPACE_STR)
    m = _RE_WHITESPACE.search(trimmed)
    flags: list[Flag] = []
    if m:
        cmd = trimmed[:m.start()]
        rest = trimmed[m.end():]
        rest_off = lead + m.end()
        words, arg_start = extract_flags(rest, escape)
        for raw, s, e in words:
            name, eq, value = raw[2:].partition("=")
            span = pmap.span(base + rest_off + s, base + rest_off + e) if pmap else None
            flags.append(Flag(name=name, value=value if eq else None, raw=raw, span=span))
        args_raw = rest[arg_start:]
        args = args_raw.strip(_GO_SPACE_STR)
        args_off = rest_off + arg_start + (len(args_raw) - len(args_raw.lstrip(_GO_SPACE_STR)))
    else:
        cmd = trimmed
        args = ""
        args_off = lead + len(trimmed)
    key = _keyword_key(cmd)
    keyword = key if key in KNOWN_INSTRUCTIONS else cmd.upper()
    instr = Instruction(keyword=keyword, raw_keyword=cmd, start_line=start_line, end_line=end_line,
                        flags=flags, original=line)
    if pmap is not None:
        instr.span = pmap.span(base + lead, base + lead + max(len(trimmed), 1))
    value: list[str] = []
    is_json = False
    try:
        if key in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            value, is_json = _parse_maybe_json(args)
        elif key in ("ADD", "COPY", "VOLUME"):
            value, is_json = _parse_maybe_json_to_list(args)
        elif key in ("FROM", "EXPOSE"):
            value = _split_ws(args)
        elif key in ("ENV", "LABEL"):
            value = _parse_name_val(args, key, escape)
        elif key == "ARG":
            value = parse_words(args, escape)
        elif key in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
            value = [args] if args else []
        elif key == "HEALTHCHECK":
            value, is_json = _parse_health(args)
        elif key == "ONBUILD":
            if args:
                sub, sub_errors = _new_node(args, escape, pmap, base + args_off, start_line, end_line)
                errors += sub_errors
                instr.sub_instruction = sub
                value = [args]
        else:
            value = [""]  # parseIgnore: BuildKit keeps one empty value node
    except _ParseError as e:
        errors.append(str(e))
        value = [args] if args else []
    instr.value = value
    instr.json = is_json
    return instr, errors


def _trim_continuation(s: str, escape: str) -> tuple[str, bool]:
    """BuildKit's trimContinuationCharacter: (text, continues)."""
    r = s.rstrip(" \t")
    if r and r[-1] == escape and (len(r) == 1 or r[-2] != escape):
        return r[:-1], True
    return s, False


# ---------------------------------------------------------------- the parse loop


def parse_text(text: str, path: str = "Dockerfile") -> Document:
    # Many small objects and no cycles: the cyclic GC only costs time here (~20% on big files).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, path)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_text(text: str, path: str) -> Document:
    if text.startswith("\ufeff"):
        text = text[1:]
    raw_lines = text.split("\n")
    last_has_newline = True
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    else:
        last_has_newline = False
    lines = [ln.rstrip("\r") for ln in raw_lines]
    doc = Document(path=path, text=text, lines=lines)
    errors = doc.errors
    escape = "\\"
    directives_done = False
    seen_directives: set[str] = set()
    n = len(raw_lines)
    i = 0
    go_space = _GO_SPACE_STR
    comments = doc.comments
    while i < n:
        line_no = i + 1
        t = lines[i]
        stripped = t.lstrip(go_space)
        if not directives_done:
            m = _RE_DIRECTIVE.fullmatch(stripped)
            name = m.group(1).lower() if m else ""
            if name in KNOWN_DIRECTIVES:
                value = m.group(2)
                if name in seen_directives:
                    errors.append(SyntaxIssue(f"only one {name} parser directive can be used", line_no,
                                              len(t) - len(stripped) + 1))
                else:
                    seen_directives.add(name)
                    doc.directives.append(Directive(name=name, value=value, line=line_no))
                    if name == "escape":
                        if value in ("\\", "`"):
                            escape = value
                            doc.escape = value
                        else:
                            errors.append(SyntaxIssue(
                                f"invalid escape token '{value}' does not match ` or \\", line_no,
                                len(t) - len(stripped) + 1))
            else:
                directives_done = True
        if stripped.startswith("#"):
            comments.append(Comment(line=line_no, text=stripped[1:].strip(go_space),
                                    column=len(t) - len(stripped) + 1))
            i += 1
            continue
        piece, cont = _trim_continuation(stripped, escape)
        if not cont and not piece:
            i += 1
            continue
        start_line = line_no
        pmap = _PosMap()
        pmap.add(0, line_no, len(t) - len(stripped))
        parts = [piece]
        offset = len(piece)
        empty_continuation = False
        while cont and i + 1 < n:
            i += 1
            t = lines[i]
            s = t.lstrip(go_space)
            if s.startswith("#"):
                comments.append(Comment(line=i + 1, text=s[1:].strip(go_space), column=len(t) - len(s) + 1))
                continue
            if not s:
                empty_continuation = True
                continue
            piece, cont = _trim_continuation(t, escape)
            pmap.add(offset, i + 1, 0)
            parts.append(piece)
            offset += len(piece)
        end_line = i + 1
        logical = "".join(parts) if len(parts) > 1 else parts[0]
        if empty_continuation:
            doc.warnings.append(SyntaxIssue(f"Empty continuation line found in: {logical}", end_line, layer="warning"))
        instr, node_errors = _new_node(logical, escape, pmap, 0, start_line, end_line)
        for message in node_errors:
            errors.append(SyntaxIssue(message, start_line, instr.span.column if instr.span else 1))
        target = instr.sub_instruction if instr.keyword == "ONBUILD" and instr.sub_instruction else instr
        if target.keyword in HEREDOC_INSTRUCTIONS and not target.json and "<<" in logical:
            try:
                heredocs = heredocs_from_line(logical)
            except _ParseError as e:
                errors.append(SyntaxIssue(str(e), start_line))
                heredocs = []
            for hd in heredocs:
                body: list[str] = []
                terminated = False
                first = i + 2
                while i + 1 < n:
                    i += 1
                    raw = raw_lines[i]
                    candidate = lines[i].rstrip("\r\n")
                    if hd.chomp:
                        candidate = candidate.lstrip("\t")
                    if candidate == hd.name:
                        terminated = True
                        break
                    body.append(raw + "\n" if (i + 1 < n or last_has_newline) else raw)
                raw_content = "".join(body)
                hd.raw_content = raw_content
                hd.content = _RE_LEADING_TABS.sub("", raw_content) if hd.chomp else raw_content
                last = i + 1
                hd.span = Span(min(first, last), 1, last, max(len(lines[last - 1]), 1) if n else 1)
                instr.heredocs.append(hd)
                if not terminated:
                    errors.append(SyntaxIssue("unterminated heredoc", start_line,
                                              instr.span.column if instr.span else 1, last))
                    break
            end_line = i + 1
            instr.end_line = end_line
            if instr.sub_instruction is not None:
                instr.sub_instruction.end_line = end_line
            if instr.span is not None:
                instr.span = Span(instr.span.line, instr.span.column, end_line,
                                  max(len(lines[end_line - 1]), 1))
        instr.source_lines = lines[start_line - 1:end_line]
        doc.instructions.append(instr)
        i += 1
    if not doc.instructions:
        errors.append(SyntaxIssue("file with no instructions", max(n, 1)))
    return doc
