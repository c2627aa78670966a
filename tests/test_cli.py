"""The command line, end to end: the real `dlint` console script in subprocesses, and
`dlint.cli.main` in-process where many runs are needed (hypothesis).

Findings come from the built-in syntax-error rule (DF000, alias DL1000), the one rule whose
output this module can know; most runs use `--select DF000` so that other engineers'
rules do not change the expected output.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint.cli import main
from dlint.lint.engine import is_dockerfile_name

DLINT = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
BAD = "FROM alpine:3.20\nRUNN echo hi\n"        # unknown instruction: a syntax error on line 2
GOOD = "FROM alpine:3.20\nRUN echo hi\n"
FINDING_KEYS = {"file", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
                "aliases", "fix"}


def dlint(*args, cwd=None, stdin=None, env=None, timeout=120):
    full_env = {**os.environ, "DLINT_NO_PLUGINS": "1", **(env or {})}
    full_env.pop("NO_COLOR", None)
    return subprocess.run([DLINT, *map(str, args)], cwd=cwd, input=stdin, capture_output=True,
                          env=full_env, timeout=timeout)


def out(result) -> str:
    return result.stdout.decode()


def err(result) -> str:
    return result.stderr.decode()


def assert_no_traceback(result):
    assert b"Traceback" not in result.stderr and b"Traceback" not in result.stdout


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def run_main(argv, stdin: bytes = b"", env=None, monkeypatch=None):
    """dlint.cli.main in-process with real byte streams: (exit code, stdout, stderr)."""
    streams = [io.TextIOWrapper(io.BytesIO(stdin)), io.TextIOWrapper(io.BytesIO(), encoding="utf-8"),
               io.TextIOWrapper(io.BytesIO(), encoding="utf-8")]
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        code = main(list(argv))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    results = []
    for stream in streams[1:]:
        stream.flush()
        results.append(stream.buffer.getvalue().decode("utf-8"))
    return code, results[0], results[1]


# -- basics -----------------------------------------------------------------------------


def test_version():
    from dlint import __version__

    for env in ({}, {"DLINT_NO_FASTPATH": "1"}):
        result = dlint("--version", env=env)
        assert result.returncode == 0 and out(result).strip() == f"dlint {__version__}"


def test_tty_output_with_source_and_summary(tmp_path):
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "--select", "DF000", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, err(result)
    lines = out(result).splitlines()
    assert lines[0].startswith("Dockerfile:2:1: DF000 [syntax-error] error: ")
    assert lines[1] == "  2 | RUNN echo hi"
    assert lines[2].startswith("    | ^")
    assert lines[-1] == "1 finding in 1 file"
    assert err(result) == ""


@pytest.mark.parametrize("fastpath", ["1", "0"])
def test_github_actions_adds_annotations_after_default_output(tmp_path, fastpath):
    write(tmp_path / "Dockerfile", BAD)
    env = {"GITHUB_ACTIONS": "true", "DLINT_NO_FASTPATH": "0" if fastpath == "1" else "1"}
    result = dlint("check", "--select", "DF000", "Dockerfile", cwd=tmp_path, env=env)
    assert result.returncode == 1, err(result)
    text = out(result)
    assert text.startswith("Dockerfile:2:1: DF000 [syntax-error]")
    assert "::error file=Dockerfile,line=2," in text
    # An explicit --format is exactly that format, even under GitHub Actions.
    explicit = dlint("check", "--select", "DF000", "--format", "tty", "Dockerfile", cwd=tmp_path, env=env)
    assert "::error" not in out(explicit)
    plain = dlint("check", "--select", "DF000", "Dockerfile", cwd=tmp_path, env={"GITHUB_ACTIONS": "false"})
    assert "::error" not in out(plain)


def test_clean_file_exit_0(tmp_path):
    write(tmp_path / "Dockerfile", GOOD)
    result = dlint("check", "--select", "DF000", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0 and out(result) == "All checks passed\n"


def test_json_shape_and_order(tmp_path):
    write(tmp_path / "b" / "Dockerfile", BAD)
    write(tmp_path / "a" / "Dockerfile", "FROM a\nFOO x\nBAR y\n")
    result = dlint("check", "--format", "json", "--select", "DF000", "b/Dockerfile", "a", cwd=tmp_path)
    assert result.returncode == 1
    findings = json.loads(out(result))
    assert [(f["file"], f["line"]) for f in findings] == [("a/Dockerfile", 2), ("a/Dockerfile", 3),
                                                          ("b/Dockerfile", 2)]
    for f in findings:
        assert set(f) == FINDING_KEYS
        assert f["code"] == "DF000" and f["name"] == "syntax-error" and f["severity"] == "error"
        assert f["aliases"] == ["DL1000"] and f["fix"] is None
        assert isinstance(f["message"], str) and f["message"]
    clean = dlint("check", "--format", "json", "--select", "DF000", "-", stdin=GOOD.encode())
    assert clean.returncode == 0 and json.loads(out(clean)) == []


def test_stdin_is_shown_as_dash():
    result = dlint("check", "--format", "json", "--select", "DF000", "-", stdin=BAD.encode())
    assert result.returncode == 1
    assert [f["file"] for f in json.loads(out(result))] == ["-"]


def test_root_makes_paths_relative(tmp_path):
    write(tmp_path / "proj" / "svc" / "Dockerfile", BAD)
    result = dlint("check", "--format", "json", "--select", "DF000", "--root", tmp_path / "proj",
                   "proj/svc", cwd=tmp_path)
    assert [f["file"] for f in json.loads(out(result))] == ["svc/Dockerfile"]


def test_root_changes_the_display_only(tmp_path):
    # PATHs (and --context) are relative to the working directory, whatever --root says
    write(tmp_path / "app" / "Dockerfile", BAD)
    result = dlint("check", "--format", "json", "--select", "DF000", "--root", "..", "Dockerfile",
                   cwd=tmp_path / "app")
    assert result.returncode == 1, err(result)
    assert [f["file"] for f in json.loads(out(result))] == ["app/Dockerfile"]
    result = dlint("check", "--format", "json", "--select", "DF000", "--root", "..", "--context", ".", "-",
                   cwd=tmp_path / "app", stdin=BAD.encode())
    assert result.returncode == 1, err(result)


@pytest.mark.parametrize("fastpath", ["", "1"])
def test_root_that_is_not_a_directory_is_an_error(tmp_path, fastpath):
    write(tmp_path / "Dockerfile", BAD)
    env = {"DLINT_NO_FASTPATH": "1"} if fastpath else None
    for root in (tmp_path / "nonexistent", tmp_path / "Dockerfile"):
        result = dlint("check", "--root", root, "Dockerfile", cwd=tmp_path, env=env)
        assert (result.returncode, out(result)) == (2, "")
        assert err(result) == f"dlint: error: --root {root}: not a directory\n"


# -- discovery and bad input ------------------------------------------------------------


def test_directory_discovery(tmp_path):
    found = ["Dockerfile", "sub/Dockerfile.dev", "sub/x.Dockerfile", "sub/y.dockerfile", "Containerfile",
             "deep/er/Containerfile.prod"]
    skipped = [".git/Dockerfile", "node_modules/pkg/Dockerfile", "venv/Dockerfile", "env/Dockerfile",
               "README.md", "Dockerfile.dockerignore", "dockerfile-notes.txt"]
    for name in found + skipped:
        write(tmp_path / name, BAD)
    write(tmp_path / "env" / "pyvenv.cfg", "home = /usr\n")  # a virtualenv by another name
    result = dlint("check", "--format", "json", "--select", "DF000", ".", cwd=tmp_path)
    assert result.returncode == 1, err(result)
    assert sorted({f["file"] for f in json.loads(out(result))}) == sorted(found)


@pytest.mark.parametrize("name", [
    "Dockerfile", "Dockerfile.dev", "Dockerfile.j2", "x.Dockerfile", "y.dockerfile", "Containerfile",
    "Containerfile.prod", "Dockerfile-dev", "Containerfile-ci", "dockerfile",
    # flat names: a separator run (_ - . +) then Dockerfile/Containerfile, optional .suffix parts
    "owner+repo__path__Dockerfile", "owner+repo__path__Dockerfile.0", "owner+repo+Dockerfile",
    "owner+repo+Dockerfile.windows", "app-Dockerfile", "app_Containerfile.prod", "a__b__Dockerfile.from.scratch",
])
def test_dockerfile_names(name):
    assert is_dockerfile_name(name)


@pytest.mark.parametrize("name", [
    # scripts, docs and data about a Dockerfile (discovery only; an explicit path is linted)
    "Dockerfile.py", "Dockerfile.md", "Dockerfile.txt", "Dockerfile.json", "Dockerfile.yml", "Dockerfile.yaml",
    "Dockerfile.sh", "build_Dockerfile.sh", "x__Dockerfile.md", "Dockerfile.dockerignore", "x.Dockerfile.json",
    # not a separator-delimited last component
    "MyDockerfile", "Dockerfiles", "Dockerfile_test.go", "dockerfile-notes.txt", "README.md",
    "Dockerfile-dev.md", "dockerfiles", "x_dockerfile", "DUPLICATES.tsv",
])
def test_not_dockerfile_names(name):
    assert not is_dockerfile_name(name)


def test_discovery_of_flat_names(tmp_path):
    found = ["owner+repo__path__Dockerfile", "owner+repo__x__Dockerfile.3", "owner+repo+Dockerfile",
             "sub/build-Containerfile", "sub/a_Dockerfile.prod"]
    skipped = ["owner+repo__Dockerfile.md", "gen_Dockerfile.py", "MyDockerfile", "Dockerfile_test.go"]
    for name in found + skipped:
        write(tmp_path / name, BAD)
    result = dlint("check", "--format", "json", "--select", "DF000", ".", cwd=tmp_path)
    assert result.returncode == 1, err(result)
    assert sorted({f["file"] for f in json.loads(out(result))}) == sorted(found)
    explicit = dlint("check", "--format", "json", "--select", "DF000", "gen_Dockerfile.py", cwd=tmp_path)
    assert {f["file"] for f in json.loads(out(explicit))} == {"gen_Dockerfile.py"}


def test_discovery_of_dash_and_lowercase_names(tmp_path):
    # `docker build` falls back to a lowercase `dockerfile`; `Dockerfile-dev` is a common variant
    for name in ("dockerfile", "sub/Dockerfile-dev", "sub/Dockerfile-dev.md", "other/notes-dockerfile.txt"):
        write(tmp_path / name, BAD)
    result = dlint("check", "--format", "json", "--select", "DF000", ".", cwd=tmp_path)
    assert result.returncode == 1, err(result)
    assert sorted({f["file"] for f in json.loads(out(result))}) == ["dockerfile", "sub/Dockerfile-dev"]


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_directory_is_discovered_and_checked():
    """Every corpus file has a flat name (owner+repo__path__Dockerfile[.N]): discovery finds
    all of them, and every rule runs on each without an error (checkstyle lists each file)."""
    import xml.etree.ElementTree as ET

    expected = sorted(p.name for p in CORPUS.iterdir() if not p.name.endswith(".tsv"))
    assert len(expected) > 1000
    result = dlint("check", "--format", "checkstyle", "--root", CORPUS, CORPUS, timeout=300)
    assert_no_traceback(result)
    assert err(result) == ""
    assert result.returncode == 1  # the corpus has findings
    checked = sorted(el.get("name") for el in ET.fromstring(result.stdout).iter("file"))
    assert checked == expected


def test_config_exclude_applies_to_discovery_only(tmp_path):
    write(tmp_path / ".dlint.toml", 'exclude = ["vendor"]\n')
    write(tmp_path / "Dockerfile", BAD)
    write(tmp_path / "vendor" / "lib" / "Dockerfile", BAD)
    result = dlint("check", "--format", "json", "--select", "DF000", ".", cwd=tmp_path)
    assert {f["file"] for f in json.loads(out(result))} == {"Dockerfile"}
    explicit = dlint("check", "--format", "json", "--select", "DF000", "vendor/lib/Dockerfile", cwd=tmp_path)
    assert {f["file"] for f in json.loads(out(explicit))} == {"vendor/lib/Dockerfile"}


@pytest.mark.parametrize("name, content, cause", [
    ("missing", None, "missing: no such file or directory"),
    ("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary: not a text file"),
    ("nul", b"FROM a\nRUN x\x00y\n", "nul: not a text file"),
    ("latin1", "FROM a\nLABEL x=caf\u00e9\n".encode("latin-1"), "latin1: not a text file"),
    ("emptydir", "dir", "emptydir: no Dockerfiles found"),
])
def test_bad_input_one_line_exit_2_others_still_checked(tmp_path, name, content, cause):
    write(tmp_path / "Dockerfile", BAD)
    if content == "dir":
        (tmp_path / name).mkdir()
        write(tmp_path / name / "notes.txt", "x")
    elif content is not None:
        write(tmp_path / name, content)
    result = dlint("check", "--format", "json", "--select", "DF000", name, "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    lines = err(result).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dlint: error: {cause}"), lines
    assert [f["file"] for f in json.loads(out(result))] == ["Dockerfile"]  # still checked and reported


def _as_nobody_prefix(base: Path) -> list[str]:
    """The command prefix that runs dlint as an unprivileged user: nothing when we are not
    root; as root, setpriv to nobody, after checking that nobody can run this checkout's
    dlint at all (a clone in a private 0700 folder, or a venv nobody may read, cannot).
    Skips with the reason otherwise (a failure under CI=true, see conftest.py)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file unreadable to dlint")
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*prefix, DLINT, "--version"], cwd=base, capture_output=True,
                           env={**os.environ, "HOME": str(base)}, timeout=120)
    if probe.returncode != 0:
        reason = (probe.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"user nobody cannot run this checkout's dlint (is the clone in a private "
                    f"folder?): {reason}")
    return prefix


