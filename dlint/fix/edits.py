"""Edit builders for rules' fixes: small, faithful text edits on a parsed Document.

Every builder returns TextEdits (1-based line/column on the lines of the file, end
exclusive, see dlint.lint.finding.TextEdit) or None when it cannot make the edit without
guessing; a rule then offers no fix rather than a wrong one. The edits touch only the
characters they own: continuations (the Dockerfile escape character, a backtick under
`# escape=`), comments, CRLF line endings, the BOM, tabs and indentation around them stay
as they are, and an edit never joins or splits a line it does not own.

    tokens(document, line, column, end_line)   the words of an instruction, with positions
    replace_keyword(ins, new)                  `run` -> `RUN`
    insert_after_word(document, start, word, text)
                                               `apk add x` -> `apk add --no-cache x`
    append_to_run(document, ins, script, command)
                                               `RUN a \\ b` -> `RUN a \\ b && cleanup`
    insert_line_before(document, ins, text, comments)
                                               a new instruction above one (and above the
                                               comments and pragmas that belong to it)
    stage_reference_edits(document, model, old, new)
                                               rename a stage where it is declared and
                                               everywhere it is referenced
    remove_word(document, start, word)         `sudo apt-get` -> `apt-get`
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.lint.finding import TextEdit

# a script ending like this cannot take ` && cmd` after it
_BAD_ENDINGS = ("&", "|", "(", "{", "!", "\\", "`", "<", ">")
_ENDS_SCRIPT = ("exit", "exec", "return")
_BAD_LAST_WORDS = ("then", "do", "else", "in", "&&", "||", "elif", "if", "while", "until", "case")


class Token:
    """A word of an instruction as written: its text (quotes kept) and where it is."""

    __slots__ = ("text", "line", "column", "end_column")

    def __init__(self, text: str, line: int, column: int, end_column: int):
        self.text = text
        self.line = line
        self.column = column          # 1-based, first character
        self.end_column = end_column  # exclusive

    @property
    def unquoted(self) -> str:
        text = self.text
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        return text

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.line}:{self.column}-{self.end_column})"


def _continues(line: str, escape: str) -> bool:
    stripped = line.rstrip(" \t")
    return stripped.endswith(escape) and not stripped.endswith(escape * 2) if escape == "\\" \
        else stripped.endswith(escape)


def tokens(document, line: int, column: int, end_line: int, *,
           heredoc: bool = False) -> Iterator[Token]:
    """The whitespace-separated words from (line, column) to the end of ``end_line`` (or
    of the logical line: a line ending with the escape character continues on the next;
    comment and empty lines inside a continuation are skipped, as BuildKit does). Quotes
    keep a word whole on one line; a quote left open at the end of a line stops the scan
    (the word's end is unknown). ``heredoc``: a shell script body (backslash continues,
    `#` lines are script comments, not skipped)."""
    escape = "\\" if heredoc else document.escape
    lines = document.lines
    row = line
    col = column - 1
    while 1 <= row <= min(end_line, len(lines)):
        text = lines[row - 1]
        continued = _continues(text, escape)
        limit = len(text.rstrip(" \t")) - (1 if continued else 0)
        i = col
        while i < limit:
            if text[i] in " \t":
                i += 1
                continue
            start = i
            quote = ""
            while i < limit:
                ch = text[i]
                if quote:
                    if ch == quote:
                        quote = ""
                    elif ch == "\\" and quote == '"' and i + 1 < limit:
                        i += 1
                elif ch in "'\"":
                    quote = ch
                elif ch in " \t":
                    break
                elif ch == "\\" and i + 1 < limit:  # the shell's escape, whatever `# escape=`
                    i += 1
                i += 1
            if quote:
                return
            yield Token(text[start:i], row, start + 1, i + 1)
        if not continued:
            return
        row += 1
        col = 0
        while not heredoc and row <= min(end_line, len(lines)):
            stripped = lines[row - 1].strip()
            if stripped and not stripped.startswith("#"):
                break
            row += 1


def replace_keyword(ins, new: str) -> TextEdit | None:
    """Replace the instruction's keyword as written (`run`) with ``new``."""
    if ins.span is None:
        return None
    line, column = ins.span.line, ins.span.column
    return TextEdit(line, column, line, column + len(ins.raw_keyword), new)


