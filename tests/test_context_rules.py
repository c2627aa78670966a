"""The rules that read the build context (rules/context): how the context is found
(Dockerfile folder, --context, the config's `contexts`, compose files, none on stdin),
that it is read lazily and once per run, and compose build sections.

Their fixtures (folders with real files) run in test_rules.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlint.lint.build_context import BuildContext
from dlint.lint.compose import ComposeError, read_compose
from dlint.lint.engine import lint_paths
from dlint.lint.registry import load_registry

REGISTRY = load_registry(builtin=True, plugins=False)
DLINT = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
CONTEXT_CODES = ["DF303", "DF304", "DF305", "DF306"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def codes(run) -> list[tuple[str, str, int]]:
    return sorted((f.file, f.code, f.line) for f in run.findings)


def lint(paths, root, **kwargs):
    return lint_paths([str(p) for p in paths], root=root, select=CONTEXT_CODES, registry=REGISTRY,
                      **kwargs)


# -- where the context comes from ---------------------------------------------------------


def _repo_with_docker_folder(tmp_path: Path) -> Path:
    """A repository whose Dockerfile lives in docker/ and is built from the root."""
    write(tmp_path / "app.py", "print(1)\n")
    write(tmp_path / "docker" / "Dockerfile", "FROM python:3.12-slim\nCOPY app.py /app/\nCOPY settings.py /app/\n")
    return tmp_path


def test_default_context_without_evidence_is_quiet(tmp_path):
    repo = _repo_with_docker_folder(tmp_path)
    run = lint([repo / "docker" / "Dockerfile"], repo)
    assert codes(run) == []  # nothing of it is in docker/: probably not its context


def test_context_option_names_the_context(tmp_path):
    repo = _repo_with_docker_folder(tmp_path)
    run = lint([repo / "docker" / "Dockerfile"], repo, context=".")
    assert codes(run) == [("docker/Dockerfile", "DF305", 3)]
    assert "settings.py" in run.findings[0].message


def test_config_contexts_table(tmp_path):
    repo = _repo_with_docker_folder(tmp_path)
    write(repo / ".dlint.toml", '[contexts]\n"docker/*" = "."\n')
    run = lint([repo / "docker" / "Dockerfile"], repo)
    assert codes(run) == [("docker/Dockerfile", "DF305", 3)]


def test_config_contexts_must_be_a_table_of_strings(tmp_path):
    from dlint.lint.config import ConfigError, load_config

    bad = write(tmp_path / ".dlint.toml", 'contexts = ["."]\n')
    with pytest.raises(ConfigError, match="contexts"):
        load_config(bad, REGISTRY)


@pytest.mark.parametrize("fastpath", ["1", "0"])
def test_cli_context_option_and_stdin(tmp_path, fastpath):
    repo = _repo_with_docker_folder(tmp_path)
    os.makedirs(repo / ".git")
    write(repo / ".git" / "HEAD", "ref: refs/heads/main\n")
    env = {**os.environ, "DLINT_NO_PLUGINS": "1", "DLINT_NO_FASTPATH": "0" if fastpath == "1" else "1"}
    args = [DLINT, "check", "--select", ",".join(CONTEXT_CODES), "--format", "json"]
    result = subprocess.run([*args, "--context", ".", "docker/Dockerfile"], cwd=repo, capture_output=True, env=env)
    assert result.returncode == 1, result.stderr
    assert [f["code"] for f in json.loads(result.stdout)] == ["DF305"]
    # stdin has no context: the same file from stdin, in the same folder, gives nothing
    text = b"FROM python:3.12-slim\nCOPY . /app\nCOPY settings.py /app/\n"
    result = subprocess.run([*args, "-"], cwd=repo, input=text, capture_output=True, env=env)
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stderr
    # ... unless --context names one, as `docker build -f - DIR` has
    result = subprocess.run([*args, "--context", ".", "-"], cwd=repo, input=text, capture_output=True, env=env)
    assert sorted(f["code"] for f in json.loads(result.stdout)) == ["DF303", "DF305"], result.stderr
    result = subprocess.run([*args, "--context", "nope", "docker/Dockerfile"], cwd=repo, capture_output=True, env=env)
    assert result.returncode == 2 and b"not a directory" in result.stderr and b"Traceback" not in result.stderr


# -- read lazily, once per run ---------------------------------------------------------------


def test_context_is_not_listed_without_a_context_source(tmp_path, monkeypatch):
    from dlint.cache import context as cache_context

    scans = []
    original = cache_context.DirectorySnapshot._scan
    monkeypatch.setattr(cache_context.DirectorySnapshot, "_scan",
                        lambda self, d: scans.append(d) or original(self, d))
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nRUN echo hi\nCOPY --from=busybox /bin/true /t\n")
    run = lint_paths([str(tmp_path / "Dockerfile")], root=tmp_path, registry=REGISTRY)
    assert run.errors == [] and scans == []


def test_context_is_listed_once_per_run(tmp_path, monkeypatch):
    from dlint.cache import context as cache_context

    scans = []
    original = cache_context.DirectorySnapshot._scan
    monkeypatch.setattr(cache_context.DirectorySnapshot, "_scan",
                        lambda self, d: scans.append(d) or original(self, d))
    write(tmp_path / "src" / "a.py", "1\n")
    write(tmp_path / "node_modules" / "x" / "i.js", "1\n")
    for name in ("Dockerfile", "Dockerfile.dev", "Dockerfile.prod"):
        write(tmp_path / name, "FROM node:20-slim\nCOPY . /app\nRUN npm ci\n")
    run = lint_paths([str(tmp_path)], root=tmp_path, registry=REGISTRY, select=CONTEXT_CODES)
    assert len([f for f in run.findings if f.code == "DF303"]) == 3
    assert sorted(scans) == sorted(set(scans)), "a folder was listed twice"


def test_only_the_copied_folder_is_listed(tmp_path):
    write(tmp_path / "src" / "a.py", "1\n")
    write(tmp_path / "big" / "x" / "y.bin", "1\n")
    context = BuildContext(str(tmp_path), None, explicit=True)
    context.tally("src")
    assert "big/x" not in context.snapshot._listed and "big" not in context.snapshot._listed


# -- what the rules measure --------------------------------------------------------------------


def test_clutter_counts_files_and_bytes(tmp_path):
    write(tmp_path / "app.py", "x" * 10)
    write(tmp_path / "node_modules" / "a" / "index.js", "y" * 1000)
    write(tmp_path / "node_modules" / "b" / "index.js", "y" * 500)
    write(tmp_path / "web" / "node_modules" / "c.js", "z" * 7)
    tally = BuildContext(str(tmp_path), None, explicit=False).tally("")
    assert tally.files == 4 and tally.plain_files == ["app.py"]
    got = {(o.path, o.files, o.bytes, o.ignore_line) for o in tally.offenders}
    assert got == {("node_modules", 2, 1500, "node_modules"), ("web/node_modules", 1, 7, "**/node_modules")}


def test_dockerignore_line_named_for_an_excluded_source(tmp_path):
    from dlint.cache.context import IgnoreMatcher

    matcher = IgnoreMatcher(["*.log", "", "build/", "!build/keep.txt"])
    assert matcher.deciding_pattern("build/out/a.o") == (2, "build/")
    assert matcher.deciding_pattern("build/keep.txt") is None
    assert matcher.deciding_pattern("app.py") is None


def test_ignore_fast_path_gives_the_sdk_answers():
    """IgnoreMatcher skips the SDK matcher for paths no anchored pattern can reach: the
    answers must be the SDK's own (case-sensitive, as the engine) on every path."""
    from dlint.cache.context import IgnoreMatcher

    paths = ["a", "a/b", "a/b/c.py", "node_modules", "node_modules/x/y.js", "web/node_modules/z",
             ".git", ".git/HEAD", "src/app.py", "src/__pycache__/m.pyc", "docs/x.md", "A/b"]
    for patterns in (["node_modules", ".git"], ["a/b", "!a/b/c.py"], ["**/__pycache__"],
                     ["*.md", "docs"], ["/src/", "!src/app.py"], ["./a", "[ab]/b"], ["web/*/z"]):
        matcher = IgnoreMatcher(patterns)
        for path in paths:
            assert matcher.excluded(path) == matcher._matcher.matches(path), (patterns, path)


