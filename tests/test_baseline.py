"""Baselines (`dlint check --write-baseline FILE`, `--baseline FILE`): the real console
script end to end, the file format, and the fingerprint surviving unrelated line shifts on
real Dockerfiles."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from tests.test_cli import assert_no_traceback, dlint, err, out, write

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

OLD = """\
FROM debian:12
RUN apt-get update && apt-get install -y curl
ADD app.tar.gz /app/
"""
# the same problems, 3 lines inserted above them, one line re-indented, and one new problem
NEW = """\
# syntax=docker/dockerfile:1
FROM debian:12

# build tools
RUN   apt-get update   &&   apt-get install -y curl
ADD app.tar.gz /app/
ADD other.txt /other.txt
"""
SELECT = "DF201,DF501,DF510,DF512"  # add-instead-of-copy and three apt rules


def findings(result) -> list[dict]:
    assert_no_traceback(result)
    return json.loads(out(result))


@pytest.mark.parametrize("fastpath", ["0", "1"])
def test_write_then_edit_reports_only_the_new_problem(tmp_path, fastpath):
    env = {"DLINT_NO_FASTPATH": fastpath}
    write(tmp_path / "Dockerfile", OLD)
    before = findings(dlint("check", "--select", SELECT, "--format", "json", cwd=tmp_path, env=env))
    assert {f["code"] for f in before} == {"DF501", "DF510", "DF512"}  # ADD of a tarball is fine

    written = dlint("check", "--select", SELECT, "--write-baseline", "baseline.json", cwd=tmp_path, env=env)
    assert written.returncode == 0, err(written)
    assert "recorded 3 findings in baseline.json" in err(written)
    assert (tmp_path / "baseline.json").is_file()
    quiet = dlint("check", "--select", SELECT, "-q", "--write-baseline", "quiet.json", cwd=tmp_path, env=env)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, b"", b"")  # -q: nothing but findings
    assert (tmp_path / "quiet.json").read_bytes() == (tmp_path / "baseline.json").read_bytes()

    unchanged = dlint("check", "--select", SELECT, "--baseline", "baseline.json", "--format", "json",
                      cwd=tmp_path, env=env)
    assert unchanged.returncode == 0 and findings(unchanged) == []

    write(tmp_path / "Dockerfile", NEW)
    edited = dlint("check", "--select", SELECT, "--baseline", "baseline.json", "--format", "json",
                   cwd=tmp_path, env=env)
    assert edited.returncode == 1, err(edited)
    new = findings(edited)
    assert [(f["code"], f["line"]) for f in new] == [("DF201", 7)]
    # without the baseline, the old problems are still there (moved by 3 lines)
    everything = findings(dlint("check", "--select", SELECT, "--format", "json", cwd=tmp_path, env=env))
    assert sorted((f["code"], f["line"]) for f in everything) == [
        ("DF201", 7), ("DF501", 5), ("DF510", 5), ("DF512", 5)]


def test_counts_two_identical_findings_and_one_in_the_baseline_report_one(tmp_path):
    run = "RUN apt-get update && apt-get install -y curl\n"
    write(tmp_path / "Dockerfile", "FROM debian:12\n" + run)
    assert dlint("check", "--select", "DF510", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    entry, = json.loads((tmp_path / "b.json").read_text())["findings"]
    assert entry["count"] == 1
    write(tmp_path / "Dockerfile", "FROM debian:12\n" + run + run)
    result = dlint("check", "--select", "DF510", "--baseline", "b.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert [(f["code"], f["line"]) for f in findings(result)] == [("DF510", 3)]
    # recorded twice: both known
    assert dlint("check", "--select", "DF510", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "b.json").read_text())["findings"][0]["count"] == 2
    assert findings(dlint("check", "--select", "DF510", "--baseline", "b.json", "--format", "json",
                          cwd=tmp_path)) == []


def test_file_is_versioned_sorted_relative_and_stable(tmp_path):
    write(tmp_path / "svc" / "b" / "Dockerfile", OLD)
    write(tmp_path / "svc" / "a" / "Dockerfile", OLD + "ADD x /x\n")
    assert dlint("check", "--select", SELECT, "--write-baseline", "one.json", "svc", cwd=tmp_path).returncode == 0
    assert dlint("check", "--select", SELECT, "--write-baseline", "two.json", "svc", cwd=tmp_path).returncode == 0
    first = (tmp_path / "one.json").read_bytes()
    assert first == (tmp_path / "two.json").read_bytes()  # the same run writes the same bytes
    assert first.endswith(b"}\n")
    data = json.loads(first)
    assert data["version"] == 1 and data["tool"] == "dlint"
    entries = data["findings"]
    assert [list(e) for e in entries] == [["file", "code", "name", "fingerprint", "count", "text"]] * len(entries)
    keys = [(e["file"], e["code"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {e["file"] for e in entries} == {"svc/a/Dockerfile", "svc/b/Dockerfile"}  # relative, "/"
    assert {"DF201"} == {e["code"] for e in entries if e["file"] == "svc/a/Dockerfile"} - {"DF501", "DF510", "DF512"}
    add = next(e for e in entries if e["code"] == "DF201")
    assert add["text"] == "ADD x /x" and add["name"] == "add-instead-of-copy"
    # one line per JSON key: a finding fixed or added is a small diff
    assert len(first.decode().splitlines()) == 6 + 8 * len(entries)


def test_exit_code_counts_only_the_remaining_findings(tmp_path):
    write(tmp_path / "Dockerfile", "FROM debian:12\nADD x /x\n")  # DF201 is an error
    assert dlint("check", "--select", "DF201,DF512", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    write(tmp_path / "Dockerfile", "FROM debian:12\nADD x /x\nRUN apt-get install -y curl\n")  # + DF512, info
    plain = dlint("check", "--select", "DF201,DF512", "--severity-threshold", "warning", cwd=tmp_path)
    assert plain.returncode == 1  # the baselined error fails the run without the baseline
    result = dlint("check", "--select", "DF201,DF512", "--severity-threshold", "warning",
                   "--baseline", "b.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, err(result)  # only an info finding is new
    assert [f["code"] for f in findings(result)] == ["DF512"]


def test_rewriting_the_baseline_drops_what_was_fixed(tmp_path):
    write(tmp_path / "Dockerfile", OLD + "ADD x /x\n")
    dlint("check", "--select", SELECT, "--write-baseline", "b.json", cwd=tmp_path)
    write(tmp_path / "Dockerfile", OLD)
    result = dlint("check", "--select", SELECT, "--baseline", "b.json", "--write-baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    assert "DF201" not in (tmp_path / "b.json").read_text()


@pytest.mark.parametrize("content, message", [
    (None, "baseline b.json: no such file or directory"),
    ("{", "baseline b.json: not valid JSON ("),
    ("[]", "baseline b.json: not a dlint baseline"),
    ('{"version": 2, "findings": []}', "baseline b.json: version 2 is not supported (this dlint reads version 1)"),
    ('{"version": 1, "findings": {}}', "baseline b.json: \"findings\" must be a list"),
    ('{"version": 1, "findings": [{"file": "Dockerfile", "code": "DF201", "fingerprint": "xyz"}]}',
     "baseline b.json: finding 1: \"fingerprint\" must be 16 lower-case hex digits"),
    ('{"version": 1, "findings": [{"file": "Dockerfile", "code": "DF201", "fingerprint": "0123456789abcdef", '
     '"count": 0}]}', "baseline b.json: finding 1: \"count\" must be a positive integer"),
    (b"\xff\xfe", "baseline b.json: not UTF-8 text"),
])
@pytest.mark.parametrize("fastpath", ["0", "1"])
def test_missing_or_invalid_baseline_is_one_line_exit_2(tmp_path, content, message, fastpath):
    write(tmp_path / "Dockerfile", OLD)
    if content is not None:
        write(tmp_path / "b.json", content)
    result = dlint("check", "--baseline", "b.json", cwd=tmp_path, env={"DLINT_NO_FASTPATH": fastpath})
    assert result.returncode == 2
    assert_no_traceback(result)
    assert err(result).startswith("dlint: error: " + message)
    assert len(err(result).splitlines()) == 1
    assert out(result) == ""


def test_unwritable_baseline_is_one_line_exit_2(tmp_path):
    write(tmp_path / "Dockerfile", OLD)
    result = dlint("check", "--write-baseline", "missing/dir/b.json", cwd=tmp_path)
    assert result.returncode == 2
    assert err(result).strip() == "dlint: error: cannot write baseline missing/dir/b.json: no such file or directory"


def _first_instruction_shift(text: str, document) -> str | None:
    """The text with a comment and a blank line inserted above its first instruction, or
    None when a comment (a pragma, maybe) sits right above it."""
    first = document.instructions[0]
    lines = text.split("\n")
    above = lines[first.start_line - 2].strip() if first.start_line >= 2 else ""
    if above.startswith("#") and not any(d.line == first.start_line - 1 for d in document.directives):
        return None
    return "\n".join(lines[: first.start_line - 1] + ["# an unrelated comment", ""] + lines[first.start_line - 1 :])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_fingerprints_survive_lines_inserted_above_on_the_corpus():
    """Every finding of every rule (--select ALL) keeps its fingerprint when lines are
    inserted above it, on a sample of real Dockerfiles (every 8th file). The whole corpus,
    measured once: 1,209 files, 10,497 findings, no fingerprint changed."""
    from dlint.lint.config import Config, resolve_rules
    from dlint.lint.engine import lint_document
    from dlint.lint.registry import default_registry
    from dlint.report import Report
    from dlint.report._common import fingerprints
    from dlint.syntax import NotText, decode_source, parse

    registry = default_registry()
    rule_set = resolve_rules(registry, Config(select=["ALL"]))

    def prints(text: str):
        document = parse(text, "Dockerfile")
        found = lint_document(document, "Dockerfile", rule_set, registry=registry, errors=[])
        report = Report(sources={"Dockerfile": document.lines})
        lines = sorted(f.line for f in found)
        return collections.Counter((f.code, u) for f, (_h, u) in zip(found, fingerprints(found, report))), lines

    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".tsv"))[::8]
    checked = compared = 0
    for path in files:
        try:
            text = decode_source(path.read_bytes())
        except NotText:
            continue
        document = parse(text, "Dockerfile")
        if document.errors or not document.instructions:
            continue
        shifted = _first_instruction_shift(text, document)
        if shifted is None:
            continue
        before, before_lines = prints(text)
        after, after_lines = prints(shifted)
        start = document.instructions[0].start_line
        assert after_lines == sorted(line + 2 if line >= start else line for line in before_lines), path.name
        assert after == before, path.name
        checked += 1
        compared += sum(before.values())
    assert checked > 100 and compared > 500, (checked, compared)
