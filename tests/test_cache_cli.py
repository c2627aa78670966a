"""`dlint cache diff` / `dlint cache explain` as a user runs them (subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cache"
DLINT = [sys.executable, "-m", "dlint.cli"] if False else [str(Path(sys.executable).with_name("dlint"))]


def run(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run([*DLINT, *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_diff_json_matches_spec_shape():
    scenario = FIXTURES / "X01"
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["builder"] == "buildkit" and data["target"] is None
    step = next(s for s in data["steps"] if s["line"] == 5)
    assert step == {"stage": "stage-0", "line": 5, "instruction": "RUN", "cached": False,
                    "reason": "file requirements.txt changed (COPY on line 4)"}


def test_diff_tty_marks_steps_and_summarises():
    scenario = FIXTURES / "E09"
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--builder", "classic")
    assert proc.returncode == 0, proc.stderr
    assert "REBUILT  LABEL version=2" in proc.stdout
    assert "4 of 5 steps rerun (classic builder)" in proc.stdout
    assert "\x1b[" not in proc.stdout          # plain when not a terminal


def test_diff_build_args_and_target():
    scenario = FIXTURES / "E07"
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--format", "json",
               "--before-build-arg", "FOO=1", "--after-build-arg", "FOO=2")
    reasons = {s["line"]: s["reason"] for s in json.loads(proc.stdout)["steps"]}
    assert reasons[5] == "build arg FOO changed (declared on line 3)"
    scenario = FIXTURES / "E16c"
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--target", "dep")
    assert "0 of 2 steps rerun" in proc.stdout


def test_diff_without_arguments_in_a_git_repository(tmp_path):
    shutil.copytree(FIXTURES / "X02" / "before", tmp_path / "repo")
    repo = tmp_path / "repo"
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})
    (repo / "src" / "app.py").write_text("print(2)\n")
    proc = run("cache", "diff", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "file src/app.py changed" in proc.stdout and "2 of 6 steps rerun" in proc.stdout
    proc = run("cache", "diff", str(repo), "--format", "json", cwd=tmp_path)   # the repo path given
    assert [s["line"] for s in json.loads(proc.stdout)["steps"] if s["cached"] is False] == [6, 7]


def test_bad_input_is_one_line_exit_2(tmp_path):
    good = FIXTURES / "E00" / "after"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Dockerfile").write_text("FROM x\nNOPE y\n")
    cases = [
        ("cache", "diff", str(tmp_path / "missing"), str(good)),                   # missing context
        ("cache", "diff", str(good), str(good), "-f", "../Dockerfile"),             # outside the context
        ("cache", "diff", str(good), str(good), "--target", "nope"),               # unknown target
        ("cache", "diff", "not-a-rev", str(good)),                                  # neither folder nor revision
        ("cache", "diff", str(tmp_path / "broken"), str(tmp_path / "broken")),      # broken Dockerfile
        ("cache", "diff", str(good), str(good), "--builder", "kaniko"),
        ("cache", "explain", str(tmp_path / "missing")),
    ]
    for args in cases:
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, args



def test_revision_without_git_is_one_line_exit_2(tmp_path):
    """Where git is not installed (dlint's container image), a revision argument is a usage
    error that says so, not an internal error."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bin_dir)}
    good = FIXTURES / "E00" / "after"
    proc = subprocess.run([*DLINT, "cache", "diff", "HEAD", str(good)], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "dlint: error: 'HEAD' is not a folder, and git is not installed (needed to read it as a revision): "
        "compare two folders instead"]

def test_explain_json_and_tty():
    context = FIXTURES / "X01" / "after"
    proc = run("cache", "explain", str(context), "--format", "json")
    data = json.loads(proc.stdout)
    top = data["ranking"][0]
    assert (top["path"], top["rerun"], top["steps"]) == ("requirements.txt", 4, 6)
    proc = run("cache", "explain", str(context))
    assert "an edit under src/ reruns 2 of 6 steps, including `RUN ls src`" in proc.stdout


def test_generated_monster_is_one_line_exit_2(tmp_path):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM alpine:3.20\n" + "".join(f"ENV K{i}=v{i}\n" for i in range(6000)))
    proc = run("cache", "diff", str(context), str(context))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "more than the 5000 dlint analyses" in proc.stderr


def test_explain_names_missing_sources(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM dlint-base:1\nCOPY requirements.txt /r.txt\nCOPY *.cfg /etc/\n"
                                         "COPY src/ /src/\nRUN true\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("a\n")
    proc = run("cache", "explain", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "no step reads the build context" not in proc.stdout
    assert ("line 2: source requirements.txt is not in the build context (missing, or excluded by "
            ".dockerignore): the build would fail") in proc.stdout
    assert "line 3: source *.cfg matches nothing in the build context" in proc.stdout
    assert "an edit under src/ reruns" in proc.stdout
    data = json.loads(run("cache", "explain", str(tmp_path), "--format", "json").stdout)
    assert [(s["line"], s["missing"]) for s in data["steps"] if s["missing"]] == \
        [(2, ["requirements.txt"]), (3, ["*.cfg"])]
    # Nothing missing and nothing read: the old sentence stays.
    (tmp_path / "Dockerfile").write_text("FROM dlint-base:1\nRUN true\n")
    assert "no step reads the build context" in run("cache", "explain", str(tmp_path)).stdout


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def test_diff_in_a_monorepo_from_the_root_and_from_a_subfolder(tmp_path):
    repo = tmp_path / "mono"
    api = repo / "services" / "api"
    api.mkdir(parents=True)
    (api / "Dockerfile").write_text("FROM dlint-base:1\nCOPY app.txt /app.txt\nRUN cat /app.txt\n")
    (api / "app.txt").write_text("one\n")
    (repo / "README").write_text("root\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "x")
    (api / "app.txt").write_text("two\n")
    for args, cwd in [((), api),                                          # from the subfolder
                      (("HEAD", "services/api"), repo),                   # revision + folder, from the root
                      (("HEAD:services/api", "services/api"), repo),      # REV:PATH
                      (("HEAD:./api", "api"), repo / "services")]:        # REV:./PATH from the cwd
        proc = run("cache", "diff", *args, "--format", "json", cwd=cwd)
        assert proc.returncode == 0, (args, proc.stderr)
        assert [s["line"] for s in json.loads(proc.stdout)["steps"] if s["cached"] is False] == [2, 3], args
    # A folder the revision does not have: a Dockerfile only AFTER has, a first build
    # (issue 15); another folder on the other side is one readable line, no raw git error.
    new = repo / "newsvc"
    new.mkdir()
    (new / "Dockerfile").write_text("FROM dlint-base:1\n")
    proc = run("cache", "diff", cwd=new)
    assert proc.returncode == 0 and "no cache yet" in proc.stdout, proc.stderr
    proc = run("cache", "diff", "HEAD:newsvc", "services/api", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("dlint: error: newsvc/ does not exist in revision HEAD (the context folder "
                                   "must be in both sides; name another with HEAD:PATH)")
    assert "fatal" not in proc.stderr


# -- timings (issue 11, part 3) -------------------------------------------------------------



def save_timings(cache_home, dockerfile, measured) -> None:
    """Store `measured` as `cache verify` would for `dockerfile` (buildkit), in the
    dlint cache under `cache_home` (XDG_CACHE_HOME of the dlint processes a test runs)."""
    from dlint.cache import timings

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    try:
        timings.save(str(dockerfile), "buildkit", measured)
    finally:
        os.environ.pop("XDG_CACHE_HOME") if old is None else os.environ.__setitem__("XDG_CACHE_HOME", old)

def test_timings_store_round_trip_and_matching(tmp_path, monkeypatch):
    from dlint.cache import timings as t

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    key = str(tmp_path / "ctx" / "Dockerfile")
    first = t.Timings([t.StepTiming("build", "RUN", "RUN make", 2, 250.0),
                       t.StepTiming("build", "COPY", "COPY . .", 1, 0.5)], "verify 1")
    assert t.save(key, "buildkit", first) is not None
    newer = t.Timings([t.StepTiming("build", "RUN", "RUN make", 2, 240.0)], "verify 2")
    t.save(key, "buildkit", newer)
    loaded = t.load(key, "buildkit")
    assert loaded.lookup("build", "RUN", "RUN   make", 2) == 240.0       # newer wins, text normalised
    assert loaded.lookup("build", "COPY", "COPY . .", 1) == 0.5          # older kept for the rest
    assert loaded.lookup("build", "RUN", "RUN make -j4", 2) == 240.0     # edited: same place
    assert loaded.lookup("build", "RUN", "RUN make -j4", -1) is None     # text only
    assert t.load(key, "classic") is None and t.load(str(tmp_path / "other"), "buildkit") is None
    # the other BuildKit builder's durations serve when this one has none (same steps)
    assert t.load(key, "buildkit-container").lookup("build", "RUN", "RUN make", 2) == 240.0
    t.save(key, "buildkit-container", t.Timings([t.StepTiming("build", "RUN", "RUN make", 2, 99.0)], "v3"))
    assert t.load(key, "buildkit-container").lookup("build", "RUN", "RUN make", 2) == 99.0
    assert t.load(key, "buildkit").lookup("build", "RUN", "RUN make", 2) == 240.0
    assert [t.format_seconds(x) for x in (0.42, 12.4, 250, 3725)] == ["~0.4s", "~12s", "~4m10s", "~1h02m"]


def test_diff_explain_and_rule_use_stored_timings(tmp_path):
    from dlint.cache import timings as t

    env_cache = tmp_path / "cache"
    before, after = tmp_path / "before", tmp_path / "after"
    for side in (before, after):
        side.mkdir()
        (side / "Dockerfile").write_text("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
                                         "RUN pip install --no-cache-dir -r requirements.txt\nRUN python -m build\n")
        (side / "requirements.txt").write_text("flask\n")
        (side / "app.py").write_text("print(1)\n")
    (after / "app.py").write_text("print(2)\n")
    measured = t.Timings([t.StepTiming("stage-0", "WORKDIR", "WORKDIR /app", 1, 0.1),
                          t.StepTiming("stage-0", "COPY", "COPY . .", 2, 0.4),
                          t.StepTiming("stage-0", "RUN", "RUN pip install --no-cache-dir -r requirements.txt", 3, 238.0),
                          t.StepTiming("stage-0", "RUN", "RUN python -m build", 4, 11.6)], "cache verify, test")
    save_timings(env_cache, after / "Dockerfile", measured)

    def dlint(*args):
        env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
        env["XDG_CACHE_HOME"] = str(env_cache)
        return subprocess.run([*DLINT, *args], capture_output=True, text=True, env=env, cwd=tmp_path)

    proc = dlint("cache", "diff", str(before), str(after))
    assert proc.returncode == 0, proc.stderr
    assert "RUN pip install --no-cache-dir -r requirements.txt   [~3m58s]" in proc.stdout
    assert "3 of 4 steps rerun: ~4m10s (buildkit builder)" in proc.stdout
    assert "durations from cache verify, test" in proc.stdout
    data = json.loads(dlint("cache", "diff", str(before), str(after), "--format", "json").stdout)
    assert data["seconds"] == 250.0 and data["timings"] == "cache verify, test"
    assert {s["line"]: s.get("seconds") for s in data["steps"]}[4] == 238.0
    ranking = json.loads(dlint("cache", "explain", str(after), "--format", "json").stdout)["ranking"]
    assert {r["path"]: r["seconds"] for r in ranking}["app.py"] == 250.0 == ranking[0]["seconds"]
    assert "(~4m10s)" in dlint("cache", "explain", str(after)).stdout
    proc = dlint("check", "--select", "DF701", str(after / "Dockerfile"))
    assert "reruns 3 of 4 steps (~4m10s), `RUN pip install -r requirements.txt` included; copying " \
           "requirements.txt first would rerun 2 (~12s), without the install." in proc.stdout
    # No timings: counts only.
    env_cache.rename(tmp_path / "gone")
    assert "(~" not in dlint("check", "--select", "DF701", str(after / "Dockerfile")).stdout
    assert "steps rerun (buildkit builder)" in dlint("cache", "diff", str(before), str(after)).stdout


def test_bad_timings_file_is_one_line(tmp_path):
    scenario = FIXTURES / "E05"
    (tmp_path / "log.json").write_text("not json at all\n")
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--timings",
               str(tmp_path / "log.json"))
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert "no BuildKit progress in it" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--timings",
               str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "cannot read timings file" in proc.stderr


def test_timings_file_with_wrongly_typed_fields_is_one_line(tmp_path):
    # JSON of the right outline but the wrong types (a hand-edited or foreign log):
    # read as no progress, not an internal error.
    scenario = FIXTURES / "E05"
    for n, text in enumerate(['{"vertexes":[{"digest":"sha256:1","name":5}]}',
                              '{"vertexes":[{"digest":["a"],"name":"[1/2] RUN x"}]}',
                              '{"vertexes":7}']):
        (tmp_path / f"log{n}.json").write_text(text + "\n")
        proc = run("cache", "diff", str(scenario / "before"), str(scenario / "after"), "--timings",
                   str(tmp_path / f"log{n}.json"))
        assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
        assert "internal error" not in proc.stderr and "timings" in proc.stderr


def _git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def _commit(repo, files: dict, message: str = "x", remove=()):
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for name in remove:
        (repo / name).unlink()
    if not (repo / ".git").exists():
        _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)


def test_dockerfile_added_between_revisions_is_all_new(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"README.md": "r\n", ".dockerignore": ".git\n"})
    _commit(repo, {"Dockerfile": "FROM alpine:3.20\nCOPY README.md /r\nRUN echo hi\n"})
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    steps = json.loads(proc.stdout)["steps"]
    assert [(s["line"], s["cached"], s["reason"]) for s in steps if s["instruction"] != "FROM"] == \
        [(2, False, "no cache yet"), (3, False, "no cache yet")]
    proc = run("cache", "diff", "HEAD~1", "HEAD", cwd=repo)
    assert proc.returncode == 0 and "2 of 2 steps rerun" in proc.stdout and "no cache yet" in proc.stdout


def test_dockerfile_removed_between_revisions_is_one_line_exit_0(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"Dockerfile": "FROM alpine:3.20\nRUN echo hi\n"})
    _commit(repo, {}, remove=["Dockerfile"])
    proc = run("cache", "diff", "HEAD~1", "HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines() == [
        "Dockerfile was removed between BEFORE (HEAD~1) and AFTER (HEAD): nothing to build"]
    data = json.loads(run("cache", "diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo).stdout)
    assert data["steps"] == [] and "removed" in data["note"]
    # on neither side: still an error
    proc = run("cache", "diff", "HEAD", "HEAD", "-f", "Other.Dockerfile", cwd=repo)
    assert proc.returncode == 2 and "no Other.Dockerfile" in proc.stderr


def test_target_stage_on_one_side_only(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"Dockerfile": "FROM alpine:3.20 AS base\nRUN echo base\n"})
    _commit(repo, {"Dockerfile": "FROM alpine:3.20 AS base\nRUN echo base\n"
                                 "FROM base AS test\nRUN echo test\n"})
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--target", "test", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    reruns = [(s["line"], s["reason"]) for s in json.loads(proc.stdout)["steps"]
              if s["cached"] is False and s["instruction"] != "FROM"]
    assert reruns == [(2, "no cache yet"), (4, "no cache yet")]
    proc = run("cache", "diff", "HEAD", "HEAD~1", "--target", "test", cwd=repo)     # stage removed
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "AFTER Dockerfile has no stage 'test' (BEFORE had it): nothing to build"
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--target", "nope", cwd=repo)      # on neither side
    assert proc.returncode == 2 and "unknown target" in proc.stderr


GIT_REASON = "`.git` changes with every commit; add it to .dockerignore"


def test_revisions_are_checkouts_whose_git_dir_changes(tmp_path):
    """A README-only commit, README excluded by .dockerignore but .git not: `COPY . /app`
    reruns in a checkout build (its .git differs), stays cached with --git-tree (a build
    from a git URL) or once .dockerignore has .git."""
    repo = tmp_path / "repo"
    repo.mkdir()
    dockerfile = "FROM alpine:3.20\nCOPY app.py /app/app.py\nRUN echo deps\nCOPY . /app\nRUN echo done\n"
    _commit(repo, {"Dockerfile": dockerfile, "app.py": "print(1)\n", "README.md": "a\n", ".dockerignore": "*.md\n"})
    _commit(repo, {"README.md": "b\n"})
    data = json.loads(run("cache", "diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo).stdout)
    reruns = [(s["line"], s["reason"]) for s in data["steps"] if s["cached"] is False]
    assert reruns == [(4, GIT_REASON), (5, GIT_REASON + " (COPY on line 4)")]
    proc = run("cache", "diff", "HEAD~1", "HEAD", cwd=repo)
    assert proc.returncode == 0 and f"^ {GIT_REASON}" in proc.stdout and "2 of 4 steps rerun" in proc.stdout
    # the same commit on both sides: the same checkout, nothing reruns
    assert "0 of 4 steps rerun" in run("cache", "diff", "HEAD", "HEAD", cwd=repo).stdout
    # the git-tree view (a build from a git URL): nothing reruns
    assert "0 of 4 steps rerun" in run("cache", "diff", "HEAD~1", "HEAD", "--git-tree", cwd=repo).stdout
    # an app.py edit: the step that copies app.py alone names it
    _commit(repo, {"app.py": "print(2)\n"})
    data = json.loads(run("cache", "diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo).stdout)
    assert [(s["line"], s["reason"]) for s in data["steps"] if s["cached"] is False][0] == \
        (2, "file app.py changed")
    # .git ignored: a README commit is all cached in both views
    _commit(repo, {".dockerignore": "*.md\n.git\n"})
    _commit(repo, {"README.md": "c\n"})
    for extra in ((), ("--git-tree",)):
        proc = run("cache", "diff", "HEAD~1", "HEAD", *extra, cwd=repo)
        assert proc.returncode == 0 and "0 of 4 steps rerun" in proc.stdout, (extra, proc.stdout)


def test_checkout_git_dir_only_at_the_repository_root(tmp_path):
    """A context folder below the root has no .git; a step that does not read `.` is not
    touched by it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"svc/Dockerfile": "FROM alpine:3.20\nCOPY . /app\n", "svc/a.py": "a\n",
                   "Dockerfile": "FROM alpine:3.20\nCOPY svc/ /svc/\nRUN true\n", "doc.md": "1\n"})
    _commit(repo, {"doc.md": "2\n"})
    proc = run("cache", "diff", "HEAD~1:svc", "HEAD:svc", cwd=repo)
    assert proc.returncode == 0 and "0 of 1 steps rerun" in proc.stdout, proc.stdout
    proc = run("cache", "diff", "HEAD~1", "HEAD", cwd=repo)
    assert proc.returncode == 0 and "0 of 2 steps rerun" in proc.stdout, proc.stdout


def test_explain_ranks_git_dir_as_diff_does(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"Dockerfile": "FROM alpine:3.20\nCOPY app.py /app/\nRUN echo deps\nCOPY . /app\nRUN true\n",
                   "app.py": "1\n"})
    data = json.loads(run("cache", "explain", str(repo), "--format", "json").stdout)
    row = next(r for r in data["ranking"] if r["path"] == ".git/")
    assert (row["rerun"], row["steps"], row["lines"]) == (2, 4, [4, 5])
    proc = run("cache", "explain", str(repo))
    assert f"an edit under .git/ reruns 2 of 4 steps" in proc.stdout and GIT_REASON in proc.stdout
    data = json.loads(run("cache", "explain", str(repo), "--git-tree", "--format", "json").stdout)
    assert ".git/" not in [r["path"] for r in data["ranking"]]
    (repo / ".dockerignore").write_text(".git\n")
    data = json.loads(run("cache", "explain", str(repo), "--format", "json").stdout)
    assert ".git/" not in [r["path"] for r in data["ranking"]]


def test_fail_on_rerun_gates_matching_steps(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    dockerfile = ("FROM python:3.12-slim\nCOPY requirements.txt .\nrun pip install \\\n    -r requirements.txt\n"
                  "COPY src/ /src/\nRUN python -m compileall /src\n")
    _commit(repo, {"Dockerfile": dockerfile, "requirements.txt": "a\n", "src/a.py": "1\n", ".dockerignore": ".git\n"})
    _commit(repo, {"src/a.py": "2\n"})
    # a src edit does not rerun pip: exit 0
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--fail-on-rerun", "RUN pip install*", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    _commit(repo, {"requirements.txt": "b\n"})
    env_free = run("cache", "diff", "HEAD~1", "HEAD", "--fail-on-rerun", "RUN pip install*",
                   "--fail-on-rerun", "RUN apt-get*", cwd=repo)
    assert env_free.returncode == 1
    assert env_free.stderr.strip().splitlines() == [
        "--fail-on-rerun 'RUN pip install*': line 3 reruns (file requirements.txt changed (COPY on line 2)): "
        "RUN pip install -r requirements.txt"]
    assert "REBUILT  run pip install" in env_free.stdout and "::error" not in env_free.stdout
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--fail-on-rerun", "RUN apt-get*", cwd=repo)
    assert proc.returncode == 0
    # under GitHub Actions: an annotation on the Dockerfile line and a step-summary line
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run([*DLINT, "cache", "diff", "HEAD~1", "HEAD", "--format", "json",
                           "--fail-on-rerun", "RUN pip install*"], cwd=repo, capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["steps"]                     # stdout stays JSON
    annotation = proc.stderr.splitlines()[-1]
    assert annotation.startswith("::error file=Dockerfile,line=3,title=dlint cache diff%3A RUN pip install*::")
    assert "line 3 reruns" in summary.read_text()


def test_max_rerun_seconds_gates_on_known_durations(tmp_path):
    from dlint.cache import timings as t

    env_cache = tmp_path / "cache"
    before, after = tmp_path / "before", tmp_path / "after"
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                  "COPY . .\nRUN python -m build\n")
    for side in (before, after):
        side.mkdir()
        (side / "Dockerfile").write_text(dockerfile)
        (side / "requirements.txt").write_text("flask\n")
        (side / "app.py").write_text("print(1)\n")
    measured = t.Timings([t.StepTiming("stage-0", "COPY", "COPY requirements.txt .", 2, 0.2),
                          t.StepTiming("stage-0", "RUN", "RUN pip install -r requirements.txt", 3, 238.0),
                          t.StepTiming("stage-0", "COPY", "COPY . .", 4, 0.4),
                          t.StepTiming("stage-0", "RUN", "RUN python -m build", 5, 11.6)], "cache verify, test")
    save_timings(env_cache, after / "Dockerfile", measured)

    def dlint(*args, **env_extra):
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "GITHUB_ACTIONS")}
        env.update(XDG_CACHE_HOME=str(env_cache), **env_extra)
        return subprocess.run([*DLINT, "cache", "diff", str(before), str(after), *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path)

    # an app.py edit reruns COPY . . and the build: 12 s
    (after / "app.py").write_text("print(2)\n")
    proc = dlint("--max-rerun-seconds", "60")
    assert proc.returncode == 0 and proc.stderr == ""
    proc = dlint("--max-rerun-seconds", "10")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "--max-rerun-seconds 10: the 2 steps that rerun take ~12s by their known durations, over the budget",
        "  line 6 (~12s): RUN python -m build",
        "  line 5 (~0.4s): COPY . ."]
    # a requirements edit reruns the install: over a 60 s budget; the annotation goes on its line
    (after / "requirements.txt").write_text("flask==3\n")
    summary = tmp_path / "summary.md"
    proc = dlint("--max-rerun-seconds", "60", "--format", "json", "--fail-on-rerun", "RUN apt-get*",
                 GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode == 1 and json.loads(proc.stdout)["seconds"] == 250.2
    first = "--max-rerun-seconds 60: the 4 steps that rerun take ~4m10s by their known durations, over the budget"
    assert proc.stderr.splitlines()[0] == first
    assert proc.stderr.splitlines()[-1].startswith(
        "::error file=after/Dockerfile,line=4,title=dlint cache diff%3A --max-rerun-seconds 60::" + first[:40])
    assert summary.read_text().startswith(f"**dlint cache diff**: reruns over the time budget in after/Dockerfile\n\n- {first}\n")
    # both gates trip: both are reported
    proc = dlint("--max-rerun-seconds", "60", "--fail-on-rerun", "RUN pip install*")
    assert proc.returncode == 1 and proc.stderr.startswith("--fail-on-rerun 'RUN pip install*': line 4 reruns")
    assert first in proc.stderr


def test_max_rerun_seconds_with_unknown_durations(tmp_path):
    from dlint.cache import timings as t

    env_cache = tmp_path / "cache"
    before, after = tmp_path / "before", tmp_path / "after"
    for side, version in ((before, "1"), (after, "2")):
        side.mkdir()
        (side / "Dockerfile").write_text("FROM b\nCOPY a.txt /a\nRUN slow\nRUN quick\n")
        (side / "a.txt").write_text(version)

    def dlint(*args):
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "GITHUB_ACTIONS")}
        env["XDG_CACHE_HOME"] = str(env_cache)
        return subprocess.run([*DLINT, "cache", "diff", str(before), str(after), *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path)

    # nothing known at all: the gate cannot work, and says how to give it durations (exit 2)
    proc = dlint("--max-rerun-seconds", "30")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (
        "dlint: error: --max-rerun-seconds: no step duration is known for Dockerfile (3 steps rerun): pass "
        "--timings FILE (the stderr of `docker buildx build --progress=rawjson` of the BEFORE build) or run "
        "`dlint cache verify` once")
    assert dlint("--max-rerun-seconds", "-1").returncode == 2
    # some known: the unknown ones count 0 s, and the message names them
    save_timings(env_cache, after / "Dockerfile", t.Timings([t.StepTiming("stage-0", "RUN", "RUN slow", 2, 40.0)]))
    proc = dlint("--max-rerun-seconds", "60")
    assert proc.returncode == 0
    assert proc.stderr.strip() == ("--max-rerun-seconds 60: the 3 steps that rerun take ~40s by their known "
                                   "durations, within the budget (2 of them without a known duration, counted "
                                   "as 0 s: lines 2, 4)")
    proc = dlint("--max-rerun-seconds", "39.5")
    assert proc.returncode == 1 and "over the budget (2 of them without a known duration" in proc.stderr
    # no rerun at all: nothing to measure, exit 0 even without durations
    (after / "a.txt").write_text("1")
    env_cache.rename(tmp_path / "gone")
    assert dlint("--max-rerun-seconds", "0").returncode == 0


def test_absolute_dockerfile_path_between_revisions(tmp_path):
    # `-f $PWD/docker/app.Dockerfile` between two revisions names the file at that place
    # in each revision's context; it was refused as "outside the build context".
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {".dockerignore": ".git\n", "a.txt": "1\n",
                   "docker/app.Dockerfile": "FROM alpine:3.20\nCOPY a.txt /a\nRUN echo\n"})
    _commit(repo, {"a.txt": "2\n"})
    proc = run("cache", "diff", "HEAD~1", "HEAD", "-f", str(repo / "docker" / "app.Dockerfile"),
               "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert [(s["line"], s["cached"]) for s in json.loads(proc.stdout)["steps"]] == \
        [(1, True), (2, False), (3, False)]
    proc = run("cache", "diff", "HEAD~1", "HEAD", "-f", str(tmp_path / "elsewhere"), cwd=repo)
    assert proc.returncode == 2 and "outside the build context" in proc.stderr


def test_context_folder_added_between_revisions_is_a_first_build(tmp_path):
    # The commit that adds a service (its folder, Dockerfile included) in a monorepo: a
    # Dockerfile that only AFTER has, all new, exit 0 (it was exit 2: "services/web/ does
    # not exist in revision HEAD~1"). The folder on neither side stays an error.
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"README.md": "r\n"})
    _commit(repo, {"services/web/Dockerfile": "FROM alpine:3.20\nCOPY . /w\n"})
    for args, cwd in ((("HEAD~1", "HEAD"), repo / "services" / "web"),
                      (("HEAD~1:services/web", "HEAD:services/web"), repo),
                      (("HEAD~1", "services/web"), repo)):
        proc = run("cache", "diff", *args, "--format", "json", cwd=cwd)
        assert proc.returncode == 0, (args, proc.stderr)
        assert [(s["line"], s["reason"]) for s in json.loads(proc.stdout)["steps"]] == \
            [(1, "no cache yet"), (2, "no cache yet")]
    proc = run("cache", "diff", "HEAD", "HEAD~1", cwd=repo / "services" / "web")
    assert proc.returncode == 0 and "removed" in proc.stdout, proc.stderr
    proc = run("cache", "diff", "HEAD~1:services/wbe", "HEAD:services/wbe", cwd=repo)
    assert proc.returncode == 2 and "services/wbe/ does not exist in revision" in proc.stderr
    proc = run("cache", "diff", "HEAD~1:services/wbe", "HEAD:services/web", cwd=repo)   # a typo on one side
    assert proc.returncode == 2 and "services/wbe/ does not exist in revision HEAD~1" in proc.stderr


def test_explain_with_timings_and_no_dockerfile_names_no_before(tmp_path):
    # `cache explain` has one Dockerfile; the error spoke of "the BEFORE Dockerfile"
    (tmp_path / "log.json").write_text("{}\n")
    proc = run("cache", "explain", str(tmp_path), "--timings", str(tmp_path / "log.json"))
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "BEFORE" not in proc.stderr and "cannot read the Dockerfile" in proc.stderr


def test_explain_leaves_out_a_folder_whose_contents_dockerignore_excludes(tmp_path):
    # `.git/**` (or `logs/*`) sends the folder empty: nothing under it reaches the build,
    # as `cache diff` between two commits agrees; explain ranked ".git/" (with the advice
    # to add it to .dockerignore) and "logs/" as rerunning `COPY .`.
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"Dockerfile": "FROM alpine:3.20\nCOPY . /app\nRUN true\n", "logs/a.log": "1\n",
                   ".dockerignore": ".git/**\nlogs/*\n"})
    _commit(repo, {"logs/a.log": "2\n", "README": "r\n"})
    assert "0 of 2 steps rerun" not in run("cache", "diff", "HEAD~1", "HEAD", cwd=repo).stdout  # README
    _commit(repo, {"logs/a.log": "3\n"})
    assert "0 of 2 steps rerun" in run("cache", "diff", "HEAD~1", "HEAD", cwd=repo).stdout
    data = json.loads(run("cache", "explain", str(repo), "--format", "json").stdout)
    paths = [r["path"] for r in data["ranking"]]
    assert ".git/" not in paths and "logs/" not in paths and "README" in paths


def test_max_rerun_seconds_on_a_new_dockerfile_with_timings_says_why(tmp_path):
    # --timings given, but BEFORE has no Dockerfile (the commit that adds it): no log of
    # its build can time anything, and a first build has no cache to lose: the gate is
    # not applied, and the one stderr line says why (it was exit 2).
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"README.md": "r\n", ".dockerignore": ".git\n"})
    _commit(repo, {"Dockerfile": "FROM alpine:3.20\nRUN echo hi\n"})
    (tmp_path / "log.json").write_text('{"vertexes":[{"digest":"d","name":"[1/2] RUN echo hi"}]}\n')
    proc = run("cache", "diff", "HEAD~1", "HEAD", "--timings", str(tmp_path / "log.json"),
               "--max-rerun-seconds", "5", cwd=repo)
    assert proc.returncode == 0 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "pass --timings" not in proc.stderr and "BEFORE has no build of Dockerfile" in proc.stderr


GATE_OFF = ("dlint cache diff: {gates} not applied: BEFORE has no build of {what} (a first build: "
            "no cache to lose)")


def test_gates_do_not_trip_on_a_first_build(tmp_path):
    # The pull request that adds a Dockerfile (or a target stage): every step is "no cache
    # yet" and diff exits 0; --fail-on-rerun tripped (exit 1) on those steps and
    # --max-rerun-seconds exited 2. A first build has no cache to lose: exit 0, one line.
    repo = tmp_path / "repo"
    repo.mkdir()
    _commit(repo, {"README.md": "r\n", ".dockerignore": ".git\n", "requirements.txt": "a\n"})
    _commit(repo, {"Dockerfile": "FROM python:3.12-slim AS base\nCOPY requirements.txt .\n"
                                 "RUN pip install -r requirements.txt\n"})
    summary = tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))

    def gated(*args):
        return subprocess.run([*DLINT, "cache", "diff", *args], cwd=repo, capture_output=True, text=True, env=env)

    both = GATE_OFF.format(gates="--fail-on-rerun, --max-rerun-seconds", what="Dockerfile")
    for args, line in (
            (("--fail-on-rerun", "RUN pip install*"), GATE_OFF.format(gates="--fail-on-rerun", what="Dockerfile")),
            (("--max-rerun-seconds", "5"), GATE_OFF.format(gates="--max-rerun-seconds", what="Dockerfile")),
            (("--fail-on-rerun", "RUN pip install*", "--max-rerun-seconds", "0"), both)):
        proc = gated("HEAD~1", "HEAD", *args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines() == [line]                     # no ::error annotation
        assert "no cache yet" in proc.stdout
        assert summary.read_text() == f"**dlint cache diff**: {line.removeprefix('dlint cache diff: ')}\n\n"
        summary.unlink()
    # a target stage BEFORE lacks
    _commit(repo, {"Dockerfile": "FROM python:3.12-slim AS base\nCOPY requirements.txt .\n"
                                 "RUN pip install -r requirements.txt\nFROM base AS test\nRUN pip install pytest\n"})
    proc = gated("HEAD~1", "HEAD", "--target", "test", "--fail-on-rerun", "RUN pip install*", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["steps"]
    assert proc.stderr.splitlines() == [GATE_OFF.format(gates="--fail-on-rerun", what="Dockerfile stage 'test'")]
    # removed: AFTER builds nothing, exit 0 with the same one line
    proc = gated("HEAD", "HEAD~1", "--target", "test", "--max-rerun-seconds", "5")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "dlint cache diff: --max-rerun-seconds not applied: AFTER has no build of Dockerfile stage 'test' "
        "(nothing to build)"]
    proc = gated("HEAD~1", "HEAD~2", "--fail-on-rerun", "RUN pip install*")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "dlint cache diff: --fail-on-rerun not applied: AFTER has no build of Dockerfile (nothing to build)"]
    # no gate given: nothing on stderr
    proc = gated("HEAD~2", "HEAD~1")
    assert proc.returncode == 0 and proc.stderr == ""
    # a real edit still trips the gate
    _commit(repo, {"requirements.txt": "b\n"})
    assert gated("HEAD~1", "HEAD", "--fail-on-rerun", "RUN pip install*").returncode == 1


def _cached_log(steps: list[str], cached: bool = True) -> str:
    """A `--progress=rawjson` log of a build of `steps` (BuildKit vertex names), each one
    served from the cache (or run, 2 s each)."""
    lines, prev = [], None
    for n, name in enumerate(steps):
        vertex = {"digest": f"sha256:{n}", "name": name, "inputs": [prev] if prev else [],
                  "started": "2026-12-07T01:57:20Z", "completed": "2026-12-07T01:57:22Z"}
        if cached:
            vertex["cached"] = True
        lines.append(json.dumps({"vertexes": [vertex]}))
        prev = vertex["digest"]
    return "\n".join(lines) + "\n"


def test_timings_of_a_fully_cached_build_are_unknown_not_an_error(tmp_path):
    # The log of main's build when every step hit the cache times nothing. diff exited 2
    # ("no step of this Dockerfile ran") even without a gate, so the documented artifact
    # workflow failed every pull request after a cached main build.
    before, after = tmp_path / "before", tmp_path / "after"
    for side, version in ((before, "1"), (after, "2")):
        side.mkdir()
        (side / "Dockerfile").write_text("FROM alpine:3.20\nCOPY a.txt /a\nRUN slow\n")
        (side / "a.txt").write_text(version)
    log = tmp_path / "build.json"
    names = ["[1/3] FROM docker.io/library/alpine:3.20", "[2/3] COPY a.txt /a", "[3/3] RUN slow"]
    log.write_text(_cached_log(names))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "GITHUB_ACTIONS")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    def dlint(*args):
        return subprocess.run([*DLINT, "cache", "diff", str(before), str(after), "--timings", str(log), *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path)

    warning = (f"dlint: warning: timings file {log}: every step of this Dockerfile was served from the cache "
               "in that build (fully cached), so it times nothing: durations unknown")
    proc = dlint()
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [warning]
    assert "2 of 2 steps rerun" in proc.stdout and "durations from" not in proc.stdout
    # the time gate cannot measure: not applied, exit 0 (a cached main build must not fail
    # every pull request); the pattern gate still works
    proc = dlint("--max-rerun-seconds", "30")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        warning, f"dlint cache diff: --max-rerun-seconds not applied: no step duration is known (the build "
                 f"in {log} was fully cached; 2 steps rerun)"]
    proc = dlint("--max-rerun-seconds", "30", "--fail-on-rerun", "RUN slow")
    assert proc.returncode == 1 and "--fail-on-rerun 'RUN slow': line 3 reruns" in proc.stderr
    # the same log with the steps run: timed, and the gate applies
    log.write_text(_cached_log(names, cached=False))
    proc = dlint("--max-rerun-seconds", "3")
    assert proc.returncode == 1 and "over the budget" in proc.stderr and "warning" not in proc.stderr
    # a log with no step of this Dockerfile at all (another build) stays a one-line error
    log.write_text(_cached_log(["[internal] load build definition from Dockerfile"]))
    proc = dlint()
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "no step of this Dockerfile" in proc.stderr
    # explain says the same and goes on
    log.write_text(_cached_log(names))
    proc = subprocess.run([*DLINT, "cache", "explain", str(after), "--timings", str(log)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr.splitlines() == [warning]
