""".dockerignore, dlint against the engine: the files `COPY . /ctx` puts into an image equal the
files dlint's snapshot selects (dlint.cache.context), for both builders.

Built with the docker CLI itself (`docker buildx build`; `DOCKER_BUILDKIT=0 docker build` for
the classic builder), so the client's own .dockerignore handling is the oracle, not dlint's
context tar. The image's files are listed from `docker export` of a created (never started)
container.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest_engine import docker_cli, docker_engine  # noqa: F401  (pytest fixture)
from dlint.cache.context import DirectorySnapshot
from dlint.cache.engine import LABEL, classic_context_tar, new_run_id

FILES = [
    "Dockerfile", "a.txt", "app.log", "keep.log", "README.LOG", "sub/b.log", "sub/deep/c.log",
    "secret.txt", "sub/secret.txt", "node_modules/x/index.js", "node_modules/.bin/x",
    "docs/guide/draft1.md", "docs/guide/draft-final.md", "docs/guide/final.md", "docs/draft0.md",
    "build/out.o", "build/keep.txt", "build/sub/keep.txt", "pkg/a/cache/x", "pkg/b/cache/y",
    "pkg/b/src.go", "file1.txt", "filex.txt", "tmp.tmp", "sub/z.tmp", "dir with space/f.txt",
]
EMPTY_DIRS = ["empty", "node_modules/empty"]

CASES = {
    # `**`, `!` exceptions (also under an excluded folder), folders, leading `/`, `*` not
    # crossing `/`, case, character classes.
    "patterns": """\
# comment
**/*.log
!keep.log
!sub/deep/*.log
/secret.txt
node_modules
docs/**/draft*
!docs/**/draft-final.md
build
!build/keep.txt
pkg/*/cache
file[0-9].txt
*.tmp
./dir with space
""",
    # The Dockerfile and .dockerignore exclude themselves (the engine then hides them from COPY).
    "self-excluded": """\
Dockerfile
.dockerignore
sub
""",
    # Exclude everything, re-include a few.
    "allow-list": """\
*
!a.txt
!sub/deep
!docs/**/*.md
""",
}


def make_context(root: Path, dockerignore: str) -> Path:
    for name in FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("FROM dlint-base:1\nCOPY . /ctx\n" if name == "Dockerfile" else f"{name}\n")
    for name in EMPTY_DIRS:
        (root / name).mkdir(parents=True, exist_ok=True)
    os.symlink("a.txt", root / "link-to-a")
    (root / ".dockerignore").write_text(dockerignore)
    return root


def with_parents(paths: set[str]) -> set[str]:
    """The paths and their parent folders (the builder creates the parents of a re-included
    path even when the folder itself is excluded)."""
    out = set(paths)
    for path in paths:
        parts = path.split("/")
        out.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return out


def build_with_cli(engine, builder: str, context: Path, run_id: str) -> str:
    cli = docker_cli()
    env = dict(os.environ, DOCKER_HOST=engine.docker_host)
    if engine.docker_config:
        env["DOCKER_CONFIG"] = engine.docker_config
    label = ["--label", f"{LABEL}={run_id}"]
    iidfile = context.parent / f"iid-{builder}"
    if builder == "buildkit":
        cmd = [cli, "buildx", "build", "--progress=plain", "--network=none", "--iidfile", str(iidfile), *label]
    else:
        env["DOCKER_BUILDKIT"] = "0"
        cmd = [cli, "build", "-q", "--network=none", "--iidfile", str(iidfile), *label]
    proc = subprocess.run(cmd + [str(context)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{builder} build failed:\n{proc.stderr[-2000:]}"
    return iidfile.read_text().strip()


def files_in_image(engine, image: str, root: str = "ctx") -> set[str]:
    api = engine.api
    container = api.create_container(image, command=["/bin/true"], network_disabled=True)["Id"]
    try:
        stream = api.export(container)
        names = set()
        reader = _ChunkReader(stream)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                name = member.name.lstrip("./").rstrip("/")
                if name.startswith(root + "/"):
                    names.add(name[len(root) + 1:])
        return names
    finally:
        api.remove_container(container, force=True)


class _ChunkReader:
    """A file-like object over an iterator of byte chunks (docker export's stream)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buf = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buf += chunk
        if size < 0:
            data, self._buf = self._buf, b""
        else:
            data, self._buf = self._buf[:size], self._buf[size:]
        return data


# Known differences, found by these tests (strict: they fail once fixed, so the mark goes).
CLASSIC_WALK = pytest.mark.xfail(strict=True, reason=(
    "the docker CLI's classic-builder tar (moby archive walk) skips an excluded folder unless an "
    "exception pattern starts with that folder's path: `*` + `!docs/**/*.md` drops docs/guide/*.md; "
    "BuildKit (fsutil) and dlint's snapshot keep them"))
SDK_CASE = pytest.mark.xfail(strict=True, reason=(
    "dlint.cache.engine.classic_context_tar uses the docker SDK's exclude_paths, which matches "
    "case-insensitively: `**/*.log` drops README.LOG, the docker CLI keeps it"))


def _params(marks: dict[str, pytest.MarkDecorator], builders=("buildkit", "classic")) -> list:
    return [pytest.param(case, builder, id=f"{case}-{builder}",
                         marks=[marks[f"{case}-{builder}"]] if f"{case}-{builder}" in marks else [])
            for case in sorted(CASES) for builder in builders]


def selection(context: Path) -> set[str]:
    selected = {s.path for s in DirectorySnapshot(context).select(".")} - {""}
    assert selected, "the snapshot selects nothing: the case tests nothing"
    return selected


def built_files(engine, builder: str, context: Path) -> set[str]:
    run_id = new_run_id()
    try:
        return files_in_image(engine, build_with_cli(engine, builder, context, run_id))
    finally:
        engine.remove_images(run_id)


@pytest.mark.parametrize("case, builder", _params({"allow-list-classic": CLASSIC_WALK}))
def test_copied_files_equal_dlint_selection(docker_engine, tmp_path, case, builder):
    context = make_context(tmp_path / "ctx", CASES[case])
    expected = with_parents(selection(context))
    in_image = built_files(docker_engine, builder, context)
    assert in_image == expected, (
        f"{case} ({builder}): only in the image: {sorted(in_image - expected)}; "
        f"only in dlint's selection: {sorted(expected - in_image)}")


@pytest.mark.parametrize("case, builder", _params({"patterns-classic": SDK_CASE}, builders=("classic",)))
def test_dlint_classic_context_tar_equals_the_cli(docker_engine, tmp_path, case, builder):
    """What dlint sends for its own classic builds (dlint cache verify --builder classic) is
    what the docker CLI sends (Dockerfile and .dockerignore aside: always sent, the daemon
    drops them when excluded)."""
    context = make_context(tmp_path / "ctx", CASES[case])
    with classic_context_tar(context, "Dockerfile") as fileobj, tarfile.open(fileobj=fileobj) as tar:
        sent = {m.name.rstrip("/") for m in tar.getmembers()} - {"Dockerfile", ".dockerignore"}
    in_image = built_files(docker_engine, builder, context) - {"Dockerfile", ".dockerignore"}
    assert sent, "dlint's tar is empty: the case tests nothing"
    assert with_parents(sent) == in_image, (
        f"{case}: only in dlint's tar: {sorted(with_parents(sent) - in_image)}; "
        f"only in the CLI-built image: {sorted(in_image - with_parents(sent))}")
