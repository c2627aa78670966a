"""Build-context snapshots: .dockerignore, selection, what is hashed and what is not."""

from __future__ import annotations

import os
import subprocess

import pytest

from dlint.cache.context import (ContextError, DirectorySnapshot, GitSnapshot, IgnoreMatcher,
                                 blob_id, clean_source, read_dockerignore)


def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def selection(root, source):
    return DirectorySnapshot(root).select(source)


def test_blob_id_is_git_blob_hash():
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_clean_source():
    assert clean_source(".") == ""
    assert clean_source("./src/../a.txt") == "a.txt"
    assert clean_source("/x/") == "x"
    assert clean_source("../../a") == "a"


def test_read_dockerignore_drops_comments_and_blanks():
    assert read_dockerignore("# c\n\n  *.log  \n!keep.log\n") == ["*.log", "!keep.log"]


def test_ignore_matcher_semantics():
    m = IgnoreMatcher(["*.log", "!keep.log", "build", "**/*.tmp", "Docs"])
    assert m.excluded("a.log") and not m.excluded("keep.log")
    assert m.excluded("build/x/y.o")          # a matched directory covers its subtree
    assert m.excluded("a/b/c.tmp")
    assert not m.excluded("sub/a.log")        # '*' does not cross '/'
    assert not m.excluded("docs")             # case-sensitive, as the engine (the SDK is not)
    assert not IgnoreMatcher([]).excluded("anything")


def test_dockerignore_hides_files_and_itself(tmp_path):
    write(tmp_path, {"a.txt": "a", "secret.env": "s", "node_modules/x/y.js": "y",
                     ".dockerignore": "*.env\nnode_modules\n.dockerignore\nDockerfile\n",
                     "Dockerfile": "FROM x\n"})
    snap = DirectorySnapshot(tmp_path)
    assert set(snap.visible()) == {"a.txt"}


def test_exception_under_excluded_directory_is_walked(tmp_path):
    write(tmp_path, {"vendor/a.go": "a", "vendor/keep/b.go": "b", ".dockerignore": "vendor\n!vendor/keep\n"})
    assert set(DirectorySnapshot(tmp_path).visible()) >= {"vendor/keep", "vendor/keep/b.go"}
    assert "vendor/a.go" not in DirectorySnapshot(tmp_path).visible()


def test_selection_contents_mode_but_not_mtime(tmp_path):
    write(tmp_path, {"app/a.py": "print(1)\n", "other.txt": "o"})
    before = selection(tmp_path, "app")
    os.utime(tmp_path / "app/a.py", (1, 1))
    assert selection(tmp_path, "app") == before            # mtime does not count (E06)
    (tmp_path / "app/a.py").write_text("print(1)\n")
    assert selection(tmp_path, "app") == before            # same bytes rewritten (E06c)
    (tmp_path / "other.txt").write_text("changed")
    assert selection(tmp_path, "app") == before            # unselected file (E03)
    os.chmod(tmp_path / "app/a.py", 0o755)
    assert selection(tmp_path, "app") != before            # mode counts (E05)


def test_rename_and_empty_dir_count(tmp_path):
    write(tmp_path, {"app/a.py": "x"})
    before = selection(tmp_path, "app")
    (tmp_path / "app/empty").mkdir()
    assert selection(tmp_path, "app") != before            # E19d
    (tmp_path / "app/empty").rmdir()
    (tmp_path / "app/a.py").rename(tmp_path / "app/b.py")
    assert selection(tmp_path, "app") != before            # E19c


def test_symlink_target_counts(tmp_path):
    write(tmp_path, {"a": "1", "b": "2"})
    (tmp_path / "l").symlink_to("a")
    before = selection(tmp_path, "l")
    (tmp_path / "l").unlink()
    (tmp_path / "l").symlink_to("b")
    assert selection(tmp_path, "l") != before