# -- compose ----------------------------------------------------------------------------------

COMPOSE = """\
services:
  api:
    build:
      context: ./api
      args:
        APP_FILE: main.py
  worker:
    build:
      context: .
      dockerfile: docker/worker.Dockerfile
      target: runtime
      args:
        - MODULE=jobs.py
  db:
    image: postgres:16
"""


def _compose_project(tmp_path: Path, compose: str = COMPOSE) -> Path:
    write(tmp_path / "compose.yaml", compose)
    write(tmp_path / "api" / "main.py", "1\n")
    write(tmp_path / "api" / "Dockerfile",
          "FROM python:3.12-slim\nARG APP_FILE=app.py\nCOPY ${APP_FILE} /app/\nCOPY requirements.txt /app/\n")
    write(tmp_path / "worker.py", "1\n")
    write(tmp_path / "docker" / "worker.Dockerfile",
          "FROM python:3.12-slim AS base\nCOPY worker.py /app/\n\nFROM base AS runtime\nARG MODULE\nCOPY ${MODULE} /app/\n")
    return tmp_path


def test_read_compose_build_sections(tmp_path):
    project = _compose_project(tmp_path)
    builds = read_compose(str(project / "compose.yaml"))
    assert [(b.service, Path(b.dockerfile).relative_to(project).as_posix(),
             Path(b.context).relative_to(project).as_posix() if b.context != str(project) else ".",
             b.args, b.target) for b in builds] == [
        ("api", "api/Dockerfile", "api", {"APP_FILE": "main.py"}, None),
        ("worker", "docker/worker.Dockerfile", ".", {"MODULE": "jobs.py"}, "runtime"),
    ]


