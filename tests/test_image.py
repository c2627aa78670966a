"""dlint's own container image: the Dockerfile at the repository root, its .dockerignore, and
scripts/build-image on the project's engine.

The engine test builds the image as the README says (no registry, no network: a local
Python base image and wheels built on the host; ~20 s cold with the engine running, 48 s
from nothing, ~5 s warm on a 2-core machine: under the two minutes that allow it in CI, so
it runs there with the other engine tests) and compares what dlint in the image reports
with what dlint in this checkout reports on the same files. A second engine test builds the
Dockerfile as a plain `docker build .` does (its own wheel-build stage; ~25 s cold), with an
offline stand-in for PyPI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest_engine import _engine_dir, docker_cli, docker_engine, engine_location  # noqa: F401  (pytest fixture)
from dlint import __version__
from dlint.cache.context import IgnoreMatcher, read_dockerignore

REPO = Path(__file__).resolve().parents[1]
DLINT = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
# What the Dockerfile's wheel-build stage copies from the build context.
CONTEXT_NEEDS = ("pyproject.toml", "README.md", "dlint/", "rules/")


def dlint(*args, cwd, stdin=None):
    env = {**os.environ, "DLINT_NO_PLUGINS": "1", "NO_COLOR": "1"}
    return subprocess.run([DLINT, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env,
                          timeout=120)


def test_dockerfile_is_clean_under_select_all():
    result = dlint("check", "--select", "ALL", "--format", "json", "Dockerfile", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_dockerfile_shape():
    """What the README promises about the image, read from the Dockerfile's AST."""
    result = dlint("parse", "Dockerfile", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    ast = json.loads(result.stdout)
    ast = ast["instructions"] if isinstance(ast, dict) else ast
    by_kind: dict[str, list[dict]] = {}
    stages: list[list[dict]] = []
    for node in ast:
        if node["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(node)
        by_kind.setdefault(node["instruction"], []).append(node)
    assert len(stages) >= 2, "multi-stage"
    final = {n["instruction"]: n for n in stages[-1]}
    assert final["ENTRYPOINT"]["json"] and final["ENTRYPOINT"]["value"] == ["dlint"]
    assert final["CMD"]["json"] and final["CMD"]["value"] == ["check"]
    assert final["WORKDIR"]["value"] == ["/src"]
    user = final["USER"]["value"][0]
    assert user.split(":")[0] not in {"root", "0"}
    # the final stage copies a venv built elsewhere; it runs no pip itself
    assert not any(n["instruction"] == "RUN" for n in stages[-1])
    arg = by_kind["ARG"][0]["value"][0]
    assert re.fullmatch(r"PYTHON_IMAGE=python:\d+\.\d+-slim-[a-z]+", arg), arg


def test_dockerignore_sends_only_what_the_wheel_needs():
    """The build context under the repository's .dockerignore (dlint's matcher, which
    tests/test_dockerignore_engine.py holds to the engine's): the sources of the wheel, no
    .git, .venv, .engine, tests or caches."""
    matcher = IgnoreMatcher(read_dockerignore((REPO / ".dockerignore").read_text()))
    sent: list[str] = []
    for top, dirs, files in os.walk(REPO):
        rel_top = os.path.relpath(top, REPO)
        rel = (lambda name: name) if rel_top == "." else (lambda name: f"{rel_top}/{name}")
        dirs[:] = [d for d in dirs if not (matcher.excluded(rel(d)) and not matcher.may_reinclude_below(rel(d)))]
        sent.extend(rel(f) for f in files if not matcher.excluded(rel(f)))
    assert {"pyproject.toml", "README.md", "dlint/__init__.py", "rules/__init__.py"} <= set(sent)
    stray = [p for p in sent if not p.startswith(CONTEXT_NEEDS) or "__pycache__" in p or p.endswith(".pyc")]
    assert stray == []
    for name in (".git", ".venv", ".engine", "tests", "fixtures", "Dockerfile"):
        assert matcher.excluded(name), name


# -- on the engine ------------------------------------------------------------------------

def _docker_env() -> dict[str, str]:
    host, config = engine_location()
    return dict(os.environ, DOCKER_HOST=host, **({"DOCKER_CONFIG": config} if config else {}))


def _build_image(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts" / "build-image"), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=540)


def _docker(*args: str, timeout: int = 120, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([docker_cli(), *args], capture_output=True, text=True, env=_docker_env(),
                          input=stdin, timeout=timeout)


@pytest.fixture(scope="module")
def built_image(docker_engine):  # noqa: F811  (fixture)
    """scripts/build-image run once on the project's engine: its stdout."""
    if os.geteuid() != 0:
        pytest.skip("scripts/build-image needs root (scripts/test-engine start, chroot)")
    host, _ = engine_location()
    own = f"unix://{(_engine_dir() / 'docker.sock').resolve()}"
    if host and host.startswith("unix://"):
        host = f"unix://{Path(host[len('unix://'):]).resolve()}"
    if host != own:
        pytest.skip(f"scripts/build-image builds on the project's engine ({own}), the tests use {host}")
    first = _build_image("--no-smoke")
    assert first.returncode == 0, first.stdout + first.stderr
    return first.stdout


def _project(tmp_path: Path) -> Path:
    """examples/ plus a Dockerfile with a ShellCheck finding, readable by any user."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples", project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "svc").mkdir()
    (project / "svc" / "Dockerfile").write_text(
        "FROM debian:12\nRUN echo $1 > /tmp/out\nRUN useradd -u 123456789 app\n")
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by the image's non-root user
    return project


def _assert_same_findings(image: str, project: Path) -> None:
    ours = dlint("check", "--format", "json", cwd=project)
    theirs = _docker("run", "--rm", "--network=none", "-v", f"{project}:/src:ro", image, "check", "--format", "json")
    assert ours.returncode == 1
    assert theirs.returncode == 1, theirs.stderr
    in_image = json.loads(theirs.stdout)
    assert in_image == json.loads(ours.stdout)
    assert {"SC2086", "DF414", "DF102"} <= {f["code"] for f in in_image}
    version = _docker("run", "--rm", "--network=none", image, "--version")
    assert version.stdout.strip() == f"dlint {__version__}"


def test_build_image_script_on_the_engine(built_image, tmp_path):
    timings = dict(re.findall(r"^(engine|base|wheels|build)\s+([\d.]+)s", built_image, re.M))
    assert set(timings) == {"engine", "base", "wheels", "build"}, built_image
    image = f"dlint:{__version__}"
    project = _project(tmp_path)

    # the image's dlint reports what this checkout's dlint reports, ShellCheck findings included
    _assert_same_findings(image, project)

    config = json.loads(_docker("image", "inspect", "-f", "{{json .Config}}", image).stdout)
    assert config["Entrypoint"] == ["dlint"] and config["Cmd"] == ["check"] and config["WorkingDir"] == "/src"
    assert config["User"] and config["User"].split(":")[0] not in {"root", "0"}
    ids = _docker("image", "inspect", "-f", "{{.Id}}", image, "dlint:latest").stdout.split()
    assert len(ids) == 2 and ids[0] == ids[1]

    # idempotent: the second run reuses the base image, the wheels and the build cache;
    # this time with the script's own smoke run
    second = _build_image()
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"^base\s+[\d.]+s\s+reused ", second.stdout, re.M), second.stdout
    assert re.search(r"^wheels\s+[\d.]+s\s+reused ", second.stdout, re.M), second.stdout
    cached = re.search(r"^build\s+.*; (\d+) steps cached", second.stdout, re.M)
    assert cached and int(cached.group(1)) >= 3, second.stdout
    assert re.search(rf"^smoke\s+[\d.]+s\s+examples/: \d+ findings in .*\(exit 1\); dlint {re.escape(__version__)}; "
                     r"SC2086 found; user 10001:10001$", second.stdout, re.M), second.stdout


OFFLINE_BASE = "dlint-test-offline-python:1"
DEFAULT_IMAGE = "dlint-test-default-build:1"


def test_plain_docker_build_makes_the_wheels_itself(built_image, tmp_path):
    """`docker build .` without scripts/build-image's `wheels` context: the Dockerfile's own
    wheel-build stage builds dlint's wheel from the build context (the .dockerignore
    applied) and pip gathers the dependencies. Users' builds fetch them from PyPI; builds
    here have no network, so PyPI is stood in for by a folder of wheels in a base image
    derived from the local one, with a system pip (as the official image has) whose
    pip.conf points at the folder."""
    offline = tmp_path / "base" / "offline"
    offline.mkdir(parents=True)
    for wheel in (_engine_dir() / "image" / "wheels").glob("*.whl"):
        if not wheel.name.startswith("dlint_docker-"):   # dlint's wheel: the stage must build it
            shutil.copy(wheel, offline)
    # pip for the base, setuptools for the isolated build of dlint's wheel (pyproject.toml)
    got = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                          "--only-binary=:all:", "--dest", str(offline), "pip", "setuptools>=77"],
                         capture_output=True, text=True, timeout=300)
    if got.returncode != 0:
        pytest.skip(f"no package index for pip and setuptools wheels: {got.stderr.strip()[-200:]}")
    (tmp_path / "base" / "pip.conf").write_text("[global]\nno-index = true\nfind-links = /offline\n")
    (tmp_path / "base" / "Dockerfile").write_text(
        f"FROM python:{_python_tag()}\nCOPY offline /offline\nCOPY pip.conf /etc/pip.conf\n"
        "RUN set -- /offline/pip-*.whl && python3 \"$1/pip\" install --no-cache-dir --break-system-packages pip\n")
    try:
        base = _docker("build", "--network=none", "-t", OFFLINE_BASE, str(tmp_path / "base"), timeout=300)
        assert base.returncode == 0, base.stderr[-3000:]
        build = _docker("build", "--network=none", "--progress=plain", "--build-arg", f"PYTHON_IMAGE={OFFLINE_BASE}",
                        "-t", DEFAULT_IMAGE, str(REPO), timeout=540)
        assert build.returncode == 0, build.stderr[-3000:]
        assert "[wheel-build " in build.stderr and "[context wheels]" not in build.stderr
        sent = re.search(r"transferring context: ([\d.]+)(B|kB|MB|GB)", build.stderr)
        assert sent, build.stderr[-3000:]
        size = float(sent.group(1)) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[sent.group(2)]
        assert size < 5e6, f"build context of {sent.group(0)}: the .dockerignore lets too much through"
        _assert_same_findings(DEFAULT_IMAGE, _project(tmp_path))
    finally:
        _docker("image", "rm", "--force", DEFAULT_IMAGE, OFFLINE_BASE)


def _python_tag() -> str:
    text = (REPO / "Dockerfile").read_text()
    return re.search(r"^ARG PYTHON_IMAGE=python:(\S+)$", text, re.M).group(1)