def test_unreadable_file(tmp_path):
    # root reads anything, so run dlint as nobody when we are root
    base = Path(tempfile.mkdtemp(prefix="dlint-perm-"))
    try:
        base.chmod(0o755)
        write(base / "Dockerfile", BAD).chmod(0o644)
        write(base / "secret.Dockerfile", BAD).chmod(0o000)
        prefix = _as_nobody_prefix(base)
        env = {**os.environ, "DLINT_NO_PLUGINS": "1", "HOME": str(base)}
        result = subprocess.run([*prefix, DLINT, "check", "--format", "json", "--select", "DF000",
                                 "secret.Dockerfile", "Dockerfile"], cwd=base, capture_output=True, env=env)
        assert result.returncode == 2, result
        assert_no_traceback(result)
        # dlint's own stderr is that one line; whatever else writes to stderr (a warning of
        # the interpreter, of setpriv) is not dlint's output and does not count.
        ours = [line for line in err(result).splitlines() if line.startswith("dlint:")]
        assert ours == ["dlint: error: secret.Dockerfile: permission denied"], err(result)
        assert [f["file"] for f in json.loads(out(result))] == ["Dockerfile"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("content", [
    pytest.param(lambda: "FROM alpine:3.20\n" + ("# " + "x" * 1022 + "\n") * 50_000, id="50MB"),
    pytest.param(lambda: "FROM alpine:3.20\nRUN echo \\\n" + "  a \\\n" * 100_000 + "  end\n", id="100k-continuations"),
    pytest.param(lambda: "FROM alpine:3.20\nRUN echo " + "x" * 10_000_000 + "\n", id="10MB-line"),
    pytest.param(lambda: "FROM alpine:3.20\nRUN <<EOF\necho never ends\n", id="unterminated-heredoc"),
    pytest.param(lambda: "FROM alpine:3.20\nFROBNICATE now\nRUN\nCOPY\n\\\n", id="unknown-instructions"),
])
def test_hostile_files_give_findings_or_one_line(tmp_path, content):
    path = write(tmp_path / "Dockerfile", content())
    result = dlint("check", "--format", "json", path.name, cwd=tmp_path, timeout=300)
    assert_no_traceback(result)
    assert result.returncode in (0, 1), err(result)[:500]
    assert isinstance(json.loads(out(result)), list)
    tty = dlint("check", path.name, cwd=tmp_path, timeout=300)
    assert tty.returncode == result.returncode
    assert all(len(line) < 1000 for line in out(tty).splitlines())  # long lines are cut


# -- options, config, pragmas -----------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--select", "DF000"], ["--select", "syntax-error"], ["--select", "DL1000"], ["--select", "ALL"],
    ["--select=dl1000"], ["--select", "DF000,syntax-error", "--select", "DL1000"],
])
def test_select_by_code_name_alias_all(tmp_path, args):
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "--format", "json", *args, "Dockerfile", cwd=tmp_path)
    assert "DF000" in {f["code"] for f in json.loads(out(result))}


