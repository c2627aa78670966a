"""Shared helpers for the parser tests: compare dlint's AST with BuildKit's parser
(the `dockerfile` package, BuildKit v0.12.5) instruction by instruction."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
FIXTURES = REPO / "fixtures" / "parser"
CORPUS_SKIP = {"MANIFEST.tsv", "DUPLICATES.tsv"}


def oracle_view(commands) -> list[tuple]:
    out = []
    for c in commands:
        out.append((
            c.cmd or "", c.sub_cmd.upper() if c.sub_cmd else None, c.start_line, c.end_line,
            list(c.flags), list(c.value), bool(c.json),
            # The wrapper reads heredocs from ONBUILD's trigger node, where BuildKit never puts them.
            None if c.sub_cmd else [(h.name, h.content) for h in c.heredocs],
            c.original if not c.heredocs and not c.sub_cmd else None,
        ))
    return out


def dlint_view(document) -> list[tuple]:
    out = []
    for i in document.instructions:
        sub = i.sub_instruction
        shown = sub if sub is not None else i
        out.append((
            i.raw_keyword, sub.raw_keyword.upper() if sub is not None else None, i.start_line, i.end_line,
            [f.raw for f in i.flags], list(shown.value), shown.json,
            None if sub is not None else [(h.name, h.raw_content) for h in i.heredocs],
            i.original if not i.heredocs and sub is None else None,
        ))
    return out


def oracle_parse(text: str):
    """(commands, None) or (None, error message) from BuildKit's parser."""
    import dockerfile

    if "\x00" in text:
        raise ValueError("the oracle truncates at NUL; never give it one")
    try:
        return dockerfile.parse_string(text), None
    except dockerfile.GoParseError as e:
        return None, str(e)
