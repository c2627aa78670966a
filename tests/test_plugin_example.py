"""The example plugin (examples/acme-dlint-rules), for real: dlint and the plugin are built
from this repository and pip-installed (not editable) into a fresh virtualenv, then driven
through the installed `dlint` command and the plugin's own pytest file, as a plugin author
and a plugin user would.

One virtualenv per session (~40 s: pip resolves the dependencies against PyPI, the pip
cache supplies the files); every assertion reuses it. A second, deliberately broken plugin
(its rule claims the built-in code DF101) is pip-installed into its own folder, put on
PYTHONPATH only where a test asks for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "acme-dlint-rules"
FIXTURES = EXAMPLE / "fixtures" / "acme-allowed-registries"
DISTRIBUTION = "acme-dlint-rules"

CLASH_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-clash"
version = "0.1"

[project.entry-points."dlint.rules"]
clash = "acme_clash"

[tool.setuptools]
py-modules = ["acme_clash"]
"""

CLASH_MODULE = '''"""## What it does
Claims a code dlint already uses.

## Why is this bad?
Two rules with one code cannot be selected or suppressed apart.

## Example
```dockerfile
FROM ubuntu
```
Use instead:
```dockerfile
FROM ubuntu:24.04
```

## Fix
Use the plugin's own prefix.
"""
from dlint.api import Rule


class Clash(Rule):
    code = "DF101"
    name = "acme-no-untagged"
    keywords = ("FROM",)

    def check(self, ctx):
        return []
'''


def _copy_sources(src: Path, dest: Path, names: list[str]) -> Path:
    """What a build needs, without build/ or *.egg-info leftovers of earlier builds."""
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".venv")
    dest.mkdir(parents=True)
    for name in names:
        if (src / name).is_dir():
            shutil.copytree(src / name, dest / name, ignore=ignore)
        else:
            shutil.copy2(src / name, dest / name)
    return dest


def _pip_supports_python_option() -> bool:
    try:
        import pip
    except ImportError:
        return False
    major, minor = (int(p) for p in pip.__version__.split(".")[:2])
    return (major, minor) >= (22, 3)


def _pip(target_python: Path, *args: str, **popen) -> subprocess.Popen:
    """pip install into `target_python`'s environment: this interpreter's pip when it can
    target another environment (skips ensurepip in the new venv), else the venv's own."""
    if _pip_supports_python_option():
        cmd = [sys.executable, "-m", "pip", "--python", str(target_python)]
    else:
        cmd = [str(target_python), "-m", "pip"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_TARGET"))}
    return subprocess.Popen([*cmd, "install", "-q", "--disable-pip-version-check", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, **popen)


class Venv:
    def __init__(self, root: Path, clash_dir: Path):
        self.root = root
        self.bin = root / "bin"
        self.python = self.bin / "python"
        self.clash_dir = clash_dir
        self.cache = root.parent / "xdg-cache"

    def env(self, clash: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "DLINT_", "VIRTUAL_ENV", "PYTEST_"))}
        env.update(NO_COLOR="1", XDG_CACHE_HOME=str(self.cache))
        if clash:
            env["PYTHONPATH"] = str(self.clash_dir)
        return env

    def dlint(self, *args: str, cwd: Path, clash: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / "dlint"), *args], cwd=cwd, env=self.env(clash),
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def venv(tmp_path_factory) -> Venv:
    work = tmp_path_factory.mktemp("plugin-venv")
    dlint_src = _copy_sources(REPO, work / "src" / "dlint", ["pyproject.toml", "README.md", "dlint", "rules"])
    plugin_src = _copy_sources(EXAMPLE, work / "src" / "acme", ["pyproject.toml", "src"])
    clash_src = work / "src" / "clash"
    clash_src.mkdir()
    (clash_src / "pyproject.toml").write_text(CLASH_PYPROJECT)
    (clash_src / "acme_clash.py").write_text(CLASH_MODULE)

    root = work / "venv"
    venv_args = ["--without-pip"] if _pip_supports_python_option() else []
    subprocess.run([sys.executable, "-m", "venv", *venv_args, str(root)], check=True, timeout=300)
    env = Venv(root, work / "clash-site")
    main = _pip(env.python, str(dlint_src), str(plugin_src), "pytest")
    # the clashing plugin, built by pip too, into a folder of its own (no dependencies:
    # it runs with the venv's dlint when that folder is on PYTHONPATH)
    clash = _pip(Path(sys.executable), "--no-deps", "--target", str(env.clash_dir), str(clash_src))
    outputs = [p.communicate(timeout=600)[0] for p in (main, clash)]
    for proc, output in zip((main, clash), outputs):
        assert proc.returncode == 0, output
    return env


def _rows(venv: Venv, tmp_path: Path, clash: bool = False) -> tuple[dict, subprocess.CompletedProcess]:
    result = venv.dlint("rules", "--format", "json", cwd=tmp_path, clash=clash)
    return {r["code"]: r for r in json.loads(result.stdout)}, result


