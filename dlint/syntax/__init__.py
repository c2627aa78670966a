"""dlint.syntax: Dockerfile source text -> AST, faithful to BuildKit's parser.

Public API:
  parse(source, path="Dockerfile") -> Document   never raises on a str; bytes go through
                                                 decode_source (which may raise NotText)
  decode_source(data) -> str                     strips a UTF-8 BOM; NotText for NUL bytes
                                                 or invalid UTF-8
  NotText                                        exception; str(e) is a one-line reason
  to_json(document) -> list[dict]                SPEC §6 shape, one object per instruction

See dlint.syntax.parser for the BuildKit behaviour followed, and nodes for the AST.
"""

from __future__ import annotations

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

__all__ = [
    "Comment", "Directive", "Document", "Flag", "Heredoc", "Instruction", "NotText", "Span",
    "SyntaxIssue", "decode_source", "instruction_to_json", "parse", "to_json",
]

_BOM = b"\xef\xbb\xbf"


class NotText(Exception):
    """The input is not a text file: NUL bytes or invalid UTF-8."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_source(data: bytes) -> str:
    if data.startswith(_BOM):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise NotText(f"not a text file: NUL byte at offset {nul}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotText(f"not valid UTF-8: byte 0x{data[e.start]:02x} at offset {e.start}") from None


def parse(source: str | bytes, path: str = "Dockerfile") -> Document:
    """Parse a Dockerfile. Problems BuildKit would reject go to Document.errors."""
    from .parser import parse_text
    from .validate import check_document

    text = decode_source(bytes(source)) if isinstance(source, (bytes, bytearray, memoryview)) else source
    try:
        doc = parse_text(text, path)
        if not any(e.layer == "parser" for e in doc.errors):
            doc.errors += check_document(doc)
    except (RecursionError, MemoryError, ValueError, IndexError, TypeError) as e:  # pragma: no cover
        # Last-resort guard so a parser bug never becomes a traceback for the user.
        from .nodes import Document as _Document

        t = text[1:] if text.startswith("\ufeff") else text
        doc = _Document(path=path, text=t, lines=t.split("\n"))
        doc.errors.append(SyntaxIssue(f"internal parser error: {type(e).__name__}: {e}", 1))
    return doc


def instruction_to_json(instr: Instruction) -> dict:
    sub = instr.sub_instruction
    span = instr.span
    return {
        "instruction": instr.keyword,
        "start_line": instr.start_line,
        "end_line": instr.end_line,
        "flags": [f.raw for f in instr.flags],
        "value": list(instr.value),
        "json": instr.json,
        "heredocs": [{"name": h.name, "content": h.raw_content, "expand": h.expand, "chomp": h.chomp,
                      "file_descriptor": h.file_descriptor} for h in instr.heredocs],
        "sub_instruction": instruction_to_json(sub) if sub is not None else None,
        "original": instr.original,
        "raw_keyword": instr.raw_keyword,
        "column": span.column if span else None,
        "end_column": span.end_column if span else None,
    }


def to_json(document: Document) -> list[dict]:
    """SPEC §6: one object per instruction. Heredoc "content" is BuildKit's parser node
    content (line endings as written; tabs kept for <<-); Heredoc.content is the chomped one."""
    return [instruction_to_json(i) for i in document.instructions]
