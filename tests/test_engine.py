"""dlint.cache.engine against a real Docker engine (scripts/test-engine), and its offline parts.

Expected cache outcomes come from reference/buildkit-cache.md (E-numbers there)."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from conftest_engine import docker_engine, fresh_engine  # noqa: F401  (pytest fixtures)
from dlint.cache.engine import (
    BuildFailed,
    BuildProgress,
    EngineError,
    Engine,
    EngineUnavailable,
    ObservedStep,
    _JsonStream,
    classic_context_tar,
    new_run_id,
)

BUILDERS = ["buildkit", "classic"]

SIMPLE = """\
FROM dlint-base:1
WORKDIR /app
COPY a.txt .
RUN cat a.txt > b.txt
ENV X=1
RUN echo one > one.txt
RUN echo two > two.txt
LABEL purpose=test
"""


def write_context(root: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text(dockerfile)
    for name, content in (files or {"a.txt": "hello\n"}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def change_owner(path: Path, uid: int) -> None:
    """Give `path` another owner: any uid and gid as root; as another user, another of
    its groups (chown to one's own group needs no privilege). Skips (a failure under
    CI=true) when neither is possible."""
    if os.geteuid() == 0:
        os.chown(path, uid, uid)
        return
    others = [g for g in os.getgroups() if g != path.stat().st_gid]
    if not others:
        pytest.skip("changing a file's owner needs root or a second group of this user")
    os.chown(path, -1, others[0])


def cached_by_line(steps: list[ObservedStep]) -> dict[int, bool | None]:
    return {s.line: s.cached for s in steps}


# -- with a real engine -------------------------------------------------------------------


@pytest.mark.parametrize("builder", BUILDERS)
def test_rebuild_is_fully_cached(fresh_engine, tmp_path, builder):
    ctx = write_context(tmp_path / "ctx", SIMPLE)
    run_id = new_run_id()
    first = fresh_engine.build(builder, ctx, run_id=run_id)
    second = fresh_engine.build(builder, ctx, run_id=run_id)

    assert [(s.line, s.instruction) for s in first.steps] == [
        (1, "FROM"), (2, "WORKDIR"), (3, "COPY"), (4, "RUN"), (5, "ENV"), (6, "RUN"), (7, "RUN"), (8, "LABEL")]
    if builder == "buildkit":
        # ENV and LABEL make no vertex; FROM is neutral.
        makes_step = {2, 3, 4, 6, 7}
    else:
        makes_step = {2, 3, 4, 5, 6, 7, 8}
    assert cached_by_line(first.steps) == {n: (False if n in makes_step else None) for n in range(1, 9)}
    assert cached_by_line(second.steps) == {n: (True if n in makes_step else None) for n in range(1, 9)}
    assert first.ok and second.ok
    assert first.image_id and first.image_id == second.image_id
    assert fresh_engine.inspect_image(first.image_id)["Config"]["Labels"]["dlint.verify"] == run_id


@pytest.mark.parametrize("builder", BUILDERS)
def test_edited_run_rebuilds_exactly_the_expected_steps(fresh_engine, tmp_path, builder):
    ctx = write_context(tmp_path / "ctx", SIMPLE)
    fresh_engine.build(builder, ctx)
    (ctx / "Dockerfile").write_text(SIMPLE.replace("echo one", "echo ONE"))
    after = fresh_engine.build(builder, ctx)

    if builder == "buildkit":
        # The edited RUN and the RUN after it rebuild; ENV/LABEL make no step.
        expected = {1: None, 2: True, 3: True, 4: True, 5: None, 6: False, 7: False, 8: None}
    else:
        # Linear chain: everything after the first miss misses, LABEL included.
        expected = {1: None, 2: True, 3: True, 4: True, 5: True, 6: False, 7: False, 8: False}
    assert cached_by_line(after.steps) == expected


@pytest.mark.parametrize("builder", BUILDERS)
def test_env_edit_differs_between_builders(fresh_engine, tmp_path, builder):
    # E12: an ENV edit misses from the ENV in classic; BuildKit keeps COPY cached.
    dockerfile = "FROM dlint-base:1\nENV MODE=a\nCOPY a.txt /a.txt\nRUN echo hi\n"
    ctx = write_context(tmp_path / "ctx", dockerfile)
    fresh_engine.build(builder, ctx)
    (ctx / "Dockerfile").write_text(dockerfile.replace("MODE=a", "MODE=b"))
    after = fresh_engine.build(builder, ctx)
    if builder == "buildkit":
        assert cached_by_line(after.steps) == {1: None, 2: None, 3: True, 4: False}
    else:
        assert cached_by_line(after.steps) == {1: None, 2: False, 3: False, 4: False}


@pytest.mark.parametrize("builder", BUILDERS)
def test_build_arg_change_misses_from_first_run_after_arg(fresh_engine, tmp_path, builder):
    # E07: a declared ARG's value reaches every later RUN, used or not; COPY stays cached.
    dockerfile = "FROM dlint-base:1\nRUN echo before\nARG FOO\nCOPY a.txt /a.txt\nRUN echo after\n"
    ctx = write_context(tmp_path / "ctx", dockerfile)
    fresh_engine.build(builder, ctx, build_args={"FOO": "1"})
    after = fresh_engine.build(builder, ctx, build_args={"FOO": "2"})
    arg_step = None if builder == "buildkit" else True
    assert cached_by_line(after.steps) == {1: None, 2: True, 3: arg_step, 4: True, 5: False}


@pytest.mark.parametrize("builder", BUILDERS)
def test_multistage_mapping_and_target(fresh_engine, tmp_path, builder):
    dockerfile = (
        "ARG G=1\n"                        # 1  global ARG: a classic step, never cached
        "FROM dlint-base:1 AS Build\n"     # 2
        "ARG V=2\n"                        # 3
        "WORKDIR /\n"                      # 4  BuildKit: counted in n, but no vertex
        "RUN echo \"$V\" > /v\n"           # 5  vertex name shows the expanded value
        "WORKDIR /w\n"                     # 6
        "COPY a.txt /w/\n"                 # 7
        "FROM build\n"                     # 8  stage-1, FROM a stage: no vertex
        "RUN cat /w/a.txt\n"               # 9
        "FROM scratch AS fin\n"            # 10
        "COPY --from=1 /w/a.txt /\n"       # 11
        "FROM dlint-base:2 AS unused\n"    # 12
        "RUN echo unused\n"                # 13
    )
    ctx = write_context(tmp_path / "ctx", dockerfile)
    first = fresh_engine.build(builder, ctx, target="fin")
    (ctx / "a.txt").write_text("changed\n")
    second = fresh_engine.build(builder, ctx, target="fin")

    stages = {s.line: s.stage for s in second.steps}
    assert stages == {1: None, 2: "Build", 3: "Build", 4: "Build", 5: "Build", 6: "Build", 7: "Build",
                      8: "stage-1", 9: "stage-1", 10: "fin", 11: "fin"}
    if builder == "buildkit":
        assert cached_by_line(first.steps) == {1: None, 2: None, 3: None, 4: None, 5: False, 6: False,
                                               7: False, 8: None, 9: False, 10: None, 11: False}
        # a.txt changed: its COPY and everything that reads it rebuild
        assert cached_by_line(second.steps) == {1: None, 2: None, 3: None, 4: None, 5: True, 6: True,
                                                7: False, 8: None, 9: False, 10: None, 11: False}
    else:
        assert cached_by_line(first.steps) == {1: None, 2: None, 3: False, 4: False, 5: False, 6: False,
                                               7: False, 8: None, 9: False, 10: None, 11: False}
        assert cached_by_line(second.steps) == {1: None, 2: None, 3: True, 4: True, 5: True, 6: True,
                                                7: False, 8: None, 9: False, 10: None, 11: False}


@pytest.mark.parametrize("builder", BUILDERS)
def test_failed_build_raises_with_observation(fresh_engine, tmp_path, builder):
    ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nRUN echo ok\nRUN exit 3\nRUN echo never\n")
    with pytest.raises(BuildFailed) as info:
        fresh_engine.build(builder, ctx)
    assert "exit code: 3" in str(info.value) or "returned a non-zero code: 3" in str(info.value)
    assert "\n" not in str(info.value)
    observed = cached_by_line(info.value.observation.steps)
    assert observed.get(2) is False
    assert info.value.observation.ok is False


def test_classic_ignores_host_ownership_like_the_cli(fresh_engine, tmp_path):
    # E06b: the docker CLI sends 0:0, so a chown of a copied file hits; so must dlint's tar.
    ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nCOPY a.txt /a.txt\nRUN echo hi\n")
    fresh_engine.build("classic", ctx)
    change_owner(ctx / "a.txt", 1234)
    after = fresh_engine.build("classic", ctx)
    assert cached_by_line(after.steps) == {1: None, 2: True, 3: True}


@pytest.mark.parametrize("builder", BUILDERS)
def test_dockerignored_file_change_hits(fresh_engine, tmp_path, builder):
    # E04: an ignored file changed under COPY . -> hit.
    ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nCOPY . /app/\n",
                        {"a.txt": "a\n", "ignored.log": "1\n", ".dockerignore": "*.log\n"})
    fresh_engine.build(builder, ctx)
    (ctx / "ignored.log").write_text("2\n")
    after = fresh_engine.build(builder, ctx)
    assert cached_by_line(after.steps) == {1: None, 2: True}


def test_progress_callback_sees_vertices_and_steps(fresh_engine, tmp_path):
    ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nRUN echo hi\n")
    for builder in BUILDERS:
        events: list[BuildProgress] = []
        fresh_engine.build(builder, ctx, progress=events.append)
        assert any("RUN echo hi" in e.name for e in events), builder
        assert all(e.builder == builder for e in events)


def test_prune_and_remove_images(fresh_engine, tmp_path):
    ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nRUN echo prune\n")
    run_id = new_run_id()
    obs = fresh_engine.build("classic", ctx, run_id=run_id)
    assert fresh_engine.images_made(run_id)
    removed = fresh_engine.remove_images(run_id)
    assert any(obs.image_id.endswith(r.split(":")[-1]) or r == obs.image_id for r in removed)
    assert fresh_engine.images_made(run_id) == []
    assert fresh_engine.inspect_image("dlint-base:1") is not None  # never touches other images
    # With the classic cache gone, the same build runs again.
    again = fresh_engine.build("classic", ctx, run_id=run_id)
    assert cached_by_line(again.steps) == {1: None, 2: False}


def test_engine_version(docker_engine):
    assert docker_engine.engine_version().startswith("26.1.5")


# -- offline -------------------------------------------------------------------------------


def test_unreachable_engine_says_how_to_start_one(tmp_path):
    engine = Engine(f"unix://{tmp_path}/nothing.sock")
    with pytest.raises(EngineUnavailable) as info:
        engine.engine_version()
    assert "point DOCKER_HOST at a running engine" in str(info.value)
    assert "start Docker" in str(info.value) and "scripts/" not in str(info.value)
    with pytest.raises(EngineUnavailable):
        engine.build("buildkit", write_context(tmp_path / "ctx", "FROM dlint-base:1\n"))


def test_json_stream_decodes_split_objects_and_text_lines():
    data = b'{\n  "vertexes": [{"digest": "d1", "name": "x \xc3\xa9"}]\n}\n{"a": 1}\nERROR: failed to solve: boom\n'
    stream = _JsonStream()
    items = []
    for i in range(0, len(data), 3):  # split everywhere, even inside UTF-8 sequences
        items += list(stream.feed(data[i:i + 3]))
    items += list(stream.feed(b"", final=True))
    assert items == [{"vertexes": [{"digest": "d1", "name": "x é"}]}, {"a": 1}, "ERROR: failed to solve: boom"]


def test_classic_context_tar_normalises_owner_and_applies_dockerignore(tmp_path):
    ctx = write_context(tmp_path, "FROM x\n", {"keep.txt": "k", "skip.log": "s", "sub/in.txt": "i",
                                                 ".dockerignore": "*.log\nDockerfile\n.dockerignore\n"})
    if os.geteuid() == 0:
        os.chown(ctx / "keep.txt", 4321, 4321)
    assert (ctx / "keep.txt").stat().st_uid != 0  # an owner the tar must not carry
    with classic_context_tar(ctx, "Dockerfile") as fh, tarfile.open(fileobj=fh) as tar:
        members = {m.name: m for m in tar.getmembers()}
    # Dockerfile and .dockerignore are always sent (the daemon drops them itself).
    assert set(members) == {"Dockerfile", ".dockerignore", "keep.txt", "sub", "sub/in.txt"}
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == "" for m in members.values())


def test_engine_dying_mid_build_is_a_clear_error(tmp_path):
    """A stand-in daemon on a unix socket answers the handshake, starts a classic build
    stream, then drops the connection, as a dying dockerd does."""
    import http.server
    import socketserver
    import threading

    class DyingDaemon(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _json(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.endswith("/_ping"):
                self._json(b"OK")
            else:
                self._json(b'{"ApiVersion": "1.45", "Version": "26.1.5"}')

        def do_HEAD(self):
            self.do_GET()

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            elif self.headers.get("Transfer-Encoding") == "chunked":
                while True:
                    size = int(self.rfile.readline().strip() or b"0", 16)
                    self.rfile.read(size + 2)
                    if size == 0:
                        break
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b'{"stream":"Step 1/2 : FROM dlint-base:1"}\r\n'
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)  # gone, mid-stream

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

        def get_request(self):
            request, _ = super().get_request()
            return request, ("local", 0)

    sock = tmp_path / "d.sock"
    server = Server(str(sock), DyingDaemon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        engine = Engine(f"unix://{sock}")
        ctx = write_context(tmp_path / "ctx", "FROM dlint-base:1\nRUN echo hi\n")
        with pytest.raises(EngineError) as info:
            engine.build("classic", ctx)
        assert "\n" not in str(info.value)
        assert "engine" in str(info.value).lower()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("builder", BUILDERS)
def test_heredoc_body_edit(fresh_engine, tmp_path, builder):
    # E22: BuildKit keys the heredoc body; classic drops it (runs `sh -c <<EOF`) and hits.
    dockerfile = "FROM dlint-base:1\nRUN <<EOF\necho one\nEOF\nRUN echo after\n"
    ctx = write_context(tmp_path / "ctx", dockerfile)
    fresh_engine.build(builder, ctx)
    (ctx / "Dockerfile").write_text(dockerfile.replace("echo one", "echo two"))
    after = fresh_engine.build(builder, ctx)
    if builder == "buildkit":
        assert cached_by_line(after.steps) == {1: None, 2: False, 5: False}
    else:
        assert cached_by_line(after.steps) == {1: None, 2: True, 5: True}
