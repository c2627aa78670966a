"""Every cache scenario under fixtures/cache/ built for real, on each builder it lists.

For a scenario and a builder: build BEFORE, build AFTER (one run id, isolated from every
other build's cache by run-specific copies of the base images: dlint.cache.isolate), and
assert that the cached/rebuilt status of every AFTER step, as the engine
reports it, equals BOTH the scenario's recorded expectation and dlint's prediction. The
engine is the oracle: a failure prints a per-line table of the three.

Scenarios are collected from the folder at collection time, so new ones are picked up
without touching this file. tests/conftest.py prints how many were verified.

`buildkit` and `classic` run on the project's engine (Docker Engine's default graphdriver
store); `buildkit-container` runs on its second engine with the containerd image store
(`DLINT_ENGINE_STORE=containerd scripts/test-engine start`), whose BuildKit has MergeOp like
a docker-container buildx builder. A linked copy is keyed on its content alone, so the
base-image isolation of `cache verify` cannot keep it from hitting another scenario's
record: that private engine's build cache is emptied before each of its scenarios.

Each scenario.toml records `confirmed = { engine = "...", buildkit = "...", date = ... }`:
the Docker Engine whose builds last agreed with its [expected] tables, and the day. The
offline tests (tests/test_cache_predict.py) trust those tables; here a table that the
engine contradicts fails, and so does a scenario confirmed on another engine version
than the one running, until DLINT_UPDATE_FIXTURES=1 records this engine and today for the
scenarios that agree with it (review the diff), so the tables cannot drift silently.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest_engine import containerd_engine, docker_engine  # noqa: F401  (pytest fixtures)
from dlint.cache.engine import BUILDERS
from dlint.cache.verify import VerifyResult, format_table, status_word, verify

# DLINT_CACHE_SCENARIOS: another folder of scenarios (same format), e.g. while writing new ones.
SCENARIO_ROOT = Path(os.environ.get("DLINT_CACHE_SCENARIOS")
                     or Path(__file__).resolve().parents[1] / "fixtures" / "cache")
SCENARIO_KEYS = {"reference", "description", "dockerfile", "target", "build_args", "before_build_args",
                 "after_build_args", "builders", "expected", "confirmed"}
UPDATE = os.environ.get("DLINT_UPDATE_FIXTURES") == "1"
CONFIRMED_LINE = re.compile(r"^confirmed = .*$", re.MULTILINE)


class ScenarioError(Exception):
    pass


@dataclass
class Scenario:
    name: str
    path: Path
    builders: list[str]
    expected: dict[str, dict[int, bool]]
    confirmed_engine: str
    confirmed_date: datetime.date
    reference: str = ""
    description: str = ""
    dockerfile: str = "Dockerfile"
    target: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    before_build_args: dict[str, str] = field(default_factory=dict)
    after_build_args: dict[str, str] = field(default_factory=dict)


def _str_map(data: dict, key: str) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ScenarioError(f"{key} must be a table of strings")
    return dict(value)


def load_scenario(path: Path) -> Scenario:
    """A scenario folder (scenario.toml, before/, after/), validated."""
    try:
        data = tomllib.loads((path / "scenario.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path.name}/scenario.toml: {exc}") from None
    unknown = set(data) - SCENARIO_KEYS
    if unknown:
        raise ScenarioError(f"unknown keys {sorted(unknown)}")
    builders = data.get("builders")
    if not builders or not isinstance(builders, list) or set(builders) - set(BUILDERS):
        raise ScenarioError(f"builders must be a non-empty subset of {list(BUILDERS)}, got {builders!r}")
    expected_raw = data.get("expected", {})
    expected: dict[str, dict[int, bool]] = {}
    for builder in builders:
        table = expected_raw.get(builder)
        if not isinstance(table, dict) or not table:
            raise ScenarioError(f"[expected] has no {builder} table")
        try:
            expected[builder] = {int(line): value for line, value in table.items()}
        except ValueError:
            raise ScenarioError(f"[expected] {builder}: keys must be line numbers") from None
        if not all(isinstance(v, bool) for v in expected[builder].values()):
            raise ScenarioError(f"[expected] {builder}: values must be true (cached) or false (rebuilt)")
    confirmed = data.get("confirmed")
    if (not isinstance(confirmed, dict) or not isinstance(confirmed.get("engine"), str)
            or not confirmed["engine"] or type(confirmed.get("date")) is not datetime.date):
        raise ScenarioError('confirmed must be { engine = "<Docker Engine version>", '
                            'buildkit = "<version>", date = YYYY-MM-DD }')
    if confirmed["date"] > datetime.date.today():
        raise ScenarioError(f"confirmed date {confirmed['date']} is in the future")
    for side in ("before", "after"):
        if not (path / side).is_dir():
            raise ScenarioError(f"missing folder {side}/")
    return Scenario(
        name=path.name, path=path, builders=list(builders), expected=expected,
        confirmed_engine=confirmed["engine"], confirmed_date=confirmed["date"],
        reference=str(data.get("reference", "")), description=str(data.get("description", "")),
        dockerfile=str(data.get("dockerfile", "Dockerfile")), target=data.get("target"),
        build_args=_str_map(data, "build_args"), before_build_args=_str_map(data, "before_build_args"),
        after_build_args=_str_map(data, "after_build_args"))


def scenario_dirs() -> list[Path]:
    if not SCENARIO_ROOT.is_dir():
        return []
    return sorted(p for p in SCENARIO_ROOT.iterdir() if (p / "scenario.toml").is_file())


def scenario_params() -> list:
    """(name, builder) for each scenario and builder it lists; a scenario that does not load
    still gives one parameter, whose test fails with the reason."""
    params = []
    for path in scenario_dirs():
        try:
            builders = load_scenario(path).builders
        except ScenarioError:
            builders = ["unloadable"]
        params += [pytest.param(path.name, b, id=f"{path.name}-{b}") for b in builders]
    return params


def final_stage_copies(dockerfile: Path) -> dict[tuple[str, str], str]:
    """(source stage, source path) -> destination of every COPY --from of the last stage."""
    from dlint.syntax import parse

    copies: dict[tuple[str, str], str] = {}
    for ins in parse(dockerfile.read_text()).instructions:
        if ins.keyword == "FROM":
            copies = {}
        elif ins.keyword == "COPY" and ins.flag("from") is not None and len(ins.value) == 2:
            copies[(ins.flag("from").value.lower(), ins.value[0])] = ins.value[1]
    return copies


def read_file_in_image(engine, image: str, path: str) -> bytes | None:
    """The bytes of one file of an image (a container is created, never started)."""
    import io
    import tarfile

    container = engine.api.create_container(image, command=["true"], network_disabled=True)
    try:
        stream, _ = engine.api.get_archive(container["Id"], path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.next()
            handle = tar.extractfile(member) if member is not None else None
            return handle.read() if handle is not None else None
    finally:
        engine.api.remove_container(container["Id"], force=True)


def run_scenario(engine, scenario: Scenario, builder: str, files: dict | None = None) -> VerifyResult:
    """Verify a scenario; `files` (side -> {(stage, path): bytes}) receives the bytes each
    final image holds at the destination of the last stage's COPY --from."""
    copies = final_stage_copies(scenario.path / "after" / scenario.dockerfile)

    def after_build(side, observation):
        if files is not None and observation.image_id and not scenario.target:
            files[side] = {key: read_file_in_image(engine, observation.image_id, dest)
                           for key, dest in copies.items()}

    return verify(scenario.path / "before", scenario.path / "after", engine=engine, builder=builder,
                  dockerfile=scenario.dockerfile, build_args=scenario.build_args,
                  before_build_args=scenario.before_build_args, after_build_args=scenario.after_build_args,
                  target=scenario.target, after_build=after_build)


