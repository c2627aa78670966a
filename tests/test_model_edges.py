"""Model behaviour that only rule fixtures exercised: each test here kills a mutant that
scripts/mutation showed surviving tests/test_model.py (named in the test)."""

from __future__ import annotations

from dlint.model import build_model
from dlint.model.expand import _levenshtein, expand, suggest
from dlint.syntax import parse


def test_escaped_glob_characters_in_a_pattern_match_literally():
    # expand.py _shell_pattern: `\*` is a literal star, not a glob
    env = {"V": "*abc*"}
    assert expand("${V#\\*}", env).value == "abc*"
    assert expand("${V%\\*}", env).value == "*abc"
    assert expand("${V#*a}", env).value == "bc*"


def test_levenshtein_and_suggestions():
    # expand.py _levenshtein: the insertion cost reads current[j - 1]
    assert _levenshtein("kitten", "sitting", 10) == 3
    assert _levenshtein("abc", "abc", 10) == 0
    assert _levenshtein("", "ab", 10) == 2
    assert _levenshtein("abcdef", "uvwxyz", 3) == 3  # stops at the limit
    assert suggest("BASE_IMAG", ["OTHER", "BASE_IMAGE"]) == "BASE_IMAGE"
    assert suggest("TAG", ["TAG", "TAGS"]) is None  # declared: nothing to suggest
    assert suggest("abc", ["xyz"]) is None


def test_from_undeclared_names_unknown_args_and_knows_the_predefined_ones():
    # model.py from_undeclared: declared = global ARGs | BuildKit's predefined ones
    m = build_model(parse("ARG BASE_IMAGE=alpine\nFROM $BASE_IMAG:3.20 AS a\n"
                          "FROM --platform=$TARGETPLATFORM alpine:3.20\nFROM $BASE_IMAGE\n"))
    assert m.from_undeclared(m.stages[0]) == [("BASE_IMAG", "BASE_IMAGE")]
    assert m.from_undeclared(m.stages[1]) == []
    assert m.from_undeclared(m.stages[2]) == []
