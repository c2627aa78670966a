"""The pre-commit hook, for real: `pre-commit try-repo <this repo> dlint` in a throwaway git
repository. pre-commit builds dlint from this repository (HEAD plus tracked uncommitted
changes; untracked files are not included) into its own virtualenv, so this needs pip to
reach PyPI for the dependencies (the pip cache makes repeat runs take ~15-30 s).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_release import release_tag

REPO_ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def make_repo(path: Path, dockerfile: str) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", cwd=path)
    git("config", "user.email", "test@example.com", cwd=path)
    git("config", "user.name", "test", cwd=path)
    # only the syntax-error rule, so other rules' evolution cannot change the outcome
    (path / ".dlint.toml").write_text('select = ["DF000"]\n')
    (path / "Dockerfile").write_text(dockerfile)
    git("add", "-A", cwd=path)
    return path


def start_try_repo(repo: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.Popen([PRE_COMMIT, "try-repo", str(REPO_ROOT), "dlint", "--files", "Dockerfile"],
                            cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def require_package_index(tmp_path: Path) -> None:
    """pre-commit's virtualenv installs dlint's dependencies with pip from the configured
    package index (PyPI, or PIP_INDEX_URL / pip.conf): skip (a failure under CI=true) with
    pip's own reason when it cannot fetch one of them, instead of failing on the machine."""
    probe = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                            "--disable-pip-version-check", "--dest", str(tmp_path / "probe"),
                            "dockerfile-parse"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.splitlines() if line.strip()] or ["no output"]
        pytest.skip(f"no package index reachable for pre-commit's virtualenv: {lines[-1]}")


def test_hook_fails_on_bad_and_passes_on_good_dockerfile(tmp_path):
    require_package_index(tmp_path)
    # try-repo installs dlint into a fresh virtualenv each time (it ignores PRE_COMMIT_HOME):
    # the two runs are network-bound, so run them side by side
    bad = start_try_repo(make_repo(tmp_path / "bad", "FROM alpine:3.20\nRUNN echo hi\n"), tmp_path / "home-bad")
    good = start_try_repo(make_repo(tmp_path / "good", "FROM alpine:3.20\nRUN echo hi\n"), tmp_path / "home-good")
    bad_output, _ = bad.communicate(timeout=300)
    good_output, _ = good.communicate(timeout=300)

    assert bad.returncode == 1, bad_output
    assert "dlint" in bad_output and "Failed" in bad_output
    assert "Dockerfile:2:1: DF000 [syntax-error] error:" in bad_output
    assert "1 finding in 1 file" in bad_output

    assert good.returncode == 0, good_output
    assert "Passed" in good_output and "DF000" not in good_output


def readme_precommit_snippet() -> str:
    """The README's pre-commit configuration, as users copy it."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    snippets = [b for b in blocks if "repos:" in b and "dlint-docker/dlint" in b]
    assert len(snippets) == 1, "one pre-commit snippet in the README"
    return snippets[0]


def test_readme_snippet_at_the_release_tag(tmp_path):
    """The README's snippet as it is (its `rev:` included), with this checkout in place of the
    GitHub URL: real pre-commit fetches the tagged release and runs its hook. Needs the tag
    (see tests/test_release.py: it skips without it, and fails under CI=true in a full clone)."""
    tag = release_tag()
    snippet = readme_precommit_snippet()
    assert f"rev: {tag}" in snippet
    require_package_index(tmp_path)
    repo = make_repo(tmp_path / "bad", "FROM alpine:3.20\nRUNN echo hi\n")
    config = snippet.replace("https://github.com/dlint-docker/dlint", REPO_ROOT.as_uri())
    (repo / ".pre-commit-config.yaml").write_text(config)
    git("add", "-A", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "PRE_COMMIT_COLOR": "never"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([PRE_COMMIT, "run", "--all-files"], cwd=repo, capture_output=True, text=True,
                            env=env, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Dockerfile:2:1: DF000 [syntax-error] error:" in output