def test_wildcards(tmp_path):
    write(tmp_path, {"a.txt": "a", "b.md": "b", "d/c.txt": "c", "d/e/f.txt": "f"})
    snap = DirectorySnapshot(tmp_path)
    assert snap.match("*.txt") == ["a.txt"]
    assert snap.match("d/*.txt") == ["d/c.txt"]
    assert snap.match("*/c.txt") == ["d/c.txt"]
    assert snap.match("[ab].*") == ["a.txt", "b.md"]
    assert snap.match("[^a].*") == ["b.md"]
    assert [s.path for s in snap.select("d")] == ["d", "d/c.txt", "d/e", "d/e/f.txt"]
    assert snap.match("missing") == []


def test_copy_dot_includes_dockerfile(tmp_path):
    write(tmp_path, {"Dockerfile": "FROM x\n", "a": "a"})
    assert [s.path for s in selection(tmp_path, ".")] == ["Dockerfile", "a"]


def test_reads_only_selected_files(tmp_path):
    files = {f"junk/{i}.bin": str(i) for i in range(50)}
    files.update({"src/a.py": "a", "src/b.py": "b"})
    write(tmp_path, files)
    snap = DirectorySnapshot(tmp_path)
    opened = []
    real = snap.read
    snap.read = lambda path: (opened.append(path), real(path))[1]
    snap.select("src")
    assert sorted(opened) == ["src/a.py", "src/b.py"]


def test_missing_context_is_an_error(tmp_path):
    with pytest.raises(ContextError):
        DirectorySnapshot(tmp_path / "nope")


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def test_git_snapshot_matches_working_tree(tmp_path):
    write(tmp_path, {"ctx/app/a.py": "a\n", "ctx/run.sh": "#!/bin/sh\n", "ctx/.dockerignore": "*.log\n",
                     "ctx/x.log": "l", "outside.txt": "o"})
    os.chmod(tmp_path / "ctx/run.sh", 0o755)
    (tmp_path / "ctx/link").symlink_to("run.sh")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "x")
    rev = GitSnapshot(tmp_path, "HEAD", "ctx")
    tree = DirectorySnapshot(tmp_path / "ctx", skip_git_dir=True)
    assert set(rev.visible()) == set(tree.visible()) == {".dockerignore", "app", "app/a.py", "run.sh", "link"}
    assert rev.select(".") == tree.select(".", git_modes=True)
    assert rev.read_text(".dockerignore") == "*.log\n"
    (tmp_path / "ctx/app/a.py").write_text("b\n")
    assert rev.select("app") != DirectorySnapshot(tmp_path / "ctx").select("app", git_modes=True)


def test_unknown_revision(tmp_path):
    git(tmp_path, "init", "-q")
    with pytest.raises(ContextError):
        GitSnapshot(tmp_path, "no-such-rev")


def test_git_snapshot_models_the_checkout_git_dir(tmp_path):
    write(tmp_path, {"a.txt": "a\n", "sub/b.txt": "b\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "x")
    snap = GitSnapshot(tmp_path, "HEAD", checkout_git=True)
    assert {".git", ".git/HEAD"} <= set(snap.visible())
    assert snap.read(".git/HEAD").decode().strip() == snap.commit
    assert snap.read_many([".git/HEAD", "a.txt"])["a.txt"] == b"a\n"
    assert ".git" not in GitSnapshot(tmp_path, "HEAD").visible()                     # the git-tree view
    assert ".git" not in GitSnapshot(tmp_path, "HEAD", "sub", checkout_git=True).visible()  # below the root
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "y")
    older = GitSnapshot(tmp_path, "HEAD~1", checkout_git=True)
    assert older.select(".git") != GitSnapshot(tmp_path, "HEAD", checkout_git=True).select(".git")
    write(tmp_path, {".dockerignore": ".git\n"})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "z")
    assert ".git" not in GitSnapshot(tmp_path, "HEAD", checkout_git=True).visible()
