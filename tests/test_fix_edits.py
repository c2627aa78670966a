# The edit builders of dlint.fix.edits on tricky inputs: each test applies the edits to
# the real parsed text and compares the whole result, byte for byte.

from __future__ import annotations

import pytest

from dlint.fix import apply_edits
from dlint.fix import edits as E
from dlint.lint.context import LintContext
from dlint.syntax import parse


def _ctx(text: str) -> LintContext:
    return LintContext(parse(text), "Dockerfile")


def _apply(text: str, *edits) -> str:
    new, applied = apply_edits(text, [[e] for e in edits if e is not None])
    assert applied == len([e for e in edits if e is not None])
    return new


def _run(ctx, index=-1):
    return [i for i in ctx.document.instructions if i.keyword == "RUN"][index]


def _append(text: str, command: str = "cleanup") -> str | None:
    ctx = _ctx(text)
    ins = _run(ctx)
    edit = E.append_to_run(ctx.document, ins, ctx.script(ins), command)
    return None if edit is None else _apply(text, edit)


# -- append_to_run ---------------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    ("FROM a\nRUN x\n", "FROM a\nRUN x && cleanup\n"),
    ("FROM a\nRUN x  \n", "FROM a\nRUN x && cleanup  \n"),  # trailing blanks stay where they are
    ("FROM a\nRUN x;\n", "FROM a\nRUN x && cleanup;\n"),
    ("FROM a\nRUN x \\\n    && y\n", "FROM a\nRUN x \\\n    && y && cleanup\n"),
    # a comment line inside a continuation is not the end of the RUN
    ("FROM a\nRUN x \\\n  # note\n  && y\n", "FROM a\nRUN x \\\n  # note\n  && y && cleanup\n"),
    # CRLF: the "\r" stays the line's last character
    ("FROM a\r\nRUN x \\\r\n\t&& y\r\nRUN z\r\n", "FROM a\r\nRUN x \\\r\n\t&& y\r\nRUN z && cleanup\r\n"),
    ("FROM a\nRUN x", "FROM a\nRUN x && cleanup"),  # no final newline
    ("FROM a\nRUN if true; then x; fi\n", "FROM a\nRUN if true; then x; fi && cleanup\n"),
    # heredoc RUN: the last body line, not the terminator
    ("FROM a\nRUN <<EOF\nset -e\nx\n\nEOF\n", "FROM a\nRUN <<EOF\nset -e\nx && cleanup\n\nEOF\n"),
    ("FROM a\nRUN <<-EOF\n\tx\n\tEOF\n", "FROM a\nRUN <<-EOF\n\tx && cleanup\n\tEOF\n"),
])
def test_append_to_run(before, after):
    assert _append(before) == after


def test_backtick_escape_continues_and_backslash_stays_the_shells():
    text = '# escape=`\nFROM a\nRUN apk `\n    add "C:\\x y" `\n    curl\n'
    doc = parse(text)
    got = [t.text for t in E.tokens(doc, 3, 4, 5)]
    assert got == ["apk", "add", '"C:\\x y"', "curl"]
    edit = E.insert_after_word(doc, 3, 5, 5, ("add",), "--no-cache")
    assert _apply(text, edit) == '# escape=`\nFROM a\nRUN apk `\n    add --no-cache "C:\\x y" `\n    curl\n'
    # the model takes `# escape=`` for a Windows stage: no shell script, so no cleanup
    assert _append(text) is None


@pytest.mark.parametrize("text", [
    "FROM a\nRUN x # comment\n",            # would land in the comment
    "FROM a\nRUN x &\n",                     # background
    "FROM a\nRUN x |\\\n  y\n",              # ends inside a pipeline? (here: fine, but `|` line)
    "FROM a\nRUN cat <<X > f\nhi\nX\n",      # a heredoc of the script
    "FROM a\nRUN <<EOF\nfor i in 1 2; do\n  echo $i\ndone\ncat <<X\nX\nEOF\n",  # nested heredoc
    "FROM a\nRUN <<EOF\nif true; then\n  x\nEOF\n",  # open block (broken script)
    'FROM a\nRUN ["sh", "-c", "x"]\n',       # exec form: no fix
    "FROM a\nRUN x ;;\n",
    "FROM a\nRUN yarn install ; exit 0\n",  # the appended command would never run (SC2317)
    "FROM a\nRUN x && exec y\n",
])
def test_append_to_run_refuses(text):
    result = _append(text)
    if text.startswith("FROM a\nRUN x |"):
        assert result == "FROM a\nRUN x |\\\n  y && cleanup\n"
    else:
        assert result is None


