# `dlint check --fix / --unsafe-fixes / --diff` through the real CLI, on real files:
# atomic writes, permissions, BOM and line endings kept, second run a no-op, stdin.

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

DLINT = [sys.executable, "-m", "dlint"]

SOURCE = (
    "\ufeffFROM alpine:3.20 as build\r\n"
    "RUN apk add curl\r\n"
    "ADD app.txt /app.txt\r\n"
    "MAINTAINER Jane <jane@example.org>\r\n"
    "CMD ./serve --port 8080\r\n"
)
SAFE = (
    "\ufeffFROM alpine:3.20 AS build\r\n"
    "RUN apk add --no-cache curl\r\n"
    "COPY app.txt /app.txt\r\n"
    "MAINTAINER Jane <jane@example.org>\r\n"
    'CMD ["./serve", "--port", "8080"]\r\n'
)
ALL = SAFE.replace("MAINTAINER Jane <jane@example.org>",
                   'LABEL org.opencontainers.image.authors="Jane <jane@example.org>"')
SELECT = ["--select", "DF502,DF201,DF801,DF807,DF806"]


def dlint(*args, cwd, stdin: bytes | None = None):
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*DLINT, "check", *args], cwd=cwd, input=stdin, capture_output=True,
                          env=env, timeout=120)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(SOURCE.encode("utf-8"))
    path.chmod(0o640)
    return tmp_path


def read(path) -> str:
    return path.read_bytes().decode("utf-8")


def test_fix_writes_safe_fixes_keeps_bom_crlf_mode_and_is_idempotent(project):
    path = project / "Dockerfile"
    inode_before = path.stat().st_ino
    result = dlint("--fix", *SELECT, "Dockerfile", cwd=project)
    assert read(path) == SAFE
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode_before  # replaced (atomic rename), not rewritten in place
    assert sorted(p.name for p in project.iterdir()) == ["Dockerfile"]  # no temporary file left
    err = result.stderr.decode()
    assert "fixed 4 findings in 1 file; 1 more fixable with --unsafe-fixes" in err, err
    assert result.returncode == 1  # the MAINTAINER finding is left
    assert "DF807" in result.stdout.decode() and "DF502" not in result.stdout.decode()
    again = dlint("--fix", *SELECT, "Dockerfile", cwd=project)
    assert read(path) == SAFE
    assert "nothing to fix; 1 more fixable with --unsafe-fixes" in again.stderr.decode()


def test_unsafe_fixes_then_clean(project):
    path = project / "Dockerfile"
    result = dlint("--fix", "--unsafe-fixes", *SELECT, "Dockerfile", cwd=project)
    assert read(path) == ALL
    assert "fixed 5 findings in 1 file" in result.stderr.decode()
    assert result.returncode == 0
    assert dlint("--fix", "--unsafe-fixes", *SELECT, "Dockerfile", cwd=project).returncode == 0
    assert read(path) == ALL


def test_diff_writes_nothing_and_exits_1(project):
    path = project / "Dockerfile"
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    result = dlint("--diff", *SELECT, "Dockerfile", cwd=project)
    assert result.returncode == 1
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    out = result.stdout.decode()
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ")
    assert "\n-RUN apk add curl\r\n" in out and "\n+RUN apk add --no-cache curl\r\n" in out
    assert "\n MAINTAINER Jane <jane@example.org>\r\n" in out  # unchanged: context
    assert "would fix 4 findings in 1 file; 1 more fixable with --unsafe-fixes" in result.stderr.decode()
    unsafe = dlint("--diff", "--unsafe-fixes", *SELECT, "Dockerfile", cwd=project).stdout.decode()
    assert "+LABEL org.opencontainers.image.authors" in unsafe
    dlint("--fix", *SELECT, "Dockerfile", cwd=project)
    assert dlint("--diff", *SELECT, "Dockerfile", cwd=project).returncode == 0
    assert dlint("--diff", *SELECT, "Dockerfile", cwd=project).stdout == b""