@pytest.mark.parametrize("args", [
    ["--ignore", "DF000"], ["--ignore", "syntax-error"], ["--ignore", "DL1000"], ["--ignore", "ALL"],
    ["--select", "DF000", "--ignore", "DL1000"], ["--ignore=df000,DL1000"],
])
def test_ignore_by_code_name_alias_all(tmp_path, args):
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "--format", "json", *args, "Dockerfile", cwd=tmp_path)
    assert "DF000" not in {f["code"] for f in json.loads(out(result))}


def test_unknown_selector_is_a_usage_error(tmp_path):
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "--select", "DF000,no-such-rule", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert err(result).splitlines() == [
        "dlint: error: unknown rule 'no-such-rule' in --select/--ignore (use a rule code, name, alias or ALL)"]


def test_severity_threshold(tmp_path):
    write(tmp_path / "Dockerfile", BAD)
    write(tmp_path / ".dlint.toml", 'select = ["DF000"]\n[severity]\nsyntax-error = "info"\n')
    for threshold, code in (("style", 1), ("info", 1), ("warning", 0), ("error", 0)):
        result = dlint("check", "--format", "json", "--severity-threshold", threshold, "Dockerfile", cwd=tmp_path)
        assert result.returncode == code, threshold
        assert [f["severity"] for f in json.loads(out(result))] == ["info"]  # still reported
    write(tmp_path / ".dlint.toml", 'select = ["DF000"]\nseverity-threshold = "warning"\n')
    assert dlint("check", "Dockerfile", cwd=tmp_path).returncode == 1  # DF000 is an error
    write(tmp_path / ".dlint.toml", 'select = ["DF000"]\nseverity-threshold = "error"\n[severity]\nDL1000 = "warning"\n')
    assert dlint("check", "Dockerfile", cwd=tmp_path).returncode == 0