def test_compose_tags_are_read(tmp_path):
    project = _compose_project(tmp_path, COMPOSE.replace("args:\n        APP_FILE", "args: !override\n        APP_FILE")
                               + "  cache:\n    image: redis\n    ports: !reset []\n")
    builds = read_compose(str(project / "compose.yaml"))
    assert [(b.service, b.args) for b in builds][0] == ("api", {"APP_FILE": "main.py"})


def test_check_on_a_folder_uses_compose_contexts_and_args(tmp_path):
    project = _compose_project(tmp_path)
    run = lint([project], project)
    # api: APP_FILE=main.py (from compose) exists, requirements.txt does not; worker: its
    # context is the root (not docker/), where worker.py is and jobs.py is not.
    assert run.errors == []
    assert codes(run) == [("api/Dockerfile", "DF305", 4), ("docker/worker.Dockerfile", "DF305", 6)]
    messages = " ".join(f.message for f in run.findings)
    assert "requirements.txt" in messages and "jobs.py" in messages
    # without compose, each Dockerfile's folder is a guess: docker/ holds none of the
    # worker's sources, and api's only present source hangs on an ARG without a value
    (project / "compose.yaml").unlink()
    assert codes(lint([project], project)) == []


def test_compose_unknown_target_and_bad_yaml_are_one_line_errors(tmp_path):
    project = _compose_project(tmp_path, COMPOSE.replace("target: runtime", "target: nope"))
    run = lint([project], project)
    assert run.errors == ["compose.yaml: service worker: target 'nope' is not a stage of docker/worker.Dockerfile"]
    write(project / "compose.yaml", "services: [unclosed\n")
    run = lint([project], project)
    assert len(run.errors) == 1 and "invalid YAML" in run.errors[0]
    with pytest.raises(ComposeError):
        read_compose(str(project / "compose.yaml"))


def test_cache_diff_service_takes_context_dockerfile_and_args(tmp_path):
    """`dlint cache diff --service api`: HEAD against the working tree of the service's
    context, with its Dockerfile and build args (APP_FILE=main.py, not the default)."""
    project = _compose_project(tmp_path)
    write(project / "api" / "requirements.txt", "flask\n")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run([*git, *cmd], cwd=project, check=True, capture_output=True)
    write(project / "api" / "main.py", "2\n")
    env = {**os.environ, "DLINT_NO_PLUGINS": "1"}
    result = subprocess.run([DLINT, "cache", "diff", "--service", "api", "--format", "json"], cwd=project,
                            capture_output=True, env=env)
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    rerun = [(step["line"], step["reason"]) for step in steps if step["cached"] is False]
    assert rerun == [(3, "file main.py changed"), (4, "file main.py changed (COPY on line 3)")]
    result = subprocess.run([DLINT, "cache", "diff", "--service", "db"], cwd=project, capture_output=True, env=env)
    assert result.returncode == 2 and b"services that build: api, worker" in result.stderr
    assert b"Traceback" not in result.stderr


def test_cache_diff_service_between_two_revisions(tmp_path):
    """`dlint cache diff HEAD~1 HEAD --service api`: the service's Dockerfile read from each
    revision (it was refused as "outside the build context")."""
    project = _compose_project(tmp_path)
    write(project / "api" / "requirements.txt", "flask\n")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run([*git, *cmd], cwd=project, check=True, capture_output=True)
    write(project / "api" / "main.py", "2\n")
    subprocess.run([*git, "commit", "-qam", "edit"], cwd=project, check=True, capture_output=True)
    env = {**os.environ, "DLINT_NO_PLUGINS": "1"}
    result = subprocess.run([DLINT, "cache", "diff", "HEAD~1", "HEAD", "--service", "api", "--format", "json"],
                            cwd=project, capture_output=True, env=env)
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    rerun = [(step["line"], step["reason"]) for step in steps if step["cached"] is False]
    assert rerun == [(3, "file main.py changed"), (4, "file main.py changed (COPY on line 3)")]


def test_per_dockerfile_ignore_file_sits_next_to_the_dockerfile(tmp_path):
    """With --context, `<Dockerfile>.dockerignore` is looked for next to the Dockerfile
    (as the docker CLI does), not in the context root; .dockerignore at the root is the
    fallback. copy-ignored-file (DF818) and the context rules read the same one."""
    write(tmp_path / "app.py", "1\n")
    write(tmp_path / "secret.env", "A=1\n")
    write(tmp_path / ".dockerignore", "app.py\n")
    dockerfile = write(tmp_path / "docker" / "api.Dockerfile", "FROM alpine:3.20\nCOPY app.py secret.env /app/\n")
    run = lint_paths([str(dockerfile)], root=tmp_path, registry=REGISTRY, select=["DF818"], context=".")
    assert [f.message for f in run.findings] == ['Attempting to Copy file "app.py" that is excluded by .dockerignore']
    write(tmp_path / "docker" / "api.Dockerfile.dockerignore", "*.env\n")
    run = lint_paths([str(dockerfile)], root=tmp_path, registry=REGISTRY, select=["DF818"], context=".")
    assert [f.message for f in run.findings] == ['Attempting to Copy file "secret.env" that is excluded by .dockerignore']