def test_plugin_rule_is_listed_with_its_distribution(venv, tmp_path):
    rows, result = _rows(venv, tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    acme = rows["ACME001"]
    assert acme["name"] == "acme-allowed-registries" and acme["severity"] == "error" and acme["enabled"]
    assert (acme["origin"], acme["distribution"]) == ("plugin", DISTRIBUTION)
    assert acme["summary"].startswith("Checks that every image a `FROM` pulls")
    assert (rows["DF101"]["origin"], rows["DF101"]["distribution"]) == ("builtin", "dlint-docker")
    assert {r["origin"] for code, r in rows.items() if code != "ACME001"} == {"builtin"}

    table = venv.dlint("rules", cwd=tmp_path).stdout.splitlines()
    line = next(row for row in table if row.startswith("ACME001"))
    assert line.split()[:6] == ["ACME001", "acme-allowed-registries", "error", "yes", "-",
                                f"plugin:{DISTRIBUTION}"]

    page = venv.dlint("rule", "acme-allowed-registries", cwd=tmp_path)
    assert page.returncode == 0
    assert page.stdout.startswith("# ACME001 acme-allowed-registries\n")
    assert "error · enabled by default · plugin acme-dlint-rules · options: registries " \
           "(default ['registry.acme.example'])" in page.stdout
    assert "## Options" in page.stdout


def _cli_findings(result: subprocess.CompletedProcess) -> str:
    """The JSON report in dlint.testing's .findings format (the rule has no fixes)."""
    lines = [f"{f['line']}:{f['column']}-{f['end_line']}:{f['end_column']} {f['code']} {f['message']}\n"
             for f in json.loads(result.stdout)]
    return "".join(sorted(lines))


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.Dockerfile")))
def test_cli_agrees_with_every_fixture(venv, tmp_path, fixture):
    """Each fixture through `dlint check` (its <stem>.dlint.toml becomes .dlint.toml)."""
    stem = fixture[: -len(".Dockerfile")]
    shutil.copy(FIXTURES / fixture, tmp_path / "Dockerfile")
    if (FIXTURES / f"{stem}.dlint.toml").exists():
        shutil.copy(FIXTURES / f"{stem}.dlint.toml", tmp_path / ".dlint.toml")
    result = venv.dlint("check", "--select", "ACME001", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert result.stderr == ""
    expected = (FIXTURES / f"{stem}.findings").read_text() if stem.startswith("bad-") else ""
    assert _cli_findings(result) == expected
    assert result.returncode == (1 if expected else 0)


def test_default_selection_runs_the_plugin_rule(venv, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    result = venv.dlint("check", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    codes = [f["code"] for f in json.loads(result.stdout)]
    assert "ACME001" in codes and "DF302" in codes  # next to the built-in rules (missing-user)


def test_option_comes_from_dlint_toml_and_is_validated(venv, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM ghcr.io/acme/base:2.1\n")
    result = venv.dlint("check", "--format", "json", "--select", "ACME001", cwd=tmp_path)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "ACME001" and "ghcr.io" in finding["message"]

    config = tmp_path / ".dlint.toml"
    config.write_text('[rules.acme-allowed-registries]\nregistries = ["registry.acme.example", "ghcr.io"]\n')
    result = venv.dlint("check", "--format", "json", "--select", "ACME001", cwd=tmp_path)
    assert (result.returncode, json.loads(result.stdout), result.stderr) == (0, [], "")

    config.write_text('[rules.ACME001]\nregistries = ["docker.io"]\n')  # the code works too
    result = venv.dlint("check", "--format", "json", "--select", "ACME001", cwd=tmp_path)
    assert result.returncode == 1 and "allowed: docker.io" in result.stdout

    config.write_text('[rules.acme-allowed-registries]\nregistries = "ghcr.io"\n')
    result = venv.dlint("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert ".dlint.toml: rules.acme-allowed-registries.registries: must be list[str], got 'ghcr.io'" in result.stderr

    config.write_text('[rules.acme-allowed-registries]\nregistry = ["ghcr.io"]\n')
    result = venv.dlint("check", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "rules.acme-allowed-registries.registry: unknown option for ACME001 acme-allowed-registries " \
           "(allowed: registries)" in result.stderr


@pytest.mark.parametrize("pragma", ["# dlint: ignore=ACME001", "# dlint: ignore=acme-allowed-registries",
                                    "# dlint: global ignore=ACME001"])
def test_pragmas_suppress_the_plugin_rule(venv, tmp_path, pragma):
    (tmp_path / "Dockerfile").write_text(
        f"{pragma}\nFROM python:3.12-slim AS base\n\nFROM registry.acme.example/mirror/python:3.12\n"
        "# dlint: ignore=DF101\nFROM quay.io/centos/centos:stream9\n")
    result = venv.dlint("check", "--format", "json", "--select", "ACME001", cwd=tmp_path)
    lines = [f["line"] for f in json.loads(result.stdout)]
    # the pragma covers line 2 only; DF101's pragma on line 5 does not cover ACME001
    assert lines == ([] if "global" in pragma else [6])


def test_sarif_carries_the_plugin_rule_and_its_docs(venv, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    result = venv.dlint("check", "--format", "sarif", "--select", "ACME001,DF101", cwd=tmp_path)
    assert result.returncode == 1
    run = json.loads(result.stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (res,) = run["results"]
    assert res["ruleId"] == "ACME001" and rules[res["ruleIndex"]]["id"] == "ACME001"
    assert res["level"] == "error"
    rule = rules[res["ruleIndex"]]
    assert rule["name"] == "acme-allowed-registries"
    assert rule["help"]["markdown"].startswith("## What it does")
    assert "helpUri" not in rule  # dlint has no page for it; the help text is the docs
    assert rules[[r["id"] for r in rules].index("DF101")]["helpUri"].startswith("https://")


def test_a_plugin_claiming_a_builtin_code_is_refused(venv, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM ubuntu\n")
    result = venv.dlint("check", "--format", "json", cwd=tmp_path, clash=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("dlint: error: invalid rule DF101 (plugin acme-clash, acme_clash.Clash): "
                                    "code 'DF101' is already used by built-in rule untagged-image"), result.stderr
    # the built-in rule is the one that runs; the other plugin is unaffected
    codes = {f["code"] for f in json.loads(result.stdout)}
    assert {"ACME001", "DF101"} <= codes
    rows, listed = _rows(venv, tmp_path, clash=True)
    assert listed.returncode == 2 and listed.stderr == result.stderr
    assert rows["DF101"]["origin"] == "builtin" and rows["ACME001"]["origin"] == "plugin"
    assert "acme-no-untagged" not in {r["name"] for r in rows.values()}


def test_plugin_test_suite_runs_with_dlint_testing(venv, tmp_path):
    """The example's own pytest file, against the installed plugin: it passes; with one
    expectation changed it fails, showing expected and actual findings."""
    copy = _copy_sources(EXAMPLE, tmp_path / "acme", ["fixtures", "tests"])
    cmd = [str(venv.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    result = subprocess.run(cmd, cwd=copy, env=venv.env(), capture_output=True, text=True, timeout=300)
    cases = len(list(FIXTURES.glob("*.Dockerfile")))
    assert result.returncode == 0 and f"{cases} passed" in result.stdout, result.stdout + result.stderr

    findings = copy / "fixtures" / "acme-allowed-registries" / "bad-docker-hub.findings"
    right = findings.read_text()
    wrong = right.replace("1:1-1:21", "1:1-1:20")
    assert wrong != right
    findings.write_text(wrong)
    result = subprocess.run(cmd, cwd=copy, env=venv.env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "1 failed" in result.stdout
    out = result.stdout
    assert "bad-docker-hub.Dockerfile: findings differ" in out
    assert "-1:1-1:20 ACME001" in out and "+1:1-1:21 ACME001" in out  # the diff
    assert "--- expected (all)" in out and "--- actual (all)" in out


def test_precommit_hook_with_the_plugin_in_additional_dependencies(tmp_path):
    """dlint's published hook (.pre-commit-hooks.yaml, from a git repository of dlint) with
    the plugin added through additional_dependencies, as docs/plugins.md shows; real
    pre-commit builds the hook's environment (~40 s, pip against PyPI and its cache)."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    hook_repo = _copy_sources(REPO, tmp_path / "dlint-repo",
                              ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "dlint", "rules"])
    plugin_src = _copy_sources(EXAMPLE, tmp_path / "acme-src", ["pyproject.toml", "src"])
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

    def git(*args, cwd):
        return subprocess.run(["git", *args], cwd=cwd, env=git_env, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-q", "-m", "dlint", cwd=hook_repo)
    rev = git("rev-parse", "HEAD", cwd=hook_repo)

    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo.as_uri()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: dlint\n"
        f"        additional_dependencies: [\"{plugin_src}\"]\n")
    (project / ".dlint.toml").write_text('select = ["ACME001"]\n\n[rules.acme-allowed-registries]\n'
                                         'registries = ["registry.acme.example", "ghcr.io"]\n')
    (project / "Dockerfile").write_text("FROM ghcr.io/acme/base:2.1\nFROM quay.io/centos/centos:stream9\n")
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DLINT_", "VIRTUAL_ENV"))}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never",
               XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), NO_COLOR="1")
    result = subprocess.run([pre_commit, "run", "--all-files"], cwd=project, env=env, capture_output=True,
                            text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    # ghcr.io is allowed by the project's .dlint.toml; quay.io is not
    assert "Dockerfile:2:1: ACME001 [acme-allowed-registries] error:" in output, output
    assert "Dockerfile:1:1" not in output
