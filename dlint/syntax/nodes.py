"""The Dockerfile AST: plain data, produced by dlint.syntax.parse().

Shapes follow BuildKit's parser (frontend/dockerfile/parser) so that the two can be
compared one to one; positions are 1-based, columns count characters of the decoded
line (a BOM is not counted), end columns are inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines and columns, end column inclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class Heredoc:
    """A heredoc attached to an instruction (`<<EOF` ... `EOF`)."""

    name: str            # the delimiter word, quotes removed ("EOF")
    content: str         # body as the build uses it (with "<<-", leading tabs removed)
    expand: bool = True  # False when the delimiter was quoted: no variable expansion
    chomp: bool = False  # True for "<<-"
    file_descriptor: int = 0
    span: Span | None = None  # from the first body line to the terminator line
    # Body exactly as BuildKit's parser node holds it: line endings as in the file, tabs
    # kept even for "<<-" (BuildKit's instruction layer strips them). to_json() shows this.
    raw_content: str = ""


@dataclass
class Flag:
    """One `--name[=value]` flag of an instruction, as written."""

    name: str               # "mount", "from", ... (without the dashes)
    value: str | None       # None for a bare `--link`
    raw: str                # "--mount=type=cache,target=/x"
    span: Span | None = None


@dataclass
class Instruction:
    """One Dockerfile instruction, as BuildKit's parser node gives it."""

    keyword: str                 # upper case: "RUN"
    raw_keyword: str             # as written: "run"
    start_line: int
    end_line: int                # last line, heredoc terminators included
    flags: list[Flag] = field(default_factory=list)
    value: list[str] = field(default_factory=list)  # what BuildKit's node gives (SPEC §6)
    json: bool = False           # exec (JSON) form
    heredocs: list[Heredoc] = field(default_factory=list)
    sub_instruction: Instruction | None = None  # ONBUILD's triggered instruction
    original: str = ""           # the joined logical line, as BuildKit's node.Original
    span: Span | None = None     # whole instruction, keyword to last character
    # Source lines of the instruction (continuations, inner comments and heredoc bodies
    # included), exactly as in the file without line terminators: for messages and fixes.
    source_lines: list[str] = field(default_factory=list)

    @property
    def flag_strings(self) -> list[str]:
        return [f.raw for f in self.flags]

    def flag(self, name: str) -> Flag | None:
        """The last flag with this name (BuildKit rejects repeats of single-valued flags)."""
        for f in reversed(self.flags):
            if f.name == name:
                return f
        return None

    def flags_named(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]

    def is_legacy_key_value(self, escape: str = "\\") -> bool:
        """ENV/LABEL/ARG written `KEY value` rather than `KEY=value`: BuildKit's
        parseNameVal decides by whether the first word (quotes respected) holds a `=`."""
        text = self.original.lstrip(" \t")
        text = text[len(self.raw_keyword):].lstrip(" \t")
        quote = ""
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == escape and quote != "'":
                i += 2
                continue
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in " \t":
                return True
            elif ch == "=":
                return False
            i += 1
        return True


@dataclass
class Comment:
    """A `#` comment line (not a parser directive)."""

    line: int
    text: str        # after "#", surrounding whitespace stripped
    column: int = 1  # column of the "#"


@dataclass
class Directive:
    """A parser directive (`# syntax=...`, `# escape=...`, `# check=...`)."""

    name: str        # lower case: "syntax", "escape", "check"
    value: str
    line: int


@dataclass
class SyntaxIssue:
    """Something BuildKit would reject: becomes a syntax-error finding."""

    message: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    # "parser": BuildKit's parser rejects the file; "instruction": its instruction layer
    # (frontend/dockerfile/instructions) rejects it; "warning": BuildKit only warns.
    layer: str = "parser"


@dataclass
class Document:
    """A parsed Dockerfile: instructions, comments, directives and syntax issues."""

    path: str
    text: str                      # decoded text, BOM removed, line endings as in the file
    lines: list[str]               # text split into lines without terminators
    instructions: list[Instruction] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    escape: str = "\\"
    errors: list[SyntaxIssue] = field(default_factory=list)
    # What BuildKit's parser only warns about (empty continuation lines).
    warnings: list[SyntaxIssue] = field(default_factory=list)

    def directive(self, name: str) -> Directive | None:
        for d in self.directives:
            if d.name == name:
                return d
        return None