def test_config_discovery_from_the_file_upwards(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.dlint]\nignore = ["DF000"]\n')
    write(tmp_path / "a" / "Dockerfile", BAD)
    write(tmp_path / "b" / ".dlint.toml", 'select = ["DF000"]\n')
    write(tmp_path / "b" / "Dockerfile", BAD)
    elsewhere = tmp_path.parent  # run from outside the tree: config is found from the file
    result = dlint("check", "--format", "json", tmp_path / "a", tmp_path / "b", cwd=elsewhere)
    files = {f["file"] for f in json.loads(out(result)) if f["code"] == "DF000"}
    assert files == {f"{tmp_path.name}/b/Dockerfile"}
    override = write(tmp_path / "custom.toml", 'select = ["DF000"]\n')
    result = dlint("check", "--format", "json", "--config", override, tmp_path / "a", cwd=elsewhere)
    assert {f["file"] for f in json.loads(out(result))} == {f"{tmp_path.name}/a/Dockerfile"}


def test_bad_config_key_is_one_line_exit_2(tmp_path):
    config = write(tmp_path / ".dlint.toml", 'select = ["DF000"]\nignored = ["DF000"]\n')
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert err(result).splitlines() == [
        f"dlint: error: {config}: ignored: unknown key (allowed: select, extend-select, ignore, "
        "severity-threshold, severity, rules, exclude, exit-zero, disable-ignore-pragmas, contexts)"]
    missing = dlint("check", "--config", "nope.toml", "Dockerfile", cwd=tmp_path)
    assert missing.returncode == 2 and err(missing).splitlines() == ["dlint: error: nope.toml: no such config file"]


