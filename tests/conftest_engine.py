"""Pytest fixtures for tests that need a real Docker engine (the project's own test engine).

Use them from a test module with:

    from conftest_engine import docker_engine, fresh_engine  # noqa: F401

- `docker_engine` (session): a connected `dlint.cache.engine.Engine`. The engine is found
  through DOCKER_HOST, else the socket of `scripts/test-engine` (<repo>/.engine/, or
  DLINT_ENGINE_DIR). Without one the test is skipped with a message saying
  `scripts/test-engine start`; in CI (CI=true) it FAILS instead, so CI never passes silently
  without the integration tests.
- `fresh_engine` (function): the same engine with both build caches pruned before and after
  the test.
- `containerd_engine` (session): the second engine of `scripts/test-engine`, with the
  containerd image store (`DLINT_ENGINE_STORE=containerd scripts/test-engine start`; its
  BuildKit has MergeOp, as `--builder buildkit-container` models). Found through
  DLINT_CONTAINERD_DOCKER_HOST, else <engine dir>/containerd-store/docker.sock; skipped
  (failed under CI=true) without it, like `docker_engine`.

The engine must have the local base image `dlint-base:1` (made by `scripts/test-engine
start`): this also guards against pruning the cache of someone's everyday Docker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BASE_IMAGE = "dlint-base:1"
START_HINT = "start the test engine with: scripts/test-engine start && eval \"$(scripts/test-engine env)\""
CONTAINERD_HINT = "start it with: DLINT_ENGINE_STORE=containerd scripts/test-engine start"


def _unavailable(reason: str) -> None:
    # A skip; under CI=true tests/conftest.py turns every skip into a failure.
    pytest.skip(f"no usable Docker engine for integration tests: {reason}; {START_HINT}")


def _engine_dir() -> Path:
    return Path(os.environ.get("DLINT_ENGINE_DIR") or REPO / ".engine")


def docker_cli() -> str | None:
    """The docker command: the one on PATH, else the test engine's own (trixie docker-cli)."""
    own = _engine_dir() / "prefix" / "usr" / "bin" / "docker"
    return shutil.which("docker") or (str(own) if own.exists() else None)


def engine_location() -> tuple[str | None, str | None]:
    """(DOCKER_HOST, DOCKER_CONFIG) of the engine the tests use, or (None, None)."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"], os.environ.get("DOCKER_CONFIG")
    engine_dir = _engine_dir()
    sock = engine_dir / "docker.sock"
    if sock.exists():
        return f"unix://{sock.resolve()}", str((engine_dir / "config").resolve())
    return None, None


def containerd_engine_location() -> tuple[str | None, str | None]:
    """(DOCKER_HOST, DOCKER_CONFIG) of the containerd-store test engine, or (None, None)."""
    if os.environ.get("DLINT_CONTAINERD_DOCKER_HOST"):
        return os.environ["DLINT_CONTAINERD_DOCKER_HOST"], os.environ.get("DLINT_CONTAINERD_DOCKER_CONFIG")
    state = _engine_dir() / "containerd-store"
    sock = state / "docker.sock"
    if sock.exists():
        return f"unix://{sock.resolve()}", str((state / "config").resolve())
    return None, None


def _connect(host: str | None, config: str | None, missing: str, hint: str = ""):
    from dlint.cache.engine import Engine, EngineError

    def unavailable(reason: str) -> None:
        _unavailable(reason + (f"; {hint}" if hint else ""))

    if host is None:
        unavailable(missing)
    cli = docker_cli()
    if cli is None:
        unavailable("the docker command is not installed")
    engine = Engine(host, config, docker_cli=cli)
    try:
        engine.engine_version()
        has_base = engine.inspect_image(BASE_IMAGE) is not None
    except EngineError as exc:
        unavailable(str(exc))
    if not has_base:
        unavailable(f"the engine at {host} lacks the base image {BASE_IMAGE}")
    env = dict(os.environ, DOCKER_HOST=host, **({"DOCKER_CONFIG": config} if config else {}))
    buildx = subprocess.run([cli, "buildx", "version"], env=env, capture_output=True, text=True)
    if buildx.returncode != 0:
        unavailable(f"`docker buildx` does not work: {buildx.stderr.strip()[:200]}")
    return engine


@pytest.fixture(scope="session")
def docker_engine():
    host, config = engine_location()
    engine = _connect(host, config, "DOCKER_HOST is not set and scripts/test-engine's socket does not exist")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def containerd_engine():
    host, config = containerd_engine_location()
    engine = _connect(host, config, "no engine with the containerd image store (DLINT_CONTAINERD_DOCKER_HOST "
                      "is not set and scripts/test-engine's containerd-store socket does not exist)",
                      CONTAINERD_HINT)
    store = engine.image_store()
    if store != "containerd":
        _unavailable(f"the engine at {host} uses the {store} image store, not containerd; {CONTAINERD_HINT}")
    yield engine
    engine.close()


@pytest.fixture
def fresh_engine(docker_engine):
    docker_engine.prune_build_cache(dangling_images=True)
    yield docker_engine
    docker_engine.prune_build_cache(dangling_images=True)
