"""dlint.syntax.parse against BuildKit's own parser (the `dockerfile` package, v0.12.5),
on every corpus file and every fixture in fixtures/parser/.

Files BuildKit accepts must give the same instructions (keyword as written, start/end
lines, flags, values, exec form, ONBUILD trigger, heredoc names and bodies, original
line); files it rejects must give a dlint parser SyntaxIssue. The only allowed
differences are where current BuildKit differs from v0.12.5 (SPEC §3), listed in
CURRENT_BUILDKIT_DIFFERENCES with the current behaviour asserted.
"""

from __future__ import annotations

import io
import logging

import pytest

from dlint.syntax import NotText, decode_source, parse

from test_parser_support import CORPUS, CORPUS_SKIP, FIXTURES, dlint_view, oracle_parse, oracle_view

pytest.importorskip("dockerfile")

CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.name not in CORPUS_SKIP) if CORPUS.is_dir() else []
FIXTURE_FILES = sorted(FIXTURES.glob("*.Dockerfile"))

# fixture -> what current BuildKit does there (v0.12.5 differs)
CURRENT_BUILDKIT_DIFFERENCES = {
    # `check` is a directive now, so the escape directive after it still applies.
    "check_directive.Dockerfile": lambda d: d.escape == "`" and d.instructions[1].value == ["echo a   b"],
    # JSON followed by trailing data is not exec form any more.
    "json_trailing_data.Dockerfile": lambda d: not d.instructions[1].json
    and d.instructions[1].value == ['["echo", "hi"] && echo more'],
    # Flag values are unescaped with the escape character (here the backtick).
    "flags_escape_char.Dockerfile": lambda d: d.instructions[1].flags[0].raw
    == "--mount=type=bind,source=C:\\src,target=C:\\dst",
    # `<< EOF` with a space opens a heredoc.
    "heredoc_space.Dockerfile": lambda d: [(h.name, h.content) for h in d.instructions[1].heredocs] == [("EOF", "x\n")]
    and d.instructions[1].end_line == 4,
}


def _truncate_nul(view):
    # The oracle passes Go strings through C strings: values stop at a NUL (JSON "\u0000").
    def cut(v):
        if isinstance(v, str):
            return v.split("\x00", 1)[0]
        if isinstance(v, list):
            return [cut(x) for x in v]
        if isinstance(v, tuple):
            return tuple(cut(x) for x in v)
        return v
    return [cut(row) for row in view]


def _compare(path):
    try:
        text = decode_source(path.read_bytes())
    except NotText:
        with pytest.raises(NotText):
            parse(path.read_bytes())
        return "not-text"
    doc = parse(text, str(path))
    commands, error = oracle_parse(text)
    parser_errors = [e for e in doc.errors if e.layer == "parser"]
    if error is not None:
        assert parser_errors, f"BuildKit rejects ({error}); dlint gave no parser error"
        return "rejected"
    assert not parser_errors, f"BuildKit accepts; dlint says {parser_errors}"
    assert _truncate_nul(dlint_view(doc)) == _truncate_nul(oracle_view(commands))
    return "agree"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_matches_buildkit(path):
    check = CURRENT_BUILDKIT_DIFFERENCES.get(path.name)
    if check is None:
        _compare(path)
        return
    doc = parse(path.read_bytes())
    assert not doc.errors
    assert check(doc), "dlint must follow current BuildKit here"
    with pytest.raises(AssertionError):  # and it really is a difference from v0.12.5
        _compare(path)


def test_every_allowed_difference_has_a_fixture():
    assert set(CURRENT_BUILDKIT_DIFFERENCES) <= {p.name for p in FIXTURE_FILES}


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus not present")
def test_corpus_matches_buildkit():
    outcomes: dict[str, list[str]] = {}
    failures = []
    for path in CORPUS_FILES:
        try:
            outcome = _compare(path)
        except AssertionError as e:
            failures.append(f"{path.name}: {str(e)[:300]}")
            continue
        outcomes.setdefault(outcome, []).append(path.name)
    counts = {k: len(v) for k, v in outcomes.items()}
    print(f"\ncorpus: {len(CORPUS_FILES)} files, {counts}, {len(failures)} disagreements")
    assert not failures, "\n".join(failures[:20])
    assert counts.get("agree", 0) > 1300


def _dockerfile_parse_boundaries(text: str):
    from dockerfile_parse import DockerfileParser

    structure = DockerfileParser(fileobj=io.BytesIO(text.encode())).structure
    return [(s["instruction"], s["startline"] + 1, s["endline"] + 1) for s in structure
            if s["instruction"] != "COMMENT"]


def _outside_dockerfile_parse_known_bugs(doc) -> bool:
    """Files with none of the inputs dockerfile-parse is known to get wrong
    (reference/python-ecosystem.md §1)."""
    if doc.errors or doc.text.startswith("\ufeff"):
        return False
    if not doc.text.endswith("\n"):
        return False
    comment_lines = {c.line for c in doc.comments}
    for i in doc.instructions:
        if i.heredocs:
            return False
        inner = range(i.start_line + 1, i.end_line + 1)
        if any(ln in comment_lines or not doc.lines[ln - 1].strip() for ln in inner):
            return False
        if any(line.rstrip().endswith(doc.escape * 2) for line in i.source_lines):
            return False
        if i.source_lines and i.source_lines[-1].rstrip().endswith(doc.escape):
            return False
    return True


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus not present")
def test_dockerfile_parse_cross_check():
    """dockerfile-parse (not used at run time) agrees with dlint on instruction boundaries
    and keywords wherever none of its known bugs apply."""
    logging.getLogger("dockerfile_parse").setLevel(logging.CRITICAL)
    checked = 0
    mismatches = []
    for path in CORPUS_FILES:
        try:
            text = decode_source(path.read_bytes())
        except NotText:
            continue
        doc = parse(text)
        if not _outside_dockerfile_parse_known_bugs(doc):
            continue
        checked += 1
        ours = [(i.keyword if i.keyword else i.raw_keyword.upper(), i.start_line, i.end_line)
                for i in doc.instructions]
        if _dockerfile_parse_boundaries(text) != ours:
            mismatches.append(path.name)
    print(f"\ndockerfile-parse cross-check: {checked} files, {len(mismatches)} mismatches")
    assert checked > 700
    assert not mismatches, mismatches[:20]
