"""The `dlint check` options issue 13 asked for, end to end through the real console script:
--output-file and several outputs (--format FORMAT=FILE), --exit-zero, --quiet, --color,
--statistics, --stdin-filename and --jobs.

Expected outputs are not written out here: each option's output is compared with what the
same run gives without it (a file written by `--format sarif=F` against `--format sarif`
on stdout, `-j2` against `-j1`, statistics against the JSON findings), so the tests hold
whatever the rules find. Both command-line paths run: the argv fast path and typer
(DLINT_NO_FASTPATH=1), which must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from test_cli import CORPUS, DLINT, assert_no_traceback, err, out, write

REPO = Path(__file__).resolve().parents[1]
# findings from several rules, one with a safe fix (ADD -> COPY), one unfixable (untagged)
DOCKERFILE = "FROM ubuntu\nADD app.txt /app/\nRUN apt-get update\n"
CLEAN = "FROM alpine:3.20\nUSER nobody\n"


def dlint(*args, cwd=None, stdin=None, env=None, timeout=300):
    full_env = {**os.environ, "DLINT_NO_PLUGINS": "1", **(env or {})}
    for name in ("NO_COLOR", "GITHUB_ACTIONS", "COLUMNS"):
        if name not in (env or {}):
            full_env.pop(name, None)
    result = subprocess.run([DLINT, *map(str, args)], cwd=cwd, input=stdin, capture_output=True,
                            env=full_env, timeout=timeout)
    assert_no_traceback(result)
    return result


def both(*args, **kwargs):
    """The same command through the fast path and through typer: the two results, which
    must agree (exit code, stdout, stderr)."""
    results = [dlint(*args, **{**kwargs, "env": {**kwargs.get("env", {}), "DLINT_NO_FASTPATH": p}})
               for p in ("0", "1")]
    fast, slow = results
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), args
    return fast


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "Dockerfile", DOCKERFILE)
    write(tmp_path / "app.txt", "x\n")
    return tmp_path


# -- several outputs, --output-file ------------------------------------------------------

def test_several_formats_in_one_run_equal_single_runs(project):
    result = both("check", "--format", "tty", "--format", "json=out.json", "--format", "sarif=out.sarif",
                  "--format", "junit=report.xml", "Dockerfile", cwd=project)
    assert result.returncode == 1 and err(result) == ""
    single = {fmt: dlint("check", "--format", fmt, "Dockerfile", cwd=project) for fmt in ("tty", "json", "sarif", "junit")}
    assert all(r.returncode == 1 for r in single.values())
    assert result.stdout == single["tty"].stdout
    assert (project / "out.json").read_bytes() == single["json"].stdout
    assert (project / "out.sarif").read_bytes() == single["sarif"].stdout
    assert (project / "report.xml").read_bytes() == single["junit"].stdout
    assert json.loads((project / "out.json").read_text())  # there are findings


def test_only_file_outputs_leave_stdout_empty_and_dash_means_stdout(project):
    result = both("check", "--format", "json=out.json", "Dockerfile", cwd=project)
    assert result.returncode == 1 and result.stdout == b"" and err(result) == ""
    assert json.loads((project / "out.json").read_text())
    dash = both("check", "--format", "json=-", "--format", "checkstyle=c.xml", "Dockerfile", cwd=project)
    assert dash.stdout == (project / "out.json").read_bytes()
    assert (project / "c.xml").read_text().startswith("<?xml")


def test_output_file_gets_the_stdout_output_without_colour(project):
    tty = dlint("check", "Dockerfile", cwd=project)
    result = both("check", "--output-file", "report.txt", "--color", "always", "Dockerfile", cwd=project)
    assert result.returncode == 1 and result.stdout == b"" and err(result) == ""
    assert (project / "report.txt").read_bytes() == tty.stdout
    assert b"\x1b[" not in tty.stdout
    short = both("check", "-o", "r.json", "--format", "json", "--format", "sarif=r.sarif", "Dockerfile", cwd=project)
    assert short.stdout == b""
    assert (project / "r.json").read_bytes() == dlint("check", "--format", "json", "Dockerfile", cwd=project).stdout
    assert (project / "r.sarif").stat().st_size > 0


def test_files_are_never_coloured(project):
    result = both("check", "--color", "always", "--format", "tty", "--format", "tty=plain.txt", "Dockerfile",
                  cwd=project)
    assert b"\x1b[" in result.stdout
    assert b"\x1b[" not in (project / "plain.txt").read_bytes()
    assert (project / "plain.txt").read_bytes() == dlint("check", "Dockerfile", cwd=project).stdout


@pytest.mark.parametrize("args, says", [
    (["--format", "tty", "--format", "json"], "only one format can go to stdout"),
    (["--format", "json", "--format", "sarif=-"], "only one format can go to stdout"),
    (["--format", "sarif="], "no file after '='"),
    (["--format", "json=a.out", "--format", "sarif=a.out"], "same file"),
    (["--format", "json", "--output-file", "a.out", "--format", "sarif=a.out"], "same file"),
    (["--format", "json=a.json", "--output-file", "b.out"], "every --format names its own file"),
    (["--output-file", "missing/dir/out.txt"], "cannot write missing/dir/out.txt: no such directory"),
    (["--format", "sarif=."], "cannot write .: is a directory"),
    (["--statistics", "--format", "sarif"], "--statistics prints text"),
    (["--statistics", "--format", "json=s.json"], "--statistics replaces the output without a file"),
    (["--stdin-filename", "x/Dockerfile"], "add - to the PATHs"),
    # --diff prints a diff instead of the findings: a report or baseline asked for would not be written
    (["--diff", "--output-file", "a.out"], "--diff prints a unified diff instead of the findings"),
    (["--diff", "--format", "tty", "--format", "sarif=s.json"], "drop --format"),
    (["--diff", "--format", "json"], "drop --format"),
    (["--diff", "--statistics"], "drop --statistics"),
    (["--diff", "--write-baseline", "b.out"], "drop --write-baseline"),
    # a report must not overwrite the baseline it is compared with or that is written
    (["--format", "json", "-o", "a.out", "--write-baseline", "a.out"], "--write-baseline a.out: the"),
    (["--baseline", "b.out", "--format", "sarif=./b.out"], "would overwrite it"),
])
def test_bad_combinations_are_one_line_exit_2_before_linting(project, args, says):
    result = both("check", *args, "Dockerfile", cwd=project)
    assert result.returncode == 2
    lines = err(result).splitlines()
    assert len(lines) == 1 and lines[0].startswith("dlint: error: ") and says in lines[0], lines
    assert result.stdout == b""
    assert not (project / "a.out").exists() and not (project / "b.out").exists()
    assert not (project / "a.json").exists() and not (project / "s.json").exists()


@pytest.mark.parametrize("args", [["--format", "nope=x.txt"], ["--format", "nope"], ["--color", "sometimes"],
                                  ["--jobs", "0"], ["-j", "x"]])
def test_bad_values_are_usage_errors(project, args):
    result = both("check", *args, "Dockerfile", cwd=project)
    assert result.returncode == 2 and result.stdout == b""
    assert "Invalid value" in err(result)


def test_github_actions_default_unchanged_and_annotations_stay_on_stdout(project):
    env = {"GITHUB_ACTIONS": "true"}
    default = both("check", "Dockerfile", cwd=project, env=env)
    tty = dlint("check", "Dockerfile", cwd=project)
    assert default.stdout.startswith(tty.stdout) and b"\n::" in default.stdout  # tty, then annotations
    annotations = default.stdout[len(tty.stdout):]
    # --output-file: the tty report goes to the file; the runner reads annotations on stdout
    to_file = both("check", "--output-file", "report.txt", "Dockerfile", cwd=project, env=env)
    assert (project / "report.txt").read_bytes() == tty.stdout and to_file.stdout == annotations
    # any --format is exactly the outputs named
    named = both("check", "--format", "tty", "--format", "sarif=s.sarif", "Dockerfile", cwd=project, env=env)
    assert named.stdout == tty.stdout
    # `--fix -`: stdout is the fixed text (`dlint check - --fix < in > out`): the report and
    # the annotations go to stderr, which the runner reads too
    fixed = dlint("check", "-", "--fix", cwd=project, stdin=DOCKERFILE.encode())
    under_ci = both("check", "-", "--fix", cwd=project, stdin=DOCKERFILE.encode(), env=env)
    assert under_ci.stdout == fixed.stdout and b"::" not in under_ci.stdout
    assert under_ci.stderr.startswith(fixed.stderr) and b"\n::" in under_ci.stderr


# -- --exit-zero, --quiet -------------------------------------------------------------------

def test_exit_zero(project):
    findings = both("check", "--exit-zero", "Dockerfile", cwd=project)
    assert findings.returncode == 0 and findings.stdout == dlint("check", "Dockerfile", cwd=project).stdout
    missing = both("check", "--exit-zero", "Dockerfile", "missing", cwd=project)
    assert missing.returncode == 2 and "missing: no such file" in err(missing)
    diff = both("check", "--diff", "--exit-zero", "Dockerfile", cwd=project)
    assert diff.returncode == 0 and b"+COPY app.txt /app/" in diff.stdout
    assert dlint("check", "--diff", "Dockerfile", cwd=project).returncode == 1
    # the config key does the same, for the files it configures
    write(project / "sub" / ".dlint.toml", "exit-zero = true\n")
    write(project / "sub" / "Dockerfile", DOCKERFILE)
    configured = both("check", "--diff", "sub/Dockerfile", cwd=project)
    assert configured.returncode == 0 and b"+COPY app.txt /app/" in configured.stdout
    assert both("check", "--diff", "sub/Dockerfile", "Dockerfile", cwd=project).returncode == 1


def test_quiet_prints_findings_only(project):
    loud = dlint("check", "Dockerfile", cwd=project)
    quiet = both("check", "-q", "Dockerfile", cwd=project)
    assert quiet.returncode == 1
    summary = loud.stdout.decode().splitlines()[-1]
    assert "finding" in summary
    assert quiet.stdout.decode() == loud.stdout.decode()[: -len(summary) - 1]
    assert both("check", "--quiet", "Dockerfile", cwd=project).stdout == quiet.stdout
    write(project / "clean" / "Dockerfile", CLEAN)
    clean = both("check", "--quiet", "clean/Dockerfile", cwd=project)
    assert clean.returncode == 0 and clean.stdout == b""
    (project / "empty").mkdir()
    nothing = both("check", "-q", "empty", cwd=project)
    assert nothing.returncode == 2 and nothing.stdout == b"" and "no Dockerfiles found" in err(nothing)
    assert dlint("check", "empty", cwd=project).stdout == b"No files checked\n"
    # --fix: no "fixed N findings" line on stderr either
    fixed = both("check", "--fix", "-q", "-", stdin=DOCKERFILE.encode(), cwd=project)
    assert b"COPY app.txt /app/" in fixed.stdout and "fixed" not in err(fixed) and "finding" not in err(fixed)


# -- --color -------------------------------------------------------------------------------

def test_color_always_never_auto_when_piped(project):
    plain = dlint("check", "Dockerfile", cwd=project)
    assert b"\x1b[" not in plain.stdout  # auto: not a terminal
    always = both("check", "--color", "always", "Dockerfile", cwd=project)
    assert b"\x1b[" in always.stdout and always.returncode == 1
    no_color = both("check", "--color", "always", "Dockerfile", cwd=project, env={"NO_COLOR": "1"})
    assert no_color.stdout == always.stdout  # an explicit --color always wins over NO_COLOR
    assert both("check", "--color", "never", "Dockerfile", cwd=project).stdout == plain.stdout
    assert both("check", "--color", "auto", "Dockerfile", cwd=project).stdout == plain.stdout
    # json is never coloured
    assert b"\x1b[" not in dlint("check", "--color", "always", "--format", "json", "Dockerfile", cwd=project).stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_color_never_on_a_terminal(project):
    import pty

    def on_terminal(*args):
        master, slave = pty.openpty()
        env = {**os.environ, "DLINT_NO_PLUGINS": "1", "TERM": "xterm"}
        env.pop("NO_COLOR", None)
        proc = subprocess.run([DLINT, "check", *args, "Dockerfile"], cwd=project, stdout=slave,
                              stderr=subprocess.PIPE, env=env, timeout=120)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        return proc.returncode, b"".join(chunks)

    code, coloured = on_terminal()
    assert code == 1 and b"\x1b[" in coloured
    code, never = on_terminal("--color", "never")
    assert code == 1 and b"\x1b[" not in never and b"Dockerfile:1:1:" in never


# -- --statistics ----------------------------------------------------------------------------

def test_statistics_count_per_code_sorted_like_ruff(project):
    write(project / "b" / "Dockerfile", "FROM debian\nADD x /x\nADD y /y\nRUN apt-get update\n")
    write(project / "b" / "x", "x")
    write(project / "b" / "y", "y")
    findings = json.loads(dlint("check", "--format", "json", "Dockerfile", "b", cwd=project).stdout)
    counts = Counter(f["code"] for f in findings)
    names = {f["code"]: f["name"] for f in findings}
    fixable = {f["code"] for f in findings if f["fix"] and f["fix"]["safe"] and f["fix"]["edits"]}
    assert max(counts.values()) > 1 and fixable and set(counts) - fixable  # the test means something
    text = both("check", "--statistics", "Dockerfile", "b", cwd=project)
    assert text.returncode == 1
    lines = text.stdout.decode().splitlines()
    rows = [line.split("\t") for line in lines[:-1]]
    expected = sorted(counts, key=lambda code: (-counts[code], code))
    assert [r[1].strip() for r in rows] == expected
    width = len(str(max(counts.values())))
    for count, code, rest in rows:
        code = code.strip()
        assert count == str(counts[code]).rjust(width)
        assert rest == ("[*] " if code in fixable else "[ ] ") + names[code]
    assert lines[-1] == dlint("check", "Dockerfile", "b", cwd=project).stdout.decode().splitlines()[-1]
    quiet = both("check", "--statistics", "-q", "Dockerfile", "b", cwd=project)
    assert quiet.stdout.decode().splitlines() == lines[:-1]
    as_json = json.loads(both("check", "--statistics", "--format", "json", "Dockerfile", "b", cwd=project).stdout)
    assert as_json == [{"code": c, "name": names[c], "count": counts[c], "fixable": c in fixable} for c in expected]
    assert both("check", "--statistics", "--exit-zero", "Dockerfile", "b", cwd=project).returncode == 0


def test_statistics_without_findings_prints_nothing(project):
    write(project / "clean" / "Dockerfile", CLEAN)
    text = both("check", "--statistics", "clean/Dockerfile", cwd=project)
    assert text.returncode == 0 and text.stdout == b""
    assert json.loads(both("check", "--statistics", "--format", "json", "clean/Dockerfile", cwd=project).stdout) == []


def test_statistics_replace_only_the_stdout_output(project):
    result = both("check", "--statistics", "--format", "tty", "--format", "json=all.json", "Dockerfile", cwd=project)
    assert (project / "all.json").read_bytes() == dlint("check", "--format", "json", "Dockerfile", cwd=project).stdout
    assert result.stdout == dlint("check", "--statistics", "Dockerfile", cwd=project).stdout


# -- --stdin-filename -------------------------------------------------------------------------

def test_stdin_filename_path_config_and_context(tmp_path):
    app = tmp_path / "app"
    write(app / ".dlint.toml", 'ignore = ["untagged-image"]\n')
    write(app / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
    text = "FROM ubuntu\nCOPY . /srv\n"
    write(app / "Dockerfile", text)
    as_file = json.loads(dlint("check", "--format", "json", "app/Dockerfile", cwd=tmp_path).stdout)
    codes = {f["name"] for f in as_file}
    assert "copy-secret-file" in codes and "untagged-image" not in codes  # the context and config apply
    piped = both("check", "--format", "json", "-", "--stdin-filename", "app/Dockerfile", cwd=tmp_path,
                 stdin=text.encode())
    assert piped.returncode == 1 and json.loads(piped.stdout) == as_file
    # without PATHs, --stdin-filename reads stdin (as ruff does)
    alone = both("check", "--format", "json", "--stdin-filename", "app/Dockerfile", cwd=tmp_path, stdin=text.encode())
    assert alone.stdout == piped.stdout
    # plain stdin: shown as -, no context, the config of the working directory (none)
    plain = json.loads(dlint("check", "--format", "json", "-", cwd=tmp_path, stdin=text.encode()).stdout)
    names = {f["name"] for f in plain}
    assert {f["file"] for f in plain} == {"-"} and "untagged-image" in names and "copy-secret-file" not in names
    # a path that does not exist (an editor's new buffer) still names the config folder
    new = json.loads(both("check", "--format", "json", "--stdin-filename", "app/new.Dockerfile", cwd=tmp_path,
                          stdin=text.encode()).stdout)
    assert {f["file"] for f in new} == {"app/new.Dockerfile"} and "untagged-image" not in {f["name"] for f in new}


def test_stdin_filename_with_fix_prints_the_fixed_text_and_writes_nothing(tmp_path):
    write(tmp_path / "sub" / "app.txt", "x\n")
    result = both("check", "--fix", "-", "--stdin-filename", "sub/Dockerfile", cwd=tmp_path, stdin=DOCKERFILE.encode())
    assert result.returncode == 1
    plain = dlint("check", "--fix", "-", cwd=tmp_path, stdin=DOCKERFILE.encode())
    assert out(result) == out(plain) and "COPY app.txt /app/" in out(result)
    assert "sub/Dockerfile:1:1:" in err(result)  # the report on stderr names the file
    assert not (tmp_path / "sub" / "Dockerfile").exists()


# -- --jobs ----------------------------------------------------------------------------------

def _fixture_set() -> list[str]:
    """An in-repo multi-file set: the bad fixtures of the first rule folders (many rules,
    ShellCheck findings, fixes, several folders), as paths relative to the repository."""
    folders = sorted(p for p in (REPO / "fixtures" / "rules").iterdir() if p.is_dir())[:25]
    files = [str(p.relative_to(REPO)) for folder in folders for p in sorted(folder.glob("bad-*.Dockerfile"))]
    assert len(files) > 40
    return files


def test_jobs_output_identical_to_serial_on_fixture_set(tmp_path):
    files = _fixture_set()
    # a missing file, a non-text file and a directory without Dockerfiles among them: the
    # errors on stderr come in the same order too
    write(tmp_path / "binary.Dockerfile", b"FROM a\nRUN x\x00y\n")
    (tmp_path / "none").mkdir()
    files[5:5] = ["missing.Dockerfile"]
    files[20:20] = [str(tmp_path / "binary.Dockerfile"), str(tmp_path / "none")]
    for fmt, variants in (("json", (["-j2"], ["--jobs", "3"])), ("tty", (["--jobs=2"],))):
        serial = dlint("check", "--format", fmt, "-j1", *files, cwd=REPO)
        assert serial.returncode == 2 and serial.stdout
        assert len(err(serial).splitlines()) == 3
        for jobs in variants:
            run = both if jobs == ["-j2"] else dlint
            parallel = run("check", "--format", fmt, *jobs, *files, cwd=REPO)
            assert (parallel.returncode, parallel.stdout, parallel.stderr) == \
                (serial.returncode, serial.stdout, serial.stderr), jobs


def test_jobs_really_uses_processes_and_agrees_in_process():
    from dlint.lint.engine import lint_paths

    files = _fixture_set()
    serial = lint_paths(files, root=REPO, cwd=REPO, jobs=1)
    parallel = lint_paths(files, root=REPO, cwd=REPO, jobs=2)
    assert serial.workers == 1 and parallel.workers == 2
    assert [f.to_json() for f in parallel.findings] == [f.to_json() for f in serial.findings]
    assert (parallel.files, parallel.sources, parallel.errors, parallel.failing, parallel.floors) == \
        (serial.files, serial.sources, serial.errors, serial.failing, serial.floors)
    assert serial.findings and any(f.code.startswith("SC") for f in serial.findings)


def test_jobs_automatic_choice():
    from dlint.lint import parallel
    from dlint.lint.engine import FileJob
    from dlint.lint.config import Config

    def jobs(count, size=3000):
        return [FileJob(b"x" * size, f"f{i}", Config(), None) for i in range(count)]

    assert parallel.workers_for(jobs(1), None) == 1  # one file: never a pool
    assert parallel.workers_for(jobs(parallel.AUTO_MIN_FILES - 1), None) == 1
    assert parallel.workers_for(jobs(400, size=10), None) == 1  # many tiny files: not worth it
    many = parallel.workers_for(jobs(400), None)
    assert many == min(parallel.available_cores(), 400 // parallel.AUTO_FILES_PER_WORKER)
    assert parallel.workers_for(jobs(3), 8) == 3  # asked: at most one process per file
    assert parallel.workers_for(jobs(3), 1) == 1


def test_fix_and_diff_run_serially_with_jobs(project):
    assert both("check", "--diff", "-j2", "Dockerfile", cwd=project).stdout == \
        dlint("check", "--diff", "Dockerfile", cwd=project).stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_jobs_output_identical_to_serial_on_corpus_subset():
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith((".tsv", ".md")))[::7]
    assert len(files) > 150
    for fmt in ("json", "tty"):
        serial = dlint("check", "--format", fmt, "-j1", *files, cwd=CORPUS)
        parallel = dlint("check", "--format", fmt, "-j2", *files, cwd=CORPUS)
        auto = dlint("check", "--format", fmt, *files, cwd=CORPUS)
        assert serial.returncode == 1 and serial.stdout
        assert (parallel.returncode, parallel.stdout, parallel.stderr) == (serial.returncode, serial.stdout, serial.stderr)
        assert (auto.returncode, auto.stdout, auto.stderr) == (serial.returncode, serial.stdout, serial.stderr)


# -- the fast path parses what typer parses -----------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (["-j4", "x"], {"jobs": 4, "paths": ["x"]}),
    (["-j", "2", "--jobs=3"], {"jobs": 3}),
    (["-q", "--exit-zero", "--statistics"], {"quiet": True, "exit_zero": True, "statistics": True}),
    (["--format", "tty", "--format=sarif=o.sarif", "-o", "r.txt"],
     {"format": ["tty", "sarif=o.sarif"], "output_file": "r.txt"}),
    (["-or.txt"], {"output_file": "r.txt"}),
    (["--color", "never", "--stdin-filename", "a/Dockerfile", "-"],
     {"color": "never", "stdin_filename": "a/Dockerfile", "paths": ["-"]}),
])
def test_fast_path_parses_the_new_options(argv, expected):
    from dlint.cli import parse_check_argv

    options = parse_check_argv(argv)
    assert options is not None
    for name, value in expected.items():
        assert getattr(options, name) == value, name


@pytest.mark.parametrize("argv", [["-qj2"], ["-j0"], ["--jobs", "x"], ["--color", "yes"], ["--format", "nope=x"],
                                  ["--stdin-filename"], ["-j\u00b2"]])  # "²".isdigit(), but not int()
def test_fast_path_leaves_the_rest_to_typer(argv):
    from dlint.cli import parse_check_argv

    assert parse_check_argv(argv) is None


def test_a_worker_that_dies_is_an_error_not_a_hang(monkeypatch):
    """A killed worker (out of memory...) must end the run with one error, not wait forever
    (multiprocessing.Pool would). The forked workers inherit the patched engine function."""
    import sys

    from dlint.lint import parallel
    from dlint.lint.engine import lint_paths

    if not sys.platform.startswith("linux"):
        pytest.skip("the patched function reaches the workers only when they are forked")

    from dlint.lint import engine

    parent, real = os.getpid(), engine.lint_jobs

    def die_in_a_worker(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "lint_jobs", die_in_a_worker)
    with pytest.raises(parallel.WorkerDied, match="-j1 lints in one process"):
        lint_paths(_fixture_set(), root=REPO, cwd=REPO, jobs=2)


def test_a_files_findings_do_not_depend_on_the_files_linted_before_it(tmp_path):
    """Regression: a compose service naming the folder as its (explicit) build context made
    copy-source-not-found treat every later Dockerfile defaulting to that folder as
    explicit too, so `dlint check .` reported the root Dockerfile's COPY of a missing file,
    `dlint check Dockerfile` did not, and -j2 (the two in different processes) differed
    from -j1. Explicitness is the file's own now."""
    write(tmp_path / "compose.yaml", "services:\n  a:\n    build:\n      context: .\n"
                                     "      dockerfile: docker/a.Dockerfile\n")
    write(tmp_path / "docker" / "a.Dockerfile", "FROM alpine:3.20\nCOPY exists.txt /\n")
    write(tmp_path / "exists.txt", "x\n")
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nCOPY missing.txt /\n")
    alone = json.loads(dlint("check", "--select", "copy-source-not-found", "--format", "json", "Dockerfile",
                             cwd=tmp_path).stdout)
    assert alone == []  # nothing it copies is in its folder: probably not its context
    for jobs in ("-j1", "-j2"):
        run = dlint("check", "--select", "copy-source-not-found", "--format", "json", jobs, ".", cwd=tmp_path)
        assert [f for f in json.loads(run.stdout) if f["file"] == "Dockerfile"] == alone, jobs
    # the service's Dockerfile, whose context compose names, is checked against it
    write(tmp_path / "docker" / "a.Dockerfile", "FROM alpine:3.20\nCOPY gone.txt /\n")
    named = json.loads(dlint("check", "--select", "copy-source-not-found", "--format", "json", ".",
                             cwd=tmp_path).stdout)
    assert [f["file"] for f in named] == ["docker/a.Dockerfile"]


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")
def test_stopping_the_pool_leaves_no_thread_for_the_exit_hook_to_race():
    """After _stop (Ctrl-C), the pool's manager thread has finished: one still closing its
    pipes when the interpreter exits made concurrent.futures' exit hook print an OSError
    traceback, now and then, on Ctrl-C."""
    import concurrent.futures
    import multiprocessing
    import time

    from dlint.lint.parallel import _stop

    pool = concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    futures = [pool.submit(time.sleep, 30) for _ in range(6)]
    while not any(f.running() for f in futures):
        time.sleep(0.01)
    manager = pool._executor_manager_thread
    start = time.perf_counter()
    _stop(pool)
    assert not manager.is_alive() and time.perf_counter() - start < 10