def case_like(model_word: str, word: str) -> str:
    """``word`` in the casing of ``model_word`` (lower when it is all lower, else upper)."""
    return word.lower() if model_word.islower() else word.upper()


def insert_after_word(document, line: int, column: int, end_line: int, words: tuple[str, ...],
                      text: str, *, heredoc: bool = False) -> TextEdit | None:
    """Insert `` text`` right after the first word from (line, column) whose unquoted
    text is in ``words`` (the subcommand of a command: `install`, `add`)."""
    for token in tokens(document, line, column, end_line, heredoc=heredoc):
        if token.unquoted in words:
            return TextEdit(token.line, token.end_column, token.line, token.end_column, " " + text)
    return None


def remove_word(document, line: int, column: int, end_line: int, word: str, *,
                heredoc: bool = False) -> TextEdit | None:
    """Remove the word at (line, column) when it is ``word``, and the blanks after it on
    the same line (`sudo apt-get` -> `apt-get`); None when the next word is on another line."""
    words = tokens(document, line, column, end_line, heredoc=heredoc)
    first = next(words, None)
    second = next(words, None)
    if first is None or first.text != word or (first.line, first.column) != (line, column):
        return None
    if second is None or second.line != first.line:
        return None
    return TextEdit(line, column, line, second.column, "")


def append_to_run(document, ins, script, command: str) -> TextEdit | None:
    """Append `` && command`` at the end of a RUN's shell script: after the last word of
    the logical line (a shell-form RUN, continuations respected), or of the last body line
    of a heredoc RUN (`RUN <<EOF ... EOF`). `&&` keeps the RUN's exit status: the command
    runs only when the script succeeded, so a failing build still fails.

    None when the script is not a POSIX shell script or its end is not plain: a comment on
    the last line, a trailing `&` or `|`, an open construct, a nested heredoc, or a last
    command that ends the script (`exit`, `exec`: what follows it never runs)."""
    if script is None or not script.posix or script.has_errors:
        return None
    if script.form == "shell":
        if ins.heredocs or ins.span is None:
            return None
        row = ins.end_line
        escape = document.escape
        heredoc = False
    elif script.form == "heredoc":
        if len(ins.heredocs) != 1 or len(ins.value) != 1 or not ins.value[0].startswith("<<"):
            return None
        doc = ins.heredocs[0]
        if doc.span is None or "<<" in doc.content:
            return None
        row = doc.span.end_line - 1  # the terminator line is doc.span.end_line
        while row >= doc.span.line and not document.lines[row - 1].strip():
            row -= 1
        if row < doc.span.line:
            return None
        escape = "\\"
        heredoc = True
    else:
        return None
    if "<<" in script.text:
        return None
    if script.commands:
        # `... ; exit 0` (or exec): a command appended after it would never run
        last = max(script.commands, key=lambda c: (c.end_line, c.end_column))
        if last.name in _ENDS_SCRIPT:
            return None
    text = document.lines[row - 1]
    stripped = text.rstrip(" \t")
    if not stripped.strip() or "#" in stripped or _continues(text, escape):
        return None
    body = stripped.rstrip(";")
    semicolons = len(stripped) - len(body)
    body = body.rstrip(" \t")
    if semicolons > 1 or not body.strip():
        return None
    if body.endswith(_BAD_ENDINGS) or (heredoc and body.strip().endswith(_BAD_ENDINGS)):
        return None
    last_word = body.split()[-1]
    if last_word in _BAD_LAST_WORDS or heredoc and _inside_block(doc.content):
        return None
    column = len(body) + 1
    return TextEdit(row, column, row, column, f" && {command}")


