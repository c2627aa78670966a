"""The release the docs name is the one this checkout is, and it exists.

Users copy `rev: vX.Y.Z` (pre-commit) and `uses: dlint-docker/dlint@vX.Y.Z` (the GitHub
Action) from README.md and docs/. Those must name `v` + the package version, and the tag
must exist, on a commit whose pyproject.toml has that version.

The tag check needs the repository's history: it skips (with the reason) where there is no
git checkout, only a shallow one (CI's usual `fetch-depth: 1` has no tags) or a clone that
carries no tags at all, and reports an
expected failure there under CI=true, where tests/conftest.py fails every skip; in a full
clone a missing tag fails under CI=true and skips elsewhere (a branch may bump the version
before the release is tagged).
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

import dlint

REPO = Path(__file__).resolve().parents[1]
THIS_REPO = re.compile(r"(?:https://github\.com/)?dlint-docker/dlint(?:\.git)?")
# files users copy release references from; each must hold at least one
DOCS_WITH_REVS = ("README.md", "docs/ci.md", "docs/plugins.md", ".pre-commit-hooks.yaml")


def package_version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def release_refs(text: str) -> list[tuple[int, str]]:
    """(line, ref) of every release of this repository that `text` names: the `rev:` of a
    pre-commit `repo:` entry for it (YAML, also inside comments or Markdown code blocks),
    and `uses: dlint-docker/dlint@<ref>`."""
    refs = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        body = re.sub(r"^\s*#\s?", "", line)
        repo = re.match(r"\s*-\s*repo:\s*(\S+)\s*$", body)
        if repo and THIS_REPO.fullmatch(repo.group(1)):
            for j in range(i + 1, len(lines)):
                nxt = re.sub(r"^\s*#\s?", "", lines[j])
                rev = re.match(r"\s*rev:\s*['\"]?([^'\"\s]+)", nxt)
                if rev:
                    refs.append((j + 1, rev.group(1)))
                    break
                if re.match(r"\s*-\s*repo:", nxt) or not nxt.strip():
                    break
        for uses in re.finditer(r"uses:\s*dlint-docker/dlint@([^\s'\"]+)", body):
            refs.append((i + 1, uses.group(1)))
    return refs


def test_release_refs_parser():
    text = ("repos:\n  - repo: https://github.com/dlint-docker/dlint\n    rev: v1.2.3\n    hooks:\n"
            "  - repo: https://github.com/other/dlint\n    rev: v9\n"
            "# - repo: https://github.com/dlint-docker/dlint\n#   rev: 'v1.2.4'\n"
            "      - uses: dlint-docker/dlint@v1.2.5\n      - uses: actions/checkout@v4\n")
    assert release_refs(text) == [(3, "v1.2.3"), (8, "v1.2.4"), (9, "v1.2.5")]


def test_package_version_is_one():
    assert dlint.__version__ == package_version()


def test_docs_name_this_release():
    want = f"v{package_version()}"
    paths = sorted({*DOCS_WITH_REVS, *(p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*.md"))})
    seen, wrong = {}, []
    for rel in paths:
        refs = release_refs((REPO / rel).read_text(encoding="utf-8"))
        seen[rel] = len(refs)
        wrong += [f"{rel}:{line}: {ref}" for line, ref in refs if ref != want]
    assert wrong == [], f"release references that are not {want} (the version in pyproject.toml)"
    assert all(seen[rel] for rel in DOCS_WITH_REVS), f"no release reference found in some of them: {seen}"


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60)


def tag_state(repo: Path, version: str) -> tuple[str, str]:
    """(state, explanation) of the release tag `v<version>` in the git checkout `repo`:
    "ok", "no-git", "shallow", "no-tags", "missing" or "wrong-version"."""
    tag = f"v{version}"
    if not (repo / ".git").exists() or _git(repo, "rev-parse", "--git-dir").returncode != 0:
        return "no-git", f"not a git checkout ({repo}): cannot check that the tag {tag} exists"
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.strip()
    if shallow != "false":
        return "shallow", (f"shallow git clone (is-shallow-repository: {shallow or '?'}): its tags are not all "
                           f"fetched, so it cannot say whether {tag} exists; run in a full clone")
    if not _git(repo, "tag", "--list").stdout.strip():
        return "no-tags", (f"this clone carries no tags at all (cloned or fetched without them), so it "
                           f"cannot say whether {tag} exists; run in a full clone with its tags")
    if _git(repo, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}").returncode != 0:
        return "missing", (f"the tag {tag} does not exist, but pyproject.toml says version {version} and the "
                           f"docs tell users `rev: {tag}`: tag the release (git tag {tag} <commit>) or fix "
                           f"the version")
    at_tag = _git(repo, "show", f"{tag}:pyproject.toml")
    tagged = tomllib.loads(at_tag.stdout)["project"]["version"] if at_tag.returncode == 0 else None
    if tagged != version:
        return "wrong-version", f"the tag {tag} is on a commit whose pyproject.toml has version {tagged}"
    return "ok", tag


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def release_tag() -> str:
    """The tag `v<version>` of this checkout, checked: returns it when it exists on a commit
    with this version; otherwise skips or fails as the module docs say."""
    state, why = tag_state(REPO, package_version())
    if state in ("no-git", "shallow", "no-tags"):
        # under CI=true, where conftest fails every skip, an expected failure naming the reason
        (pytest.xfail if _in_ci() else pytest.skip)(why)
    if state == "missing" and not _in_ci():
        pytest.skip(why)
    if state != "ok":
        pytest.fail(why)
    return why


def test_release_tag_exists_with_this_version():
    assert release_tag() == f"v{package_version()}"


def _commit_version(repo: Path, version: str, tag: str | None = None) -> None:
    (repo / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "{version}"\n')
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["add", "-A"], ["commit", "-q", "-m", version], *([["tag", tag]] if tag else [])):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_tag_state_on_throwaway_repositories(tmp_path):
    """tag_state's answers, on git repositories this test makes (never this checkout)."""
    assert tag_state(tmp_path, "1.0.0")[0] == "no-git"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit_version(repo, "0.9.0")
    assert tag_state(repo, "0.9.0")[0] == "no-tags"
    _commit_version(repo, "1.0.0", tag="v1.0.0")
    _commit_version(repo, "1.1.0")
    _commit_version(repo, "1.2.0", tag="v1.2.0-rc")
    _commit_version(repo, "1.3.0")
    subprocess.run(["git", "tag", "v1.3.0", "HEAD~1"], cwd=repo, check=True)   # on the 1.2.0 commit
    assert tag_state(repo, "1.0.0") == ("ok", "v1.0.0")
    assert tag_state(repo, "1.1.0")[0] == "missing"
    assert tag_state(repo, "1.3.0") == ("wrong-version", "the tag v1.3.0 is on a commit whose pyproject.toml "
                                                         "has version 1.2.0")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(shallow)], check=True,
                   capture_output=True)
    assert tag_state(shallow, "1.3.0")[0] == "shallow"
