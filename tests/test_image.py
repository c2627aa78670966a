"""dlint's own container image: the Dockerfile at the repository root, its .dockerignore, and
scripts/build-image on the project's engine.

The engine test builds the image as the README says (no registry, no network: a local
Python base image and wheels built on the host; ~20 s cold with the engine running, 48 s
from nothing, ~5 s warm on a 2-core machine: under the two minutes that allow it in CI, so
it runs there with the other engine tests) and compares what dlint in the image reports
with what dlint in this checkout reports on the same files.
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


def _build_image() -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts" / "build-image"), "--no-smoke"], cwd=REPO, capture_output=True,
                          text=True, timeout=540)


def test_build_image_script_on_the_engine(docker_engine, tmp_path):  # noqa: F811  (fixture)
    if os.geteuid() != 0:
        pytest.skip("scripts/build-image needs root (scripts/test-engine start, chroot)")
    host, _ = engine_location()
    own = f"unix://{(_engine_dir() / 'docker.sock').resolve()}"
    if host and host.startswith("unix://"):
        host = f"unix://{Path(host[len('unix://'):]).resolve()}"
    if host != own:
        pytest.skip(f"scripts/build-image builds on the project's engine ({own}), the tests use {host}")
    cli = docker_cli()
    env = _docker_env()

    first = _build_image()
    assert first.returncode == 0, first.stdout + first.stderr
    timings = dict(re.findall(r"^(engine|base|wheels|build)\s+([\d.]+)s", first.stdout, re.M))
    assert set(timings) == {"engine", "base", "wheels", "build"}, first.stdout
    image = f"dlint:{__version__}"

    # the image's dlint reports what this checkout's dlint reports, ShellCheck findings included
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples", project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "svc").mkdir()
    (project / "svc" / "Dockerfile").write_text(
        "FROM debian:12\nRUN echo $1 > /tmp/out\nRUN useradd -u 123456789 app\n")
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by the image's non-root user
    ours = dlint("check", "--format", "json", cwd=project)
    theirs = subprocess.run([cli, "run", "--rm", "--network=none", "-v", f"{project}:/src:ro", image,
                             "check", "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert ours.returncode == 1
    assert theirs.returncode == 1, theirs.stderr
    in_image = json.loads(theirs.stdout)
    assert in_image == json.loads(ours.stdout)
    assert {"SC2086", "DF414", "DF102"} <= {f["code"] for f in in_image}

    version = subprocess.run([cli, "run", "--rm", "--network=none", image, "--version"], capture_output=True,
                             text=True, env=env, timeout=60)
    assert version.stdout.strip() == f"dlint {__version__}"

    config = json.loads(subprocess.run([cli, "image", "inspect", "-f", "{{json .Config}}", image],
                                       capture_output=True, text=True, env=env, check=True).stdout)
    assert config["Entrypoint"] == ["dlint"] and config["Cmd"] == ["check"] and config["WorkingDir"] == "/src"
    assert config["User"] and config["User"].split(":")[0] not in {"root", "0"}
    latest = subprocess.run([cli, "image", "inspect", "-f", "{{.Id}}", image, "dlint:latest"],
                            capture_output=True, text=True, env=env, check=True).stdout.split()
    assert len(latest) == 2 and latest[0] == latest[1]

    # idempotent: the second run reuses the base image, the wheels and the build cache
    second = _build_image()
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"^base\s+[\d.]+s\s+reused ", second.stdout, re.M), second.stdout
    assert re.search(r"^wheels\s+[\d.]+s\s+reused ", second.stdout, re.M), second.stdout
    cached = re.search(r"^build\s+.*; (\d+) steps cached", second.stdout, re.M)
    assert cached and int(cached.group(1)) >= 3, second.stdout