def condition_holds(step, files: dict) -> bool | None:
    """For an uncertain step ("cached if P from stage S comes out byte-identical", or several
    such joined by "and"): whether every P came out byte-identical in the two builds (read
    from the final images), or None."""
    import re

    found = re.findall(r"(\S+) from stage (\S+) comes out byte-identical", step.condition or "")
    if not (step.condition or "").startswith("cached if ") or not found \
            or "BEFORE" not in files or "AFTER" not in files:
        return None
    holds = True
    for path, stage in found:
        key = (stage.lower(), path)
        if key not in files["BEFORE"]:
            return None
        holds = holds and files["BEFORE"][key] == files["AFTER"][key]
    return holds


def three_way_table(result: VerifyResult, expected: dict[int, bool],
                    files: dict | None = None) -> tuple[str, list[str]]:
    """The per-line table (expected, observed, predicted) and the lines that differ. A
    definite prediction must equal the engine; an uncertain one must name a condition the
    engine's outcome satisfies (cached exactly when the copied bytes came out identical)."""
    rows, problems = [], []
    by_line = {s.line: s for s in result.steps}
    for line in sorted(set(by_line) | set(expected)):
        step = by_line.get(line)
        if step is not None and not step.compared:
            continue
        exp = expected.get(line)
        obs = step.observed if step else None
        pred = step.predicted if step else None
        marks = []
        if exp != obs:
            marks.append("expectation≠engine")
        if step is not None and not step.certain:
            holds = condition_holds(step, files or {})
            if holds is None:
                marks.append(f"condition not checkable: {step.condition}")
            elif holds != obs:
                marks.append(f"engine≠condition ({step.condition}: {'holds' if holds else 'fails'})")
        elif pred != obs:
            marks.append("prediction≠engine")
        if marks:
            problems.append(f"line {line}: " + ", ".join(marks)
                            + (f" (prediction's reason: {step.reason})" if step and step.reason else ""))
        text = (step.text or step.instruction) if step else "(no instruction at this line)"
        rows.append([line, (step.stage or "") if step else "", " ".join(text.split())[:60],
                     status_word(exp), status_word(obs), status_word(pred, step.certain if step else True),
                     " ".join(marks) or "ok"])
    table = format_table(["LINE", "STAGE", "INSTRUCTION", "EXPECTED", "ENGINE", "PREDICTED", ""], rows)
    return table, problems


