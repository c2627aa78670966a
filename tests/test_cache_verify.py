"""`dlint cache verify`: the comparison (offline), and the command on a real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest_engine import docker_engine, engine_location  # noqa: F401  (pytest fixture)
from dlint.cache.engine import ObservedStep
from dlint.cache.predict import StepPrediction
from dlint.cache.verify import VerifyResult, compare, render_text, verify

REPO = Path(__file__).resolve().parents[1]


def predicted(line, cached, instruction="RUN", stage="build", reason=None):
    return StepPrediction(stage, line, instruction, cached, reason, f"{instruction} x{line}")


def observed(line, cached, instruction="RUN", stage="build"):
    return ObservedStep(stage, line, instruction, cached)


def result_of(steps) -> VerifyResult:
    return VerifyResult("buildkit", None, "26.1.5", "unix:///x.sock", steps)


# -- the comparison, offline -------------------------------------------------------------


def test_all_agree_exits_0():
    steps = compare(
        [predicted(1, True, "FROM"), predicted(2, True), predicted(3, None, "ENV"), predicted(4, False)],
        [observed(1, None, "FROM"), observed(2, True), observed(3, None, "ENV"), observed(4, False)])
    result = result_of(steps)
    assert [s.agree for s in steps] == [True, True, True, True]
    assert result.summary() == "2 of 2 steps agree"
    assert result.exit_code() == 0


def test_a_wrong_prediction_exits_1_and_is_named():
    steps = compare([predicted(2, True), predicted(3, True, reason=None), predicted(4, False, reason="file a changed")],
                    [observed(2, True), observed(3, False), observed(4, True)])
    result = result_of(steps)
    assert [s.line for s in result.disagreements] == [3, 4]
    assert result.summary() == "1 of 3 steps agree"
    assert result.exit_code() == 1
    text = render_text(result)
    assert "line 4: predicted rebuilt, the engine cached (predicted because: file a changed)" in text
    assert text.rstrip().endswith("1 of 3 steps agree (buildkit)")
    row = next(ln for ln in text.splitlines() if ln.startswith("3 "))
    assert row.split()[-3:] == ["cached", "rebuilt", "DIFFERS"]


def test_a_step_seen_on_one_side_only_disagrees():
    # The predictor thinks ENV makes a step, the engine shows none; the engine shows a step
    # on a line the prediction does not have.
    steps = compare([predicted(2, True, "ENV"), predicted(3, False)],
                    [observed(2, None, "ENV"), observed(3, False), observed(5, True)])
    result = result_of(steps)
    assert [(s.line, s.missing) for s in result.disagreements] == [(2, None), (5, "prediction")]
    assert result.exit_code() == 1


def test_from_and_global_args_are_shown_but_not_counted():
    steps = compare([predicted(1, True, "ARG", stage=None), predicted(2, False, "FROM"), predicted(3, True)],
                    [observed(1, None, "ARG", stage=None), observed(2, None, "FROM"), observed(3, True)])
    result = result_of(steps)
    assert [s.line for s in result.steps] == [1, 2, 3]
    assert [s.line for s in result.compared] == [3]
    assert result.exit_code() == 0


def test_an_uncertain_prediction_agrees_with_either_outcome_and_is_marked():
    uncertain = StepPrediction("final", 6, "COPY", False, "copied path /a may have changed", "COPY --from=b /a /a",
                               certain=False, condition="cached if /a from stage b comes out byte-identical")
    steps = compare([predicted(2, False), uncertain], [observed(2, False), observed(6, True, "COPY", "final")])
    result = result_of(steps)
    assert result.exit_code() == 0 and result.summary() == "2 of 2 steps agree, 1 of them predicted as uncertain"
    text = render_text(result)
    row = next(ln for ln in text.splitlines() if ln.startswith("6 "))
    assert row.split()[-3:] == ["rebuilt?", "cached", "ok"]
    assert "line 6: uncertain: cached if /a from stage b comes out byte-identical; the engine cached" in text
    data = result.to_json()["steps"][1]
    assert data["certain"] is False and data["condition"].startswith("cached if /a")


def test_json_shape():
    result = result_of(compare([predicted(2, False, reason="instruction changed")], [observed(2, True)]))
    data = json.loads(json.dumps(result.to_json()))
    assert data["agree"] is False and data["summary"] == "0 of 1 steps agree"
    assert data["steps"] == [{"stage": "build", "line": 2, "instruction": "RUN", "predicted": False,
                              "observed": True, "agree": False, "compared": True,
                              "reason": "instruction changed"}]


# -- leftovers of a run killed mid-build -------------------------------------------------


def test_leftovers_of_a_killed_run_are_removed_by_the_next(docker_engine, tmp_path):
    """dlint killed (SIGKILL) during a classic build leaves unlabelled intermediate images
    (and possibly the step's container); the next run removes exactly those."""
    import signal
    import time

    from dlint.cache.verify import clean_leftovers

    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM dlint-base:1\nRUN echo one > /one\nRUN echo two > /two\nRUN sleep 20\n")
    state = tmp_path / "state"
    env = dict(os.environ, XDG_STATE_HOME=str(state), DOCKER_HOST=docker_engine.docker_host,
               **({"DOCKER_CONFIG": docker_engine.docker_config} if docker_engine.docker_config else {}))
    proc = subprocess.Popen([sys.executable, "-m", "dlint", "cache", "verify", str(ctx), str(ctx),
                             "--builder", "classic"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal_dir = state / "dlint" / "verify-runs"
    deadline = time.monotonic() + 30
    noted: list[str] = []
    derived: list[str] = []
    try:
        while time.monotonic() < deadline and len(noted) < 2 and proc.poll() is None:
            time.sleep(0.2)
            for path in journal_dir.glob("*.jsonl"):
                records = [json.loads(ln) for ln in path.read_text().splitlines()[1:] if ln.strip()]
                noted = [r["image"] for r in records if "image" in r]
                derived = [r["derived"] for r in records if "derived" in r]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(noted) >= 2, f"the run noted no images before it was killed: {proc.stderr.read().decode()[-500:]}"
    time.sleep(1)  # the daemon notices the closed connection and cancels the build
    left = [i for i in noted if docker_engine.inspect_image(i) is not None]
    assert left, "the killed run left nothing behind: the test would test nothing"
    assert derived and all(docker_engine.inspect_image(t) is not None for t in derived)

    containers, images = clean_leftovers(docker_engine, journal_dir)
    assert images >= 1  # removing a child also removes its untagged parents
    assert [i for i in noted + derived if docker_engine.inspect_image(i) is not None] == []
    full_ids = set()
    for container in docker_engine.api.containers(all=True):
        full_ids.add(container["ImageID"])
    assert not any(i in cid for i in noted for cid in full_ids)
    assert list(journal_dir.glob("*.jsonl")) == []
    assert docker_engine.inspect_image("dlint-base:1") is not None
    # The dead run's verify lock went too.
    assert not [c for c in docker_engine.api.containers(all=True) if "/dlint-verify-lock" in c.get("Names", [])]


# -- the command -------------------------------------------------------------------------


def run_dlint(args: list[str], env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlint", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def engine_env(engine, tmp_path) -> dict[str, str]:
    env = dict(os.environ, DOCKER_HOST=engine.docker_host, XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    if engine.docker_config:
        env["DOCKER_CONFIG"] = engine.docker_config
    return env


def test_no_engine_exits_2_with_one_line(tmp_path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM dlint-base:1\nRUN true\n")
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-such.sock", DOCKER_CONFIG=str(tmp_path / "cfg"))
    proc = run_dlint(["cache", "verify", str(ctx), str(ctx)], env)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dlint: error: no Docker engine answers at unix://")
    # for users: how to point dlint at an engine, not the project's development scripts
    assert "DOCKER_HOST" in lines[0] and "scripts/" not in lines[0] and "Traceback" not in proc.stderr


def test_bad_input_exits_2(tmp_path):
    proc = run_dlint(["cache", "verify", str(tmp_path), str(tmp_path / "missing"), "--builder", "buildkit"],
                     dict(os.environ), cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("dlint: error: ") and len(proc.stderr.splitlines()) == 1
    proc = run_dlint(["cache", "verify", str(tmp_path), str(tmp_path), "--builder", "kaniko"], dict(os.environ))
    assert proc.returncode == 2 and "kaniko" in proc.stderr and "Traceback" not in proc.stderr


# Two fixture scenarios through the command, one per builder: a content edit and a build-arg change.
CLI_SCENARIOS = [("E05", "buildkit"), ("E07", "classic")]


def scenario_cli_args(scenario, builder: str) -> list[str]:
    args = [str(scenario.path / "before"), str(scenario.path / "after"), "--builder", builder,
            "-f", scenario.dockerfile]
    for option, values in (("--build-arg", scenario.build_args), ("--before-build-arg", scenario.before_build_args),
                           ("--after-build-arg", scenario.after_build_args)):
        for key, value in values.items():
            args += [option, f"{key}={value}"]
    if scenario.target:
        args += ["--target", scenario.target]
    return args


@pytest.mark.parametrize("name, builder", CLI_SCENARIOS)
def test_verify_command_on_fixture_scenarios(docker_engine, tmp_path, name, builder):
    from test_cache_engine import SCENARIO_ROOT, load_scenario

    scenario = load_scenario(SCENARIO_ROOT / name)
    expected = scenario.expected[builder]
    env = engine_env(docker_engine, tmp_path)
    proc = run_dlint(["cache", "verify", *scenario_cli_args(scenario, builder)], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert out[0].startswith(f"Docker Engine {docker_engine.engine_version()} at {docker_engine.docker_host}; builder: ")
    header = next(i for i, ln in enumerate(out) if ln.startswith("LINE"))
    assert out[header].split() == ["LINE", "STAGE", "INSTRUCTION", "PREDICTED", "OBSERVED", "AGREE"]
    rows = {}
    for ln in out[header + 1:]:
        if not ln.strip():
            break
        cells = ln.split()
        if cells[-1] == "ok":  # a compared step: ... PREDICTED OBSERVED ok
            rows[int(cells[0])] = cells[-2]
    # The OBSERVED column is what the scenario recorded from the engine.
    assert rows == {line: "cached" if cached else "rebuilt" for line, cached in expected.items()}
    assert out[-1] == f"{len(expected)} of {len(expected)} steps agree ({builder})"
    assert "building BEFORE" in proc.stderr and "building AFTER" in proc.stderr  # plain progress off a TTY
    assert "BEFORE built in " in proc.stderr and "removing what this run made" in proc.stderr
    assert docker_engine.images_made() == []  # its images are gone

    proc = run_dlint(["cache", "verify", *scenario_cli_args(scenario, builder), "--format", "json"], env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["builder"] == builder and data["agree"] is True
    assert {s["line"]: s["observed"] for s in data["steps"] if s["compared"] and s["observed"] is not None} == expected


# -- isolation: the user's cache is left as it was (issue 11, part 1) ---------------------


def engine_state(engine) -> dict:
    """Every image (id -> tags), every BuildKit cache record (id -> size) and the bytes the
    build cache holds: what a verify run must leave as it found it."""
    images = {img["Id"]: tuple(sorted(img.get("RepoTags") or ())) for img in engine.api.images(all=True)}
    records = {rid: rec.get("Size", 0) for rid, rec in engine.cache_records().items()}
    containers = sorted(c["Id"] for c in engine.api.containers(all=True))
    return {"images": images, "records": records, "containers": containers}


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_verify_leaves_the_users_cache_and_images(docker_engine, tmp_path, builder):
    """Build a Dockerfile (the user's), run `cache verify` on something else and on the
    same Dockerfile, rebuild the first: every step is still cached, and the engine holds
    exactly the images, containers and cache records it held before the verify runs."""
    import uuid

    from test_cache_engine import SCENARIO_ROOT

    marker = uuid.uuid4().hex[:10]
    user = tmp_path / "user"
    user.mkdir()
    (user / "app.txt").write_text("user's app\n")
    (user / "Dockerfile").write_text(f"FROM dlint-base:1\nRUN echo user-{marker} > /u\nCOPY app.txt /app.txt\n"
                                     "RUN cat /app.txt /u\nWORKDIR /srv\n")
    user_run = f"user-{marker}"
    first = docker_engine.build(builder, user, run_id=user_run)
    try:
        assert [s.cached for s in first.steps if s.instruction != "FROM" and s.cached is not None] == \
            [False, False, False, False]
        state = engine_state(docker_engine)
        env = engine_env(docker_engine, tmp_path)
        # Something else (a fixture scenario), then the user's own Dockerfile against a
        # BEFORE it shares nothing with: had the run hit the user's records, the engine
        # would show the user's steps cached where dlint predicts a rebuild (exit 1).
        other = SCENARIO_ROOT / "E05"
        proc = run_dlint(["cache", "verify", str(other / "before"), str(other / "after"), "--builder", builder], env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "isolated from the engine's cache" in proc.stdout
        empty = tmp_path / "empty"
        empty.mkdir()
        (empty / "Dockerfile").write_text("FROM dlint-base:1\nRUN echo nothing\n")
        (empty / "app.txt").write_text("user's app\n")
        proc = run_dlint(["cache", "verify", str(empty), str(user), "--builder", builder, "--format", "json"], env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        data = json.loads(proc.stdout)
        observed = [s["observed"] for s in data["steps"] if s["compared"] and s["observed"] is not None]
        assert observed and not any(observed), data  # nothing of the user's build was hit
        assert data["isolated"] is True and data["cleanup"]["complete"] is True
        if builder == "buildkit":
            assert data["cleanup"]["cache_records"] > 0

        assert engine_state(docker_engine) == state  # the residue: nothing
        again = docker_engine.build(builder, user, run_id=user_run)
        assert [s.cached for s in again.steps if s.instruction != "FROM" and s.cached is not None] == \
            [True, True, True, True]
    finally:
        docker_engine.remove_images(user_run)


def test_rewritten_dockerfile_keeps_lines_and_stages():
    from dlint.cache.isolate import Isolation, processed_bases, rewrite_dockerfile
    from dlint.syntax import parse

    text = ("ARG BASE=dlint-base:1\nFROM --platform=$BUILDPLATFORM ${BASE} \\\n  AS build\nRUN true\n"
            "FROM build AS test\nFROM scratch AS out\nCOPY --from=build /x /x\nFROM unused:1 AS unused\n")
    iso = Isolation("r1")
    bases = processed_bases(text, builder="buildkit", build_args={}, target="out")
    assert [b for _, b in bases] == ["dlint-base:1", "scratch"]
    out = rewrite_dockerfile(text, [(ins, iso.tag_for(b)) for ins, b in bases])
    assert out.split("\n") == [
        "ARG BASE=dlint-base:1", "FROM --platform=$BUILDPLATFORM dlint-verify/r1-0:base AS build", "",
        "RUN true", "FROM build AS test", "FROM dlint-verify/r1-1:base AS out", "COPY --from=build /x /x",
        "FROM unused:1 AS unused", ""]
    before, after = parse(text), parse(out)
    assert [(i.keyword, i.start_line) for i in before.instructions] == \
        [(i.keyword, i.start_line) for i in after.instructions]
    # The classic builder processes every stage up to the target.
    assert [b for _, b in processed_bases(text, builder="classic", build_args={"BASE": "x:2"}, target="out")] == \
        ["x:2", "scratch"]


def test_run_records_are_the_new_ones_of_the_run_only():
    from dlint.cache.isolate import run_records

    def rec(rid, parent=None, desc="mount / from exec x", kind="regular", in_use=False):
        return rid, {"ID": rid, " Parents": [parent] if parent else None, "Description": desc, "Type": kind,
                     "InUse": in_use}

    before = dict([rec("base", desc="from local "), rec("user1", "base"), rec("ctx-old", kind="source.local")])
    after = dict(before)
    after.update([rec("derived", "base", desc="from local "), rec("r1", "derived"), rec("r2", "r1"),
                  rec("ctx-new", kind="source.local", desc="local source for context"),
                  rec("other-client", "base"),            # someone else's build on the old base
                  rec("busy", "r2", in_use=True)])
    assert run_records(before, after) == ["r2", "r1", "ctx-new", "derived"]
    # A base the engine never used before: its new record goes too (after its child).
    after2 = dict([rec("newbase", desc="from local "), rec("derived", "newbase", desc="from local "),
                   rec("r1", "derived")])
    assert run_records({}, after2) == ["r1", "derived", "newbase"]


# -- timings from real builds (issue 11, part 3) -------------------------------------------


def test_timings_from_a_rawjson_log_and_from_verify(docker_engine, tmp_path):
    import uuid

    marker = uuid.uuid4().hex[:8]
    before, after = tmp_path / "before", tmp_path / "after"
    for side, content in ((before, "one\n"), (after, "two\n")):
        side.mkdir()
        (side / "Dockerfile").write_text(f"FROM dlint-base:1\nRUN echo {marker} > /m\nCOPY app.txt /app.txt\n"
                                         "RUN sleep 1 && cat /app.txt\n")
        (side / "app.txt").write_text(content)
    env = engine_env(docker_engine, tmp_path)
    log = tmp_path / "build.json"
    with open(log, "wb") as fh:
        proc = subprocess.run([docker_engine.docker_cli or "docker", "buildx", "build", "--progress=rawjson",
                               "--network=none", "--label", f"dlint.verify=timing-{marker}", str(before)],
                              env=env, stdout=subprocess.DEVNULL, stderr=fh)
    docker_engine.remove_images(f"timing-{marker}")
    assert proc.returncode == 0
    proc = run_dlint(["cache", "diff", str(before), str(after), "--timings", str(log), "--format", "json"], env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    took = {s["line"]: s.get("seconds") for s in data["steps"]}
    assert 1.0 <= took[4] < 60 and took[2] is not None and data["timings"] == "build.json"
    assert data["seconds"] >= 1.0
    # the CI gate on those real durations: the rerun `sleep 1` alone is over half a second
    gate = ["cache", "diff", str(before), str(after), "--timings", str(log), "--max-rerun-seconds"]
    proc = run_dlint([*gate, "0.5"], env)
    assert proc.returncode == 1 and "--max-rerun-seconds 0.5: the 2 steps that rerun take ~" in proc.stderr
    assert "line 4 (~1." in proc.stderr
    assert run_dlint([*gate, "60"], env).returncode == 0

    proc = run_dlint(["cache", "verify", str(before), str(after)], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "step durations saved for `dlint cache diff`" in proc.stdout
    proc = run_dlint(["cache", "diff", str(before), str(after)], env)
    assert "RUN sleep 1 && cat /app.txt   [~1." in proc.stdout and "durations from cache verify" in proc.stdout


def test_prune_cache_asks_on_a_terminal_and_keeps_the_old_behaviour(docker_engine, tmp_path):
    """--prune-cache: on a terminal a 'no' stops before anything is built or pruned; with
    --yes (or off a terminal) the old empty-cache run happens."""
    import pty

    from test_cache_engine import SCENARIO_ROOT

    scenario = SCENARIO_ROOT / "E05"
    env = engine_env(docker_engine, tmp_path)
    own = tmp_path / "own"
    own.mkdir()
    (own / "Dockerfile").write_text(f"FROM dlint-base:1\nRUN echo {tmp_path.name} > /x\n")
    docker_engine.build("buildkit", own, run_id="prune-test")  # a cache record the prune must take
    docker_engine.remove_images("prune-test")
    records = set(docker_engine.cache_records())
    assert records
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "dlint", "cache", "verify", str(scenario / "before"),
                                 str(scenario / "after"), "--prune-cache"], env=env, cwd=REPO,
                                stdin=slave, stderr=slave, stdout=subprocess.PIPE)
        os.write(master, b"n\n")
        out, _ = proc.communicate(timeout=120)
        prompt = os.read(master, 65536).decode(errors="replace")
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 2
    assert "empties the WHOLE build cache of the engine" in prompt and "not confirmed" in prompt
    assert set(docker_engine.cache_records()) == records  # nothing pruned

    proc = run_dlint(["cache", "verify", str(scenario / "before"), str(scenario / "after"), "--prune-cache",
                      "--yes", "--format", "json"], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["isolated"] is False and data["agree"] is True
    assert "pruning the engine's whole build cache" in proc.stderr
    assert not (records & set(docker_engine.cache_records()))  # the old behaviour: everything went


def test_a_second_verify_waits_for_the_first(docker_engine, tmp_path):
    """Two runs on one engine never overlap: each removes the cache records created while
    it ran, which would take the other's."""
    import threading
    import time

    from dlint.cache.engine import Engine

    docker_engine.acquire_lock("held-by-test")
    try:
        other = Engine(docker_engine.docker_host, docker_engine.docker_config, docker_cli=docker_engine.docker_cli)
        messages, done = [], threading.Event()

        def second():
            other.acquire_lock("second", waiting=messages.append)
            done.set()

        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        time.sleep(1.5)
        assert not done.is_set() and messages and "held-by-test" in messages[0]
    finally:
        docker_engine.release_lock("held-by-test")
    thread.join(30)
    assert done.is_set()
    other.release_lock("second")
    assert not [c for c in docker_engine.api.containers(all=True) if "/dlint-verify-lock" in c.get("Names", [])]
    assert docker_engine.inspect_image("dlint-verify/lock:1") is None


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_fallback_base_copies_built_with_a_marker_file(docker_engine, builder):
    """Where docker load refuses a layer-less archive (the containerd image store), the base
    copy is built with one empty marker file instead: predictions still hold, and the run
    still leaves nothing behind."""
    from dlint.cache.engine import Engine
    from test_cache_engine import SCENARIO_ROOT, load_scenario, three_way_table

    engine = Engine(docker_engine.docker_host, docker_engine.docker_config, docker_cli=docker_engine.docker_cli)
    engine.derive_mode = "build"
    try:
        for name in ("E16b", "U01"):
            scenario = load_scenario(SCENARIO_ROOT / name)
            state = engine_state(engine)
            result = verify(scenario.path / "before", scenario.path / "after", engine=engine, builder=builder)
            _, problems = three_way_table(result, scenario.expected[builder])
            assert not problems, (name, problems)
            assert result.residue.complete and result.residue.derived_images == 1
            assert engine_state(engine) == state, name
        assert engine.derive_mode == "build"
    finally:
        engine.close()