def test_ctrl_c_stops_the_workers_at_once(tmp_path):
    """Ctrl-C during a --jobs run: exit 130 without a traceback, no worker left, and long
    before the run would have finished (the queued slices are cancelled, not awaited)."""
    import signal
    import time

    text = (REPO / "examples" / "Dockerfile").read_text()
    for i in range(1200):
        write(tmp_path / f"d{i:04}" / "Dockerfile", text)
    cmd = [DLINT, "check", "-j2", "--ignore", "SC", "--format", "json", "."]
    env = {**os.environ, "DLINT_NO_PLUGINS": "1"}
    start = time.perf_counter()
    full = subprocess.run(cmd, cwd=tmp_path, capture_output=True, env=env, timeout=600)
    whole = time.perf_counter() - start
    assert full.returncode == 1 and full.stdout
    # in a session of its own: the signal goes to dlint and its workers, as a terminal sends it
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    time.sleep(whole * 0.3)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.perf_counter()
    stdout, stderr = proc.communicate(timeout=600)
    stopped = time.perf_counter() - sent
    assert proc.returncode == 130 and stdout == b"" and b"Traceback" not in stderr
    # awaiting the queued slices would take about 0.7 * whole; the margin is for a loaded machine
    assert stopped < whole * 0.5, (stopped, whole)
    if os.path.isdir("/proc/self"):  # no process (an orphaned worker) still works in the folder
        left = []
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd") == str(tmp_path):
                    left.append(entry)
            except OSError:
                continue
        assert left == []