def record_confirmation(scenario: Scenario, engine: str) -> None:
    """Rewrite the scenario's `confirmed` line: this engine agreed with it today. The
    BuildKit version is kept (the engine API does not report it); edit it by hand when the
    engine's bundled BuildKit changes."""
    path = scenario.path / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    buildkit = tomllib.loads(text)["confirmed"].get("buildkit", "")
    line = f'confirmed = {{ engine = "{engine}", buildkit = "{buildkit}", date = {datetime.date.today()} }}'
    path.write_text(CONFIRMED_LINE.sub(line, text, count=1), encoding="utf-8")


def test_scenarios_exist():
    """The folder holds scenarios and every one loads (a typo must not hide a scenario)."""
    dirs = scenario_dirs()
    assert dirs, f"no cache scenarios under {SCENARIO_ROOT}"
    errors = []
    for path in dirs:
        try:
            load_scenario(path)
        except ScenarioError as exc:
            errors.append(f"{path.name}: {exc}")
    assert not errors, "\n".join(errors)


def engine_for(request, builder: str):
    """The test engine whose BuildKit is `builder` (the containerd image store for
    buildkit-container, emptied first: linked copies are keyed on content alone)."""
    if builder == "buildkit-container":
        engine = request.getfixturevalue("containerd_engine")
        engine.prune_build_cache(dangling_images=True)
        return engine
    return request.getfixturevalue("docker_engine")


@pytest.mark.parametrize("name, builder", scenario_params())
def test_scenario_on_engine(request, name, builder):
    scenario = load_scenario(SCENARIO_ROOT / name)  # raises with the reason when unloadable
    docker_engine = engine_for(request, builder)
    files: dict = {}
    result = run_scenario(docker_engine, scenario, builder, files)  # isolated from earlier builds
    table, problems = three_way_table(result, scenario.expected[builder], files)
    if problems:
        pytest.fail(f"cache scenario {name} ({scenario.reference}, {builder}): {scenario.description}\n"
                    + table + "\n" + "\n".join(problems), pytrace=False)
    assert docker_engine.images_made(result.run_id) == [], "the scenario's images were not removed"
    # the upstream release: Debian's package reports "26.1.5+dfsg1" for Docker's 26.1.5
    engine = docker_engine.engine_version().split("+", 1)[0]
    if UPDATE:
        record_confirmation(scenario, engine)
    elif engine != scenario.confirmed_engine:
        pytest.fail(f"cache scenario {name} was confirmed on Docker Engine {scenario.confirmed_engine} "
                    f"({scenario.confirmed_date}); this engine is {engine} and agrees: record it with "
                    f"DLINT_UPDATE_FIXTURES=1", pytrace=False)
    # Read by tests/conftest.py for the session summary line.
    request.node.user_properties.append(("cache_scenario", f"{name}:{builder}"))


def test_confirmation_is_required_and_recorded(tmp_path):
    """Offline: a table without its confirmation does not load; recording one rewrites
    only that line (what the engine run does under DLINT_UPDATE_FIXTURES=1)."""
    import shutil

    source = scenario_dirs()[0]
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    toml = copy / "scenario.toml"
    original = toml.read_text(encoding="utf-8")
    toml.write_text(CONFIRMED_LINE.sub("", original), encoding="utf-8")
    with pytest.raises(ScenarioError, match="confirmed must be"):
        load_scenario(copy)
    toml.write_text(original, encoding="utf-8")
    record_confirmation(load_scenario(copy), "99.0.1")
    scenario = load_scenario(copy)
    assert (scenario.confirmed_engine, scenario.confirmed_date) == ("99.0.1", datetime.date.today())
    assert CONFIRMED_LINE.sub("", toml.read_text(encoding="utf-8")) == CONFIRMED_LINE.sub("", original)


def test_each_engine_reports_its_image_store(docker_engine, containerd_engine):
    assert docker_engine.image_store() == "graphdriver"
    assert containerd_engine.image_store() == "containerd"


@pytest.mark.parametrize("builder, engine_fixture", [("buildkit-container", "docker_engine"),
                                                     ("buildkit", "containerd_engine")])
def test_verify_refuses_a_builder_the_engine_is_not_when_it_matters(request, builder, engine_fixture):
    """`cache verify --builder X` on an engine whose BuildKit is the other one: an error before
    any build when the two builders predict the edit differently (a --link after a rerun),
    none when they agree (no --link)."""
    from dlint.cache.predict import predict
    from dlint.cache.verify import VerifyError, _check_store

    engine = request.getfixturevalue(engine_fixture)
    linked = SCENARIO_ROOT / "L01"
    with pytest.raises(VerifyError, match=rf"--builder {builder} does not match the engine at .*: it uses the "
                                          rf"(graphdriver|containerd) image store.*verify with --builder "):
        verify(linked / "before", linked / "after", engine=engine, builder=builder)
    plain = SCENARIO_ROOT / "X01"
    prediction = predict(plain / "before", plain / "after", builder=builder, network="none")
    _check_store(engine, builder, prediction, plain / "before", plain / "after")  # no error