def test_stdin_fix_prints_the_fixed_text(project):
    result = dlint("--fix", *SELECT, "-", cwd=project, stdin=SOURCE.encode("utf-8"))
    assert result.stdout.decode("utf-8") == SAFE  # BOM and CRLF kept
    err = result.stderr.decode()
    assert "fixed 4 findings" in err and "DF807" in err  # the report goes to stderr
    assert sorted(p.name for p in project.iterdir()) == ["Dockerfile"]  # nothing written
    assert read(project / "Dockerfile") == SOURCE
    clean = dlint("--fix", *SELECT, "-", cwd=project, stdin=b"FROM alpine:3.20\n")
    assert clean.stdout == b"FROM alpine:3.20\n" and clean.returncode == 0


def test_unsafe_fixes_alone_is_a_usage_error(project):
    result = dlint("--unsafe-fixes", "Dockerfile", cwd=project)
    assert result.returncode == 2
    assert result.stderr.decode().startswith("dlint: error: --unsafe-fixes works with --fix or --diff")


def test_typer_path_accepts_the_same_options(project):
    env_run = subprocess.run([*DLINT, "check", "--diff", "--unsafe-fixes", *SELECT, "Dockerfile"],
                             cwd=project, capture_output=True, timeout=120,
                             env={**os.environ, "DLINT_NO_FASTPATH": "1"})
    assert env_run.returncode == 1 and b"+LABEL" in env_run.stdout


def test_report_says_how_many_are_fixable(project):
    result = dlint(*SELECT, "Dockerfile", cwd=project)
    assert result.stdout.decode().splitlines()[-1] == (
        "5 findings in 1 file (4 fixable with --fix, 1 more with --fix --unsafe-fixes)")


def test_json_findings_carry_their_fix(project):
    result = dlint("--format", "json", *SELECT, "Dockerfile", cwd=project)
    findings = {f["code"]: f for f in json.loads(result.stdout)}
    assert findings["DF502"]["fix"] == {
        "description": "Add --no-cache", "safe": True,
        "edits": [{"line": 2, "column": 12, "end_line": 2, "end_column": 12, "text": " --no-cache"}]}
    assert findings["DF807"]["fix"]["safe"] is False


def test_unwritable_directory_is_an_error_not_a_traceback():
    # the temporary file goes next to the Dockerfile: a directory dlint cannot write to
    # makes the write fail (as nobody when we are root: root writes anywhere)
    import shutil
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="dlint-fix-perm-"))
    try:
        base.chmod(0o755)
        (base / "Dockerfile").write_bytes(SOURCE.encode("utf-8"))
        (base / "Dockerfile").chmod(0o644)
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            if not shutil.which("setpriv"):
                pytest.fail("running as root without setpriv: cannot make a directory read-only")
        else:
            base.chmod(0o555)
        env = {**os.environ, "NO_COLOR": "1", "HOME": str(base)}
        result = subprocess.run([*prefix, *DLINT, "check", "--fix", *SELECT, "Dockerfile"],
                                cwd=base, capture_output=True, env=env, timeout=120)
        err = result.stderr.decode()
        assert result.returncode == 2, err
        assert "dlint: error: Dockerfile: cannot write the fixed file" in err and "Traceback" not in err
        assert (base / "Dockerfile").read_bytes() == SOURCE.encode("utf-8")
        assert "DF502" in result.stdout.decode()  # not fixed: still reported
    finally:
        base.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_fix_that_breaks_the_file_is_not_written(tmp_path):
    # a (deliberately wrong) fix that would leave an unterminated JSON form: the file
    # keeps its text and the run reports an error instead of writing it
    from dlint.fix import fix_run
    from dlint.lint.engine import lint_paths
    from dlint.lint.finding import Fix, TextEdit

    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nADD a /a\n")
    run = lint_paths(["Dockerfile"], root=tmp_path, select=["DF201"])
    real = run.linters["Dockerfile"]

    def broken_lint(text):
        found = real(text)
        for f in found:
            f.fix = Fix("break it", (TextEdit(1, 1, 1, 5, "FRUM"),))
        return found

    run.linters["Dockerfile"] = broken_lint
    for f in run.findings:
        f.fix = Fix("break it", (TextEdit(1, 1, 1, 5, "FRUM"),))
    outcome = fix_run(run, write=True)
    assert path.read_text() == "FROM alpine:3.20\nADD a /a\n"
    assert outcome.errors == ["Dockerfile: the fixes would make the file invalid; nothing "
                              "written (please report this)"]
    assert not outcome.changed