# -- tokens / insert_after_word --------------------------------------------------------

def test_tokens_follow_continuations_and_skip_comment_lines():
    text = "FROM a\nRUN apk \\\n# c\n\n   add 'a b' \\\n\tc\n"
    doc = parse(text)
    got = [(t.text, t.line, t.column) for t in E.tokens(doc, 2, 4, 6)]
    assert got == [("apk", 2, 5), ("add", 5, 4), ("'a b'", 5, 8), ("c", 6, 2)]


def test_insert_after_word_on_a_continued_line_keeps_the_layout():
    text = "FROM a\r\nRUN apk \\\r\n    add \\\r\n    curl\r\n"
    doc = parse(text)
    edit = E.insert_after_word(doc, 2, 5, 4, ("add",), "--no-cache")
    assert _apply(text, edit) == "FROM a\r\nRUN apk \\\r\n    add --no-cache \\\r\n    curl\r\n"


def test_insert_after_word_ignores_the_word_inside_quotes():
    text = 'FROM a\nRUN sh -c "apk add x"\n'
    assert E.insert_after_word(parse(text), 2, 5, 2, ("add",), "--no-cache") is None


def test_bom_is_not_a_column():
    # the Document and the edits count columns after the BOM; fix_file keeps the BOM bytes
    text = "\ufeffFROM a\nRUN x\n"
    doc = parse(text)
    assert doc.text.startswith("FROM")
    ins = doc.instructions[1]
    assert E.replace_keyword(ins, "run") == E.TextEdit(2, 1, 2, 4, "run")


# -- insert_line_before, remove_word ---------------------------------------------------

def test_insert_line_before_goes_above_the_pragma_and_keeps_indent_and_crlf():
    text = "FROM a\r\n# dlint: ignore=DF401\r\n  RUN x | y\r\n"
    ctx = _ctx(text)
    ins = _run(ctx)
    edit = E.insert_line_before(ctx.document, ins, "SHELL [\"/bin/bash\"]", ctx.comments_above(ins))
    assert _apply(text, edit) == ('FROM a\r\n  SHELL ["/bin/bash"]\r\n# dlint: ignore=DF401\r\n'
                                  '  RUN x | y\r\n')


def test_remove_word_only_when_the_next_word_is_on_the_same_line():
    text = "FROM a\nRUN sudo  apt-get x\nRUN sudo \\\n  make\n"
    doc = parse(text)
    edit = E.remove_word(doc, 2, 5, 2, "sudo")
    assert _apply(text, edit) == "FROM a\nRUN apt-get x\nRUN sudo \\\n  make\n"
    assert E.remove_word(doc, 3, 5, 4, "sudo") is None


# -- stage_reference_edits -------------------------------------------------------------

def test_stage_rename_reaches_every_reference():
    text = ("FROM alpine AS Build\nRUN x\n"
            "FROM BUILD as Other\n"
            "COPY --from=build /a /b\n"
            "RUN --mount=type=bind,from=Build,target=/s \\\n  ls /s\n"
            "FROM scratch\nCOPY --from=Other --chown=1 /x /y\n")
    ctx = _ctx(text)
    stage = ctx.model.stages[0]
    edits = E.stage_reference_edits(ctx.document, ctx.model, stage, "build")
    new, applied = apply_edits(text, [edits])
    assert applied == 1
    assert new == ("FROM alpine AS build\nRUN x\n"
                   "FROM build as Other\n"
                   "COPY --from=build /a /b\n"
                   "RUN --mount=type=bind,from=build,target=/s \\\n  ls /s\n"
                   "FROM scratch\nCOPY --from=Other --chown=1 /x /y\n")


def test_line_ending():
    doc = parse("FROM a\r\nRUN x\nRUN y\n")
    assert E.line_ending(doc, 1) == "\r\n" and E.line_ending(doc, 2) == "\n"