@pytest.mark.parametrize("pragma", [
    "# dlint: ignore=DF000", "# dlint: ignore=syntax-error  # known", "# hadolint ignore=DL1000",
    "# dlint: global ignore=DF000", "# hadolint global ignore=DL1000",
])
def test_pragmas_suppress(tmp_path, pragma):
    write(tmp_path / "Dockerfile", f"FROM alpine:3.20\n{pragma}\nRUNN echo hi\n")
    result = dlint("check", "--format", "json", "--select", "DF000", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0 and json.loads(out(result)) == []


def test_usage_errors_exit_2(tmp_path):
    for args in (["check", "--format", "xml", "x"], ["check", "--no-such-option"], ["frobnicate"],
                 ["check", "--severity-threshold", "fatal"], ["rule"], ["rules", "--format", "xml"]):
        result = dlint(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert_no_traceback(result)


def test_fast_path_and_typer_agree(tmp_path):
    write(tmp_path / "Dockerfile", BAD)
    write(tmp_path / "sub" / "Dockerfile", BAD)
    for args in (["check", "Dockerfile"], ["check", "--format=json", "--select", "DF000", "."],
                 ["check", "--ignore", "ALL", "--", "Dockerfile"], ["check", "missing"],
                 ["check", "--severity-threshold", "error", "--root", "sub", "Dockerfile"]):
        fast = dlint(*args, cwd=tmp_path)
        slow = dlint(*args, cwd=tmp_path, env={"DLINT_NO_FASTPATH": "1"})
        assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), args


def test_missing_reporter_module_is_a_clear_error(monkeypatch):
    import dlint.report

    monkeypatch.setitem(dlint.report.FORMATS, "sarif", "no_such_module")
    code, stdout, stderr = run_main(["check", "--format", "sarif", "-"], GOOD.encode())
    assert code == 2 and stdout == ""
    assert stderr.startswith("dlint: error: output format 'sarif' is not available")


def test_internal_error_guard(monkeypatch):
    import dlint.cli.check

    def explode(options):
        raise ValueError("unexpected\nstate")

    monkeypatch.setattr(dlint.cli.check, "run_check", explode)
    code, stdout, stderr = run_main(["check", "-"], GOOD.encode())
    assert code == 2 and stderr == "dlint: internal error: ValueError: unexpected state\n"
    monkeypatch.setenv("DLINT_DEBUG", "1")
    code, stdout, stderr = run_main(["check", "-"], GOOD.encode())
    assert code == 2 and "Traceback" in stderr and stderr.startswith("dlint: internal error:")


# -- other commands ---------------------------------------------------------------------


def test_rules_listing():
    result = dlint("rules", "--format", "json")
    assert result.returncode == 0, err(result)
    rows = json.loads(out(result))
    syntax = next(r for r in rows if r["code"] == "DF000")
    assert syntax == {"code": "DF000", "name": "syntax-error", "severity": "error", "enabled": True,
                      "aliases": ["DL1000", "DL3043", "DL3061"], "summary": syntax["summary"],
                      "origin": "builtin", "distribution": "dlint-docker"}
    assert syntax["summary"].startswith("Reports what BuildKit")
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    table = out(dlint("rules")).splitlines()
    assert table[0].split()[:6] == ["CODE", "NAME", "SEVERITY", "ENABLED", "ALIASES", "ORIGIN"]
    assert any(line.split()[:6] == ["DF000", "syntax-error", "error", "yes", "DL1000,DL3043,DL3061", "builtin"] for line in table)


@pytest.mark.parametrize("selector", ["DF000", "syntax-error", "DL1000", "df000"])
def test_rule_docs(selector):
    result = dlint("rule", selector)
    assert result.returncode == 0
    text = out(result)
    assert text.startswith("# DF000 syntax-error\n")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert section in text
    unknown = dlint("rule", "DF99999")
    assert unknown.returncode == 2 and err(unknown).startswith("dlint: error: unknown rule 'DF99999'")


def test_parse_json(tmp_path):
    path = write(tmp_path / "Dockerfile", 'FROM alpine:3.20 AS b\nCOPY --from=b ["a", "b"]\n')
    result = dlint("parse", path, "--format", "json")
    assert result.returncode == 0, err(result)
    nodes = json.loads(out(result))
    assert [n["instruction"] for n in nodes] == ["FROM", "COPY"]
    assert nodes[1]["flags"] == ["--from=b"] and nodes[1]["json"] is True
    assert json.loads(out(dlint("parse", "-", "--format", "json", stdin=path.read_bytes()))) == nodes
    missing = dlint("parse", tmp_path / "nope")
    assert missing.returncode == 2 and "no such file or directory" in err(missing)
    binary = dlint("parse", write(tmp_path / "bin", b"\x00\x01\x02"))
    assert binary.returncode == 2 and "not a text file" in err(binary)


def test_cache_subcommand_is_registered():
    result = dlint("cache", "--help")
    assert result.returncode == 0 and "Usage: dlint cache" in out(result)


HELP_COMMANDS = [[], ["check"], ["rules"], ["rule"], ["parse"], ["config"], ["config", "migrate"], ["cache"],
                 ["cache", "diff"], ["cache", "explain"], ["cache", "verify"]]


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "dlint")
def test_help_is_written_for_users(command):
    """No internal references (the spec's sections) nor typer's markup (`<str>` for a value,
    `{FILE}` for a required argument) in any --help."""
    result = dlint(*command, "--help")
    assert result.returncode == 0, err(result)
    text = out(result)
    assert text.startswith("Usage: dlint"), text
    for internal in ("SPEC", "\u00a7", "<str>", "<int", "<path>", "{", "scripts/"):
        assert internal not in text, (internal, text)


