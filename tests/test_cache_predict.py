"""The cache model against real-engine observations (fixtures/cache/*/scenario.toml), and
its API: reasons, errors, steps_invalidated_by, reading only selected files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dlint.cache.context import DirectorySnapshot
from dlint.cache.predict import PredictError, explain, predict, source_covers, steps_invalidated_by
from dlint.syntax import parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cache"
SCENARIOS = sorted(p for p in FIXTURES.iterdir() if (p / "scenario.toml").exists())
CASES = [(p, b) for p in SCENARIOS for b in tomllib.loads((p / "scenario.toml").read_text())["builders"]]


def predict_scenario(path: Path, builder: str):
    sc = tomllib.loads((path / "scenario.toml").read_text())
    # Every scenario was observed with `--network=none` builds.
    return sc, predict(path / "before", path / "after", dockerfile=sc.get("dockerfile", "Dockerfile"),
                       build_args=sc.get("build_args"), before_build_args=sc.get("before_build_args"),
                       after_build_args=sc.get("after_build_args"), target=sc.get("target"),
                       builder=builder, network="none")


def test_every_reference_row_we_can_run_has_a_scenario():
    rows = {tomllib.loads((p / "scenario.toml").read_text())["reference"] for p in SCENARIOS}
    assert len(SCENARIOS) >= 60
    assert {"E04b", "E07", "E09", "E12", "E16b", "E19d", "E20d", "E22", "E38", "E41"} <= rows


@pytest.mark.parametrize("path,builder", CASES, ids=[f"{p.name}-{b}" for p, b in CASES])
def test_scenario_prediction_matches_engine(path, builder):
    sc, prediction = predict_scenario(path, builder)
    expected = sc["expected"][builder]
    counted = [s for s in prediction.steps if s.cached is not None and s.instruction != "FROM"
               and s.stage is not None]
    # Definite predictions equal what the engine did; an uncertain one names its condition
    # (tests/test_cache_engine.py checks that the engine's outcome satisfies it).
    predicted = {str(s.line): s.cached for s in counted if s.certain}
    assert predicted == {line: v for line, v in expected.items() if line in predicted}
    assert set(expected) == {str(s.line) for s in counted}
    for step in prediction.steps:
        # A reason says why a step reruns; on a cached step only why a linked copy stays
        # cached although a step before it reran (buildkit-container).
        linked_note = step.cached is True and (step.reason or "").startswith("--link: independent")
        assert (step.reason is None) == (step.cached is not False) or linked_note
        assert step.certain or (step.cached is False and step.condition.startswith("cached if "))


def test_uncertain_reruns_are_counted_apart():
    _, p = predict_scenario(FIXTURES / "U03", "buildkit")
    assert [(s.line, s.certain) for s in p.rerun_steps] == [(2, True), (6, False), (7, False)]
    assert p.summary() == "1 of 4 steps rerun, 2 more may"
    step = next(s for s in p.steps if s.line == 6)
    assert step.to_json() == {"stage": "stage-1", "line": 6, "instruction": "COPY", "cached": False,
                              "reason": "copied path /out.txt may have changed: RUN on line 2 (stage build) reran",
                              "certain": False,
                              "condition": "cached if /out.txt from stage build comes out byte-identical "
                                           "(RUN on line 2 reran)"}
    # Predictable: the RUN reran for an ENV it never names and writes the same bytes.
    _, p = predict_scenario(FIXTURES / "U01", "buildkit")
    assert all(s.certain for s in p.steps) and p.summary() == "1 of 4 steps rerun"
    # Same, but the script is not deterministic: uncertain.
    _, p = predict_scenario(FIXTURES / "U05", "buildkit")
    assert [s.line for s in p.possible_reruns] == [7, 8]


def reasons(prediction):
    return {s.line: s.reason for s in prediction.steps if s.reason}


def test_reasons_name_the_first_cause():
    _, p = predict_scenario(FIXTURES / "X01", "buildkit")
    assert reasons(p)[4] == "file requirements.txt changed"
    assert reasons(p)[5] == "file requirements.txt changed (COPY on line 4)"
    _, p = predict_scenario(FIXTURES / "E07", "buildkit")
    assert reasons(p)[5] == "build arg FOO changed (declared on line 3)"
    _, p = predict_scenario(FIXTURES / "E09", "classic")
    assert reasons(p)[3] == "instruction changed"
    assert reasons(p)[4].startswith("previous step rebuilt (classic builder: linear chain)")
    _, p = predict_scenario(FIXTURES / "E14", "buildkit")
    assert reasons(p)[5] == "USER changed (line 3)"
    _, p = predict_scenario(FIXTURES / "X03", "buildkit")
    assert reasons(p)[8].startswith("/out/a.txt in stage build changed: file a.txt changed")
    _, p = predict_scenario(FIXTURES / "E05", "buildkit")
    assert reasons(p)[3] == "mode of run.sh changed (644 -> 755)"


def test_json_shape_and_skipped_stages():
    sc, p = predict_scenario(FIXTURES / "E16", "buildkit")
    data = p.to_json()
    assert data["builder"] == "buildkit" and data["target"] is None
    assert {s["stage"] for s in data["steps"]} == {"final"}          # unused stage absent
    assert set(data["steps"][0]) == {"stage", "line", "instruction", "cached", "reason"}
    _, p = predict_scenario(FIXTURES / "E16", "classic")
    assert {s.stage for s in p.steps} == {"unused", "final"}
    lines = [s.line for s in p.steps]
    assert lines == sorted(lines)


def test_metadata_is_none_under_buildkit_and_a_step_under_classic():
    _, p = predict_scenario(FIXTURES / "E09", "buildkit")
    by_line = {s.line: s for s in p.steps}
    assert by_line[3].instruction == "LABEL" and by_line[3].cached is None
    _, p = predict_scenario(FIXTURES / "E09", "classic")
    assert {s.line: s for s in p.steps}[3].cached is False


def ctx(tmp_path, name, dockerfile, files=None):
    root = tmp_path / name
    root.mkdir()
    (root / "Dockerfile").write_text(dockerfile)
    for k, v in (files or {}).items():
        (root / k).parent.mkdir(parents=True, exist_ok=True)
        (root / k).write_text(v)
    return root


def test_copy_from_unknown_when_a_writing_run_reran(tmp_path):
    text = ("FROM b AS build\nCOPY src /src\nRUN cd /src && make -o /out/app\n"
            "FROM b\nCOPY --from=build /out/app /app\nRUN /app\n")
    before = ctx(tmp_path, "b", text, {"src/a.c": "1"})
    after = ctx(tmp_path, "a", text, {"src/a.c": "2"})
    p = predict(before, after)
    by_line = {s.line: s for s in p.steps}
    assert by_line[5].cached is False
    assert "may have changed" in by_line[5].reason and "line 3" in by_line[5].reason


def test_build_args_passed_equal_to_default_and_proxy(tmp_path):
    root = ctx(tmp_path, "c", "FROM b\nARG V=1\nRUN echo\n")
    p = predict(root, root, before_build_args={}, after_build_args={"V": "1", "HTTPS_PROXY": "x"})
    assert all(s.cached is not False for s in p.steps)


def test_errors(tmp_path):
    root = ctx(tmp_path, "e", "FROM b\nRUN --mount=type=cache,target=/c true\nCOPY --chmod=644 a /a\n", {"a": "a"})
    with pytest.raises(PredictError, match="requires BuildKit"):
        predict(root, root, builder="classic")
    with pytest.raises(PredictError, match="unknown target"):
        predict(root, root, target="nope")
    with pytest.raises(PredictError, match="outside the build context"):
        predict(root, root, dockerfile="../Dockerfile")
    with pytest.raises(PredictError, match="no Dockerfile.x"):
        predict(root, root, dockerfile="Dockerfile.x")
    with pytest.raises(PredictError, match="not a directory"):
        predict(tmp_path / "missing", root)
    broken = ctx(tmp_path, "broken", "FROM b\nFOO bar\n")
    with pytest.raises(PredictError, match="unknown instruction: FOO"):
        predict(broken, broken)


def test_source_covers():
    assert source_covers(".", "anything/at/all")
    assert source_covers("src/", "src/a.py") and not source_covers("src", "srcx/a.py")
    assert source_covers("*.txt", "a.txt") and not source_covers("*.txt", "d/a.txt")
    assert source_covers("requirements.txt", "requirements.txt")
    assert not source_covers("src/a.py", "src")   # an edit elsewhere under src/ leaves src/a.py


ORDER_BAD = ("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
             "RUN python -m compileall .\nLABEL x=1\nCMD [\"python\", \"app.py\"]\n")
ORDER_GOOD = ("FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
              "COPY . .\nRUN python -m compileall .\nCMD [\"python\", \"app.py\"]\n")


def test_steps_invalidated_by_quantifies_copy_order():
    bad = steps_invalidated_by(parse(ORDER_BAD), "src/app.py")
    good = steps_invalidated_by(parse(ORDER_GOOD), "src/app.py")
    assert (len(bad.rerun_steps), bad.step_count) == (3, 4)
    assert (len(good.rerun_steps), good.step_count) == (2, 5)
    assert [s.line for s in good.rerun_steps] == [5, 6]
    assert good.rerun_steps[0].reason == "file src/app.py changed"
    classic = steps_invalidated_by(parse(ORDER_BAD), "src/app.py", builder="classic")
    assert [s.line for s in classic.rerun_steps] == [3, 4, 5, 6, 7]
    dep = steps_invalidated_by(parse(ORDER_GOOD), "requirements.txt")
    assert [s.line for s in dep.rerun_steps] == [3, 4, 5, 6]


def test_explain_ranks_paths(tmp_path):
    root = ctx(tmp_path, "x", ORDER_GOOD, {"requirements.txt": "flask\n", "src/app.py": "x", "README.md": "r"})
    (root / ".dockerignore").write_text("README.md\n")
    data = explain(root)
    ranking = {r["path"]: r for r in data["ranking"]}
    assert ranking["requirements.txt"]["rerun"] == 4
    assert ranking["src/"]["rerun"] == 2 and ranking["src/"]["steps"] == 5
    assert ranking["src/"]["including"] == "RUN python -m compileall ."
    assert "README.md" not in ranking                       # ignored: no step reads it
    copy_req = next(s for s in data["steps"] if s["line"] == 3)
    assert copy_req["paths"] == ["requirements.txt"]


def test_explain_leaves_out_subfolders_that_cost_what_their_folder_costs(tmp_path):
    root = ctx(tmp_path, "x", ORDER_GOOD, {"requirements.txt": "flask\n", "src/app.py": "x",
                                           "src/pkg/mod.py": "m", "src/pkg/sub/deep.py": "d"})
    paths = [r["path"] for r in explain(root)["ranking"]]
    assert "src/" in paths
    assert "src/pkg/" not in paths and "src/pkg/sub/" not in paths


def test_reads_only_selected_files_in_a_large_context(tmp_path):
    root = tmp_path / "big"
    for i in range(100):
        d = root / "junk" / f"d{i}"
        d.mkdir(parents=True)
        for j in range(20):
            (d / f"f{j}.bin").write_text(f"{i}-{j}")
    (root / "src").mkdir()
    for i in range(30):
        (root / "src" / f"m{i}.py").write_text(str(i))
    (root / "Dockerfile").write_text("FROM b\nCOPY src /src\nRUN ls /src\n")
    opened: list[str] = []

    class Counting(DirectorySnapshot):
        def read(self, path):
            opened.append(path)
            return super().read(path)

    p = predict(Counting(root), Counting(root))
    assert all(s.cached is not False for s in p.steps)
    assert sorted(set(opened)) == sorted(["Dockerfile"] + [f"src/m{i}.py" for i in range(30)])


# -- cache-busting-copy's numbers equal the analyzer's on the reordered file (issue 11) ----

REORDERED = {
    # RUN install && cache clean: the cleanup moves with the install (the old count said 3).
    "bad-yarn-cache-clean": ("FROM node:20-slim\nWORKDIR /app\nCOPY package.json yarn.lock ./\n"
                             "RUN yarn install --frozen-lockfile && yarn cache clean\nCOPY . .\n"
                             "RUN yarn build\nCMD [\"node\", \"dist/index.js\"]\n"),
    "bad-manifest-already-copied": ("FROM node:22-slim\nWORKDIR /app\nCOPY package.json yarn.lock ./\n"
                                    "RUN yarn install --frozen-lockfile && yarn cache clean\nCOPY . .\n"
                                    "RUN yarn build\n"),
    # RUN apt-get update alone before the install: both move.
    "bad-apt-update-alone": ("FROM debian:bookworm-slim\nRUN apt-get update\n"
                             "RUN apt-get install -y --no-install-recommends python3\nCOPY . /srv/app\n"
                             "CMD [\"python3\", \"/srv/app/main.py\"]\n"),
}


@pytest.mark.parametrize("name", sorted(REORDERED))
def test_cache_busting_copy_counts_what_cache_explain_counts_on_the_fix(name, tmp_path):
    import re

    from dlint.cache.predict import explain
    from dlint.lint.registry import load_registry
    from dlint.testing import FixtureCase

    root = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "cache-busting-copy"
    registry = load_registry()
    rule = next(r for r in registry.rules if r.name == "cache-busting-copy")
    findings = FixtureCase(rule, root / f"{name}.Dockerfile", registry).lint()
    assert len(findings) == 1
    fixed = int(re.search(r"would rerun (\d+)", findings[0].message).group(1))
    (tmp_path / "Dockerfile").write_text(REORDERED[name])
    (tmp_path / "main.js").write_text("source\n")
    for manifest in ("package.json", "yarn.lock"):
        (tmp_path / manifest).write_text("{}\n")
    ranking = {row["path"]: row["rerun"] for row in explain(tmp_path)["ranking"]}
    assert ranking["main.js"] == fixed
    if name == "bad-apt-update-alone":
        assert "with the `RUN apt-get update` on line 3" in findings[0].message
