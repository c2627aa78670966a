"""hadolint's DL3061 (instruction order) and DL3043 (ONBUILD triggers) are BuildKit parse
errors, reported by syntax-error: each finding carries only the hadolint code it stands
for, so hadolint pragmas keep their meaning."""

from __future__ import annotations

from dlint.lint.config import Config
from dlint.lint.engine import lint_document
from dlint.lint.registry import load_registry
from dlint.syntax import parse

REGISTRY = load_registry(builtin=True, plugins=False)


def _findings(source: str):
    return lint_document(parse(source, "Dockerfile"), "Dockerfile", Config(select=("DF000",)),
                         registry=REGISTRY)


def test_each_syntax_error_names_its_own_hadolint_code() -> None:
    source = "LABEL a=b\nFROM alpine:3.20\nONBUILD FROM alpine:3.20\nRUNN x\n"
    assert [(f.line, f.aliases) for f in _findings(source)] == [
        (1, ["DL1000", "DL3061"]), (3, ["DL1000", "DL3043"]), (4, ["DL1000"])]


def test_a_hadolint_pragma_silences_only_the_error_it_names() -> None:
    source = ("# hadolint ignore=DL3061\nLABEL a=b\nFROM alpine:3.20\n"
              "# hadolint ignore=DL3061\nRUNN x\n")
    assert [f.line for f in _findings(source)] == [5]


def test_selecting_the_hadolint_code_selects_syntax_error() -> None:
    assert [r.name for r in REGISTRY.resolve("DL3061")] == ["syntax-error"]
    assert [r.name for r in REGISTRY.resolve("DL3043")] == ["syntax-error"]