def test_help_names_option_values():
    text = out(dlint("check", "--help"))
    for option in ("--format FORMAT", "--select CODES", "--severity-threshold LEVEL", "--config FILE",
                   "--root DIR", "--context DIR"):
        assert option in text
    assert "Usage: dlint parse [OPTIONS] FILE\n" in out(dlint("parse", "--help"))


# -- startup ----------------------------------------------------------------------------

MODULES_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["dlint", *sys.argv[1:]]
from dlint.cli import main
sys.exit(main())
"""


def test_check_json_path_imports_nothing_heavy(tmp_path):
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nCOPY . /app\nUSER app\nCMD [\"/app/run\"]\n")
    result = subprocess.run([sys.executable, "-c", MODULES_PROBE, "check", "--format", "json", "Dockerfile"],
                            cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "DLINT_NO_PLUGINS": "1"})
    assert result.returncode in (0, 1), result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    modules = set(json.loads(line[len("MODULES "):]))
    assert "dlint.lint.engine" in modules  # the probe really ran the check
    heavy = {m.split(".")[0] for m in modules} & {"rich", "docker", "pydantic", "typer", "tree_sitter",
                                                   "tree_sitter_bash", "requests", "jsonschema", "email"}
    assert heavy == set()


# -- any input, in-process --------------------------------------------------------------

DOCKERFILE_WORDS = st.sampled_from([
    "FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR", "CMD", "ENTRYPOINT", "ONBUILD", "HEALTHCHECK",
    "SHELL", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "MAINTAINER", "AS", "--mount=type=cache,target=/x",
    "--from=a", "<<EOF", "EOF", "\\", "#", "# syntax=docker/dockerfile:1", "# escape=`", "# dlint: ignore=ALL",
    "[\"a\",", "\"b\"]", "$X", "${X:-y}", "&&", "|", "\n", "\r\n", "\t", " ", "\ufeff",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(DOCKERFILE_WORDS, max_size=60).map(lambda w: " ".join(w).encode()),
))
def test_any_input_gives_findings_or_one_line(data):
    for fmt in ("json", "tty"):
        code, stdout, stderr = run_main(["check", "--format", fmt, "-"], data)
        assert "Traceback" not in stderr
        if code == 2:
            lines = stderr.splitlines()
            assert lines and all(line.startswith("dlint: error: -: not a text file")
                                 or " expands to more than 65536 characters" in line
                                 for line in lines), stderr
        else:
            assert code in (0, 1) and stderr == "", stderr
        if fmt == "json":
            findings = json.loads(stdout)
            assert all(set(f) == FINDING_KEYS and f["file"] == "-" for f in findings)
            assert findings == sorted(findings, key=lambda f: (f["file"], f["line"], f["column"], f["code"]))
            assert (code == 1) == bool(findings) or code == 2


def test_nothing_checked_is_not_called_a_pass(tmp_path):
    (tmp_path / "empty").mkdir()
    result = dlint("check", "empty", cwd=tmp_path)
    assert result.returncode == 2
    assert out(result) == "No files checked\n"
    assert err(result).startswith("dlint: error: empty: no Dockerfiles found")


def test_config_error_prints_only_the_error(tmp_path):
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\n")
    write(tmp_path / ".dlint.toml", "select = 5\n")
    result = dlint("check", cwd=tmp_path)
    assert result.returncode == 2
    assert out(result) == ""
    assert err(result).count("\n") == 1 and "select: must be a list" in err(result)
    result = dlint("check", "--config", "missing.toml", "Dockerfile", cwd=tmp_path)
    assert (result.returncode, out(result)) == (2, "")
    assert err(result) == "dlint: error: missing.toml: no such config file\n"


def test_generated_monster_gets_one_line_and_syntax_check_only(tmp_path):
    # 60,000 distinct ENVs would make the per-instruction ENV state quadratic (gigabytes).
    body = "".join(f"ENV K{i}=v{i}\n" for i in range(60_000))
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\n" + body + "RUNN oops\n")
    result = dlint("check", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    lines = err(result).splitlines()
    assert len(lines) == 1 and "60002 instructions, more than the 5000 dlint analyses" in lines[0]
    assert [(f["code"], f["line"]) for f in json.loads(out(result))] == [("DF000", 60_002)]


def test_colour_output_styles_gutter_not_source():
    from dlint.lint.finding import Finding
    from dlint.report import Report
    from dlint.report.tty import render

    finding = Finding("Dockerfile", 2, 1, 2, 18, "DF102", "latest-tag", "warning", "pin it")
    report = Report(files=["Dockerfile"], sources={"Dockerfile": ["# x", "FROM python:latest"]}, color=True)
    text = render([finding], report)
    assert "\x1b[34m  2 | \x1b[0mFROM python:latest" in text  # gutter blue, source plain
    assert text.rstrip().endswith("1 finding in 1 file\x1b[0m")


def _on_terminal(args, cwd=None, columns=80):
    """Run dlint with stdout on a pseudo-terminal `columns` wide; (exit code, text)."""
    import pty
    import re

    master, slave = pty.openpty()
    env = {**os.environ, "DLINT_NO_PLUGINS": "1", "COLUMNS": str(columns), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([DLINT, *map(str, args)], cwd=cwd, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    code = proc.wait(timeout=60)
    text = data.decode().replace("\r\n", "\n")
    return code, re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_rules_fit_the_terminal_and_stay_one_row_each_when_piped():
    code, text = _on_terminal(["rules"], columns=80)
    assert code == 0
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = json.loads(out(dlint("rules", "--format", "json")))
    assert text.startswith(f"{rows[0]['code']}  {rows[0]['name']}  {rows[0]['severity']}")
    assert all(f"\n{r['code']}  {r['name']}  " in text for r in rows[1:])
    piped = out(dlint("rules")).splitlines()
    assert len(piped) == len(rows) + 1  # the header, then one row per rule with its whole summary
    assert all(r["summary"] in line for r, line in zip(rows, piped[1:]))


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_long_messages_wrap_on_a_terminal_not_in_a_pipe(tmp_path):
    # DF000 quotes the unknown instruction: a long one makes a long message
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\n" + "X" * 30 + " " + " ".join(["word"] * 30) + "\n")
    code, text = _on_terminal(["check", "--select", "DF000", "Dockerfile"], cwd=tmp_path, columns=60)
    piped = out(dlint("check", "--select", "DF000", "Dockerfile", cwd=tmp_path))
    assert code == 1
    header = piped.splitlines()[0]
    assert header.startswith("Dockerfile:2:1: DF000") and len(header) > 60
    wrapped = text.splitlines()[:-3]  # the finding; then the source line, the carets, the summary
    assert len(wrapped) > 1 and all(len(line) <= 60 for line in wrapped)
    assert " ".join(wrapped).split() == header.split()


def test_colour_output_wraps_only_the_finding_line():
    from dlint.lint.finding import Finding
    from dlint.report import Report
    from dlint.report.tty import render

    message = "a long message " * 8
    source = "RUN " + "x" * 100
    finding = Finding("Dockerfile", 1, 1, 1, 4, "DF102", "latest-tag", "warning", message)
    wide = Report(files=["Dockerfile"], sources={"Dockerfile": [source]}, color=True)
    narrow = Report(files=["Dockerfile"], sources={"Dockerfile": [source]}, color=True, width=50)
    assert len(render([finding], wide).splitlines()) == 4
    import re

    lines = re.sub(r"\x1b\[[0-9;]*m", "", render([finding], narrow)).splitlines()
    assert len(lines) > 4 and all(len(line) <= 50 for line in lines[:-3])
    assert lines[-3] == f"  1 | {source}"  # the source line is not wrapped


# -- inputs that used to hang: special files and expansion bombs --------------------------

SPECIAL_KINDS = ["fifo", "socket", "regular"] if hasattr(os, "mkfifo") else ["regular"]


def _make(path: Path, kind: str):
    if kind == "fifo":
        os.mkfifo(path)
        return None
    if kind == "socket":
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        return sock
    path.write_text(BAD)
    return None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SPECIAL_KINDS), min_size=1, max_size=5), st.booleans())
def test_special_files_are_skipped_with_one_line_each(kinds, discovered):
    """FIFOs and sockets, as paths or met by discovery, are never opened for reading (a
    FIFO would block forever): one line each naming it, exit 2, regular files checked."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = [f"{i}.Dockerfile" for i in range(len(kinds))]
        sockets = [_make(root / n, k) for n, k in zip(names, kinds)]
        try:
            code, stdout, stderr = run_main(["check", "--format", "json", "--select", "DF000", "--root", tmp,
                                             *([tmp] if discovered else [str(root / n) for n in names])])
        finally:
            for sock in sockets:
                if sock is not None:
                    sock.close()
        checked = sorted(f["file"] for f in json.loads(stdout))
        assert checked == [n for n, k in zip(names, kinds) if k == "regular"]
        special = [(n, k) for n, k in zip(names, kinds) if k != "regular"]
        lines = stderr.splitlines()
        assert len(lines) == len(special)
        for (name, kind), line in zip(special, lines):
            assert line == f"dlint: error: {name}: not a regular file (a {kind.upper() if kind == 'fifo' else kind}): skipped"
        assert code == (2 if special else 1)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_device_is_skipped(tmp_path):
    write(tmp_path / "Dockerfile", BAD)
    result = dlint("check", "--select", "DF000", "/dev/null", "Dockerfile", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert err(result).endswith("null: not a regular file (a character device): skipped\n")
    assert "Dockerfile:2:1: DF000" in out(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_parse_of_a_fifo_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "Dockerfile")
    result = dlint("parse", "Dockerfile", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert err(result) == "dlint: error: Dockerfile: not a regular file (a FIFO): skipped\n"


def test_expansion_bomb_is_one_finding_and_exit_2(tmp_path):
    """Forty ARGs, each doubling the previous (2^40 characters): one DF000 finding at the
    first ARG over the cap, one error line, exit 2, and the other file still checked."""
    bomb = "FROM alpine:3.20\nARG A0=xx\n" + "".join(
        f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 41)) + "RUN echo $A40\n"
    write(tmp_path / "bomb.Dockerfile", bomb)
    write(tmp_path / "other.Dockerfile", BAD)
    result = dlint("check", "--format", "json", "--select", "ALL", "bomb.Dockerfile", "other.Dockerfile",
                   cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert_no_traceback(result)
    findings = json.loads(out(result))
    bombs = [f for f in findings if f["file"] == "bomb.Dockerfile" and f["code"] == "DF000"]
    assert [(f["line"], f["message"][:30]) for f in bombs] == [(18, "The value of `A16` expands to ")]
    assert ("other.Dockerfile", 2) in {(f["file"], f["line"]) for f in findings if f["code"] == "DF000"}
    (line,) = err(result).splitlines()
    assert line.startswith("dlint: error: bomb.Dockerfile:18: The value of `A16` expands to more than 65536")
