"""Unit tests for dlint.syntax: exact ASTs, spans and columns on edge cases, robustness
(hypothesis) and size limits."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint.syntax import (
    Comment,
    Directive,
    Flag,
    NotText,
    Span,
    decode_source,
    parse,
    to_json,
)


def test_run_with_flags_continuation_and_comment_exact_ast():
    doc = parse("FROM alpine AS b\nRUN --mount=type=cache,target=/c \\\n  # note\n    --network=none make\n")
    assert doc.errors == [] and doc.warnings == []
    frm, run = doc.instructions
    assert (frm.keyword, frm.value, frm.span) == ("FROM", ["alpine", "AS", "b"], Span(1, 1, 1, 16))
    assert run.keyword == "RUN" and (run.start_line, run.end_line) == (2, 4)
    assert run.flags == [
        Flag("mount", "type=cache,target=/c", "--mount=type=cache,target=/c", Span(2, 5, 2, 32)),
        Flag("network", "none", "--network=none", Span(4, 5, 4, 18)),
    ]
    assert run.value == ["make"] and run.json is False
    assert run.original == "RUN --mount=type=cache,target=/c     --network=none make"
    assert run.span == Span(2, 1, 4, 23)
    assert run.source_lines == ["RUN --mount=type=cache,target=/c \\", "  # note", "    --network=none make"]
    assert doc.comments == [Comment(line=3, text="note", column=3)]


def test_heredocs_every_kind():
    text = ("FROM a\nRUN 3<<EOF cat <&3 && cat <<-'T'\nx\nEOF\n\tquoted $X\n\tT\n"
            "COPY <<\"A\" /a\nbody\nA\n")
    doc = parse(text)
    assert doc.errors == []
    run, copy = doc.instructions[1:]
    assert (run.start_line, run.end_line) == (2, 6)
    first, second = run.heredocs
    assert (first.name, first.content, first.expand, first.chomp, first.file_descriptor) == ("EOF", "x\n", True, False, 3)
    assert (second.name, second.content, second.raw_content, second.expand, second.chomp) == \
        ("T", "quoted $X\n", "\tquoted $X\n", False, True)
    assert first.span == Span(3, 1, 4, 3) and second.span == Span(5, 1, 6, 2)
    assert run.span == Span(2, 1, 6, 2)
    assert copy.value == ['<<"A"', "/a"] and copy.heredocs[0].expand is False
    assert copy.end_line == 9
    assert to_json(doc)[2]["heredocs"] == [{"name": "A", "content": "body\n", "expand": False, "chomp": False,
                                            "file_descriptor": 0}]


def test_heredoc_with_space_and_unterminated():
    doc = parse("FROM a\nRUN cat << EOF\nx\nEOF\n")
    assert [(h.name, h.content) for h in doc.instructions[1].heredocs] == [("EOF", "x\n")]
    bad = parse("FROM a\nRUN <<EOF\nx\n")
    assert [(e.message, e.line, e.layer) for e in bad.errors] == [("unterminated heredoc", 2, "parser")]
    assert bad.instructions[1].end_line == 3


def test_escape_directive_backtick_and_directives_kept():
    doc = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nCOPY a c:\\\nRUN echo a `\n  b\n")
    assert doc.escape == "`"
    assert doc.directives == [Directive("syntax", "docker/dockerfile:1", 1), Directive("escape", "`", 2)]
    assert [(i.keyword, i.start_line, i.end_line, i.value) for i in doc.instructions] == [
        ("FROM", 3, 3, ["x"]), ("COPY", 4, 4, ["a", "c:\\"]), ("RUN", 5, 6, ["echo a   b"])]


def test_directive_not_in_leading_block_is_a_comment():
    doc = parse("FROM a\n# escape=`\nRUN echo a \\\n  b\n")
    assert doc.directives == [] and doc.escape == "\\"
    assert doc.instructions[1].value == ["echo a   b"]


@pytest.mark.parametrize("text,message", [
    ("", "file with no instructions"),
    ("# only\n\n", "file with no instructions"),
    ("# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\"),
    ("FROM a\nENV x\n", "ENV must have two arguments"),
    ("FROM a\nLABEL a=b c\n", "Syntax error - can't find = in \"c\". Must be of the form: name=value"),
    ("FROM a\nCMD [1]\n", "when using JSON array syntax, arrays must be comprised of strings only"),
])
def test_parser_errors(text, message):
    assert [e.message for e in parse(text).errors] == [message]


@pytest.mark.parametrize("text,message,column", [
    ("FROM a\nFOO bar\n", "unknown instruction: FOO", 1),
    ("FROM\n", "FROM requires either one or three arguments", 1),
    ("FROM a\nCOPY --frm=x a b\n", "unknown flag: frm", 6),
    ("FROM a\nRUN --mount=a --network=x --network=y b\n", "duplicate flag specified: network", 27),
    ("FROM a\nHEALTHCHECK --interval=5x CMD c\n", 'time: invalid duration "5x"', 13),
    ("RUN x\nFROM a\n", "no build stage in current context", 1),
    ("FROM a\nONBUILD ONBUILD RUN x\n", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 1),
])
def test_instruction_layer_errors(text, message, column):
    errors = parse(text).errors
    assert [(e.message, e.column, e.layer) for e in errors] == [(message, column, "instruction")]


def test_values_per_instruction():
    doc = parse('FROM a\nENV A=1 B="x y"\nENV OLD v w\nARG X Y=2\nHEALTHCHECK CMD ["c", "d"]\n'
                'HEALTHCHECK NONE\nONBUILD COPY --from=b x y\nCMD [\'no\']\nEXPOSE 80 443\n')
    got = [(i.keyword, i.value, i.json) for i in doc.instructions[1:]]
    assert got == [
        ("ENV", ["A", "1", "B", '"x y"'], False), ("ENV", ["OLD", "v w"], False), ("ARG", ["X", "Y=2"], False),
        ("HEALTHCHECK", ["CMD", "c", "d"], True), ("HEALTHCHECK", ["NONE"], False),
        ("ONBUILD", ["COPY --from=b x y"], False), ("CMD", ["['no']"], False), ("EXPOSE", ["80", "443"], False)]
    sub = doc.instructions[6].sub_instruction
    assert (sub.keyword, sub.value, [f.raw for f in sub.flags]) == ("COPY", ["x", "y"], ["--from=b"])
    assert sub.span == Span(7, 9, 7, 25) and sub.flags[0].span == Span(7, 14, 7, 21)
    assert to_json(doc)[6]["sub_instruction"]["instruction"] == "COPY"


def test_lowercase_keyword_bom_crlf_lone_cr():
    doc = parse("\ufeffcopy . /app\r\nRUN a \\\r\n  b\rc\r\n".encode("utf-8"))
    assert doc.errors[0].message == "no build stage in current context"
    copy, run = doc.instructions
    assert (copy.keyword, copy.raw_keyword, copy.span) == ("COPY", "copy", Span(1, 1, 1, 11))
    assert (run.start_line, run.end_line, run.value) == (2, 3, ["a   b\rc"])
    assert doc.lines == ["copy . /app", "RUN a \\", "  b\rc"]


def test_trailing_escaped_escape_does_not_continue():
    doc = parse("FROM a\nRUN echo x\\\\\nRUN echo y\n")
    assert [(i.start_line, i.value) for i in doc.instructions[1:]] == [(2, ["echo x\\\\"]), (3, ["echo y"])]


def test_empty_continuation_line_is_a_warning():
    doc = parse("FROM a\nRUN a \\\n\n  b\n")
    assert doc.errors == [] and doc.instructions[1].value == ["a   b"]
    assert [(w.line, w.layer) for w in doc.warnings] == [(4, "warning")]


def test_decode_source():
    assert decode_source(b"\xef\xbb\xbfFROM a\n") == "FROM a\n"
    with pytest.raises(NotText, match="NUL"):
        decode_source(b"FROM a\x00\n")
    with pytest.raises(NotText, match="UTF-8"):
        decode_source(b"FROM \xff\n")
    with pytest.raises(NotText):
        parse(b"\xa5M\xca")


def _check_document(doc, text):
    n = len(doc.lines)
    for i in doc.instructions:
        assert 1 <= i.start_line <= i.end_line <= max(n, 1)
        for f in i.flags:
            assert f.span is None or i.start_line <= f.span.line <= f.span.end_line <= i.end_line
    for e in doc.errors:
        assert 1 <= e.line <= max(n, 1)
        assert not e.message.startswith("internal parser error"), e.message
    to_json(doc)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FROMRUNCOPYENVonbuild <<-EOF'\"\\`#=[]{}$:,\n\r\t\ufeff\u00a0x-")) | st.characters(),
               max_size=200))
def test_arbitrary_text_never_raises(text):
    _check_document(parse(text), text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_parse_or_not_text(data):
    try:
        doc = parse(data)
    except NotText:
        return
    _check_document(doc, data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "FROM a", "RUN x \\", "RUN <<EOF", "EOF", "COPY <<-A <<'B' /d", "\tA", "B", "# c", "", "ENV a=b",
    "ONBUILD RUN <<E", "E", "# escape=`", "RUN a `", "CMD [\"a\"", "  \\", "HEALTHCHECK --interval=1s CMD x",
]), max_size=12))
def test_line_soup_never_raises(lines):
    text = "\n".join(lines)
    _check_document(parse(text), text)


# The time is bench/parser.py's (it prints it); a test asserting a wall-clock limit fails
# on a busy machine. The timeout only stops a hang (a quadratic parse of these inputs).
@pytest.mark.timeout(300)
def test_100000_continuation_lines_and_10mb_lines_parse():
    text = "FROM a\nRUN a \\\n" + "  && b \\\n" * 100_000 + "  && c\n"
    doc = parse(text)
    assert doc.instructions[1].end_line == 100_003 and not doc.errors
    long_line = "FROM a\nRUN echo " + "x" * 10_000_000 + "\nENV A=" + "y" * 10_000_000 + "\n"
    doc = parse(long_line)
    assert len(doc.instructions[1].value[0]) == 10_000_005 and doc.instructions[2].value[1] == "y" * 10_000_000
    flag_line = "FROM a\nRUN --mount=" + "z" * 10_000_000 + " x\n"
    assert len(parse(flag_line).instructions[1].flags[0].raw) == 10_000_008


@pytest.mark.parametrize("text,expected", [
    # a file without FROM: one error for one cause, at the first instruction
    ("RUN echo hi\n", [("no build stage in current context", 1)]),
    ("RUN a\nCOPY b c\nENV X=1\n", [("no build stage in current context", 1)]),
    ("ARG A=1\nRUN a\nRUN b\nFROM x\nRUN c\n", [("no build stage in current context", 2)]),
    ("ARG A=1\nARG B=2\n", [("dockerfile contains no stages to build", 2)]),
])
def test_missing_from_is_one_error(text, expected):
    assert [(e.message, e.line) for e in parse(text).errors] == expected