def _inside_block(content: str) -> bool:
    """True when the last line of a script body is inside a loop, `if`, `case` or braces
    (a rough count of the openers and closers at the start of lines)."""
    depth = 0
    for line in content.split("\n"):
        words = line.strip().split()
        if not words:
            continue
        depth += sum(w in ("if", "for", "while", "until", "case", "{") for w in words[:1])
        depth -= sum(w in ("fi", "done", "esac", "}") or w.startswith(("fi;", "done;", "esac;"))
                     for w in words[:1])
    return depth != 0


def line_ending(document, line: int) -> str:
    """The line terminator of ``line`` as written ("\\r\\n" or "\\n")."""
    lines = document.text.split("\n")
    if 1 <= line <= len(lines) and lines[line - 1].endswith("\r"):
        return "\r\n"
    return "\n"


def insert_line_before(document, ins, text: str, comments=()) -> TextEdit | None:
    """A new line ``text`` above the instruction, indented like it, with the file's line
    ending. ``comments``: those above it (LintContext.comments_above): the line goes above
    them, so a pragma keeps pointing at the instruction it was written for."""
    if ins.span is None:
        return None
    row = min([ins.start_line, *(c.line for c in comments)])
    first = document.lines[ins.start_line - 1]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    return TextEdit(row, 1, row, 1, f"{indent}{text}{line_ending(document, ins.start_line)}")


def stage_reference_edits(document, model, stage, new: str) -> list[TextEdit] | None:
    """Rename a stage: its `AS name`, and every reference by name (case-insensitively,
    as BuildKit matches them): `FROM name`, `COPY --from=name`, `RUN --mount=from=name`.
    None when a reference cannot be located on its line."""
    old = (stage.name or "").lower()
    if not old:
        return None
    edits: list[TextEdit] = []
    for ins in document.instructions:
        if ins.span is None:
            continue
        if ins.keyword == "FROM":
            words = [t for t in tokens(document, ins.span.line, ins.span.column + len(ins.raw_keyword),
                                       ins.end_line)]
            plain = [t for t in words if not t.text.startswith("--")]
            if plain and plain[0].text.lower() == old:
                t = plain[0]
                edits.append(TextEdit(t.line, t.column, t.line, t.end_column, new))
            if len(plain) >= 3 and plain[1].text.lower() == "as" and plain[2].text.lower() == old:
                t = plain[2]
                edits.append(TextEdit(t.line, t.column, t.line, t.end_column, new))
            continue
        for flag in ins.flags:
            if flag.span is None or flag.value is None:
                continue
            if flag.name == "from" and flag.value.lower() == old:
                raw = flag.raw
                at = raw.find("=") + 1
                if at <= 0 or raw[at:].lower() != old or flag.span.line != flag.span.end_line:
                    return None
                column = flag.span.column + at
                edits.append(TextEdit(flag.span.line, column, flag.span.line, column + len(old), new))
            elif flag.name == "mount":
                for part_start, key, value in _csv_fields(flag.raw):
                    if key == "from" and value.lower() == old:
                        if flag.span.line != flag.span.end_line:
                            return None
                        column = flag.span.column + part_start + len("from=")
                        edits.append(TextEdit(flag.span.line, column, flag.span.line,
                                              column + len(value), new))
    return edits


def _csv_fields(raw: str) -> Iterator[tuple[int, str, str]]:
    """(offset in raw, key, value) of each `key=value` of `--mount=a=b,c=d` (no quotes)."""
    at = raw.find("=") + 1
    if at <= 0 or '"' in raw or "'" in raw:
        return
    for part in raw[at:].split(","):
        key, eq, value = part.partition("=")
        if eq:
            yield at, key.strip().lower(), value
        at += len(part) + 1
edit_tokens = tokens
