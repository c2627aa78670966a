# Golden terminal output (issue 16): what a person sees from `dlint check`, byte for byte,
# colour off, for fixtures whose carets are easy to get wrong: a finding spanning several
# lines (the caret runs to the end of its first line), findings in and on a heredoc, and
# source lines with wide (CJK, fullwidth) characters, a combining accent and a tab, where a
# caret counted in characters instead of terminal cells lands under the wrong word.
#
# Inputs: fixtures/report/tty/<name>.Dockerfile; expected output: <name>.txt next to it.
# Regenerate with DLINT_UPDATE_FIXTURES=1 (or DLINT_UPDATE_GOLDEN=1) and review the diff,
# in a terminal, by eye: the carets must sit under the span the finding names.

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlint.lint.finding import Finding
from dlint.report import Report
from dlint.report.tty import _cells, render

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "fixtures" / "report" / "tty"
DLINT = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
UPDATE = any(os.environ.get(v) == "1" for v in ("DLINT_UPDATE_FIXTURES", "DLINT_UPDATE_GOLDEN"))

# Each golden selects a few rules, so that a new rule elsewhere does not change it.
SELECT = {
    "multiline-heredoc": "DF103,DF206,DF401,DF510",
    "wide-chars": "DF401,DF412,DF510",
}


def run_tty(name: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    env.update({"DLINT_NO_PLUGINS": "1", **env_extra})
    return subprocess.run([DLINT, "check", "--select", SELECT[name], f"{name}.Dockerfile"],
                          cwd=GOLDEN, capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("name", sorted(SELECT))
def test_tty_golden(name):
    result = run_tty(name, {"NO_COLOR": "1"})
    assert result.returncode == 1 and result.stderr == b"", result.stderr.decode()
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.write_bytes(result.stdout)
    assert result.stdout.decode("utf-8") == golden.read_text(encoding="utf-8")
    # Not a terminal is colour off as well: the same bytes without NO_COLOR.
    assert run_tty(name, {}).stdout == result.stdout


def test_goldens_have_inputs():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(SELECT)
    assert sorted(p.name[: -len(".Dockerfile")] for p in GOLDEN.glob("*.Dockerfile")) == sorted(SELECT)


@pytest.mark.parametrize(("text", "cells"), [
    ("abc", 3), ("日本", 4), ("ｆｕｌｌ", 8), ("cafe\u0301", 4), ("a\u200bb", 2), ("", 0),
])
def test_cells_counts_terminal_columns(text, cells):
    assert _cells(text) == cells


def test_caret_after_wide_characters_sits_under_the_span():
    line = 'RUN echo "日本語" && sudo true'
    column = line.index("sudo") + 1
    finding = Finding("Dockerfile", 1, column, 1, column + 3, "DF412", "sudo-in-run", "error", "m")
    report = Report(files=["Dockerfile"], sources={"Dockerfile": [line]})
    _, source, caret, _ = render([finding], report).splitlines()
    prefix = "  1 | "
    assert source == prefix + line
    # Three wide characters: the caret starts three cells after the character count.
    assert caret == "    | " + " " * (column - 1 + 3) + "^" * 4
