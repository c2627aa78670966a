"""Talk to a real Docker engine: build a Dockerfile and observe which steps came from the cache.

Two builders, as in reference/buildkit-cache.md §6:

- BuildKit: ``docker buildx build --progress=rawjson`` in a subprocess; its stderr is a stream
  of multi-line JSON ``SolveStatus`` objects whose vertices carry ``cached``. Vertex names
  look like ``[build 3/5] COPY . /app``: ``i/n`` counts the vertex-producing instructions of
  the stage (FROM of an image, RUN, COPY, ADD, WORKDIR), and the text shows *expanded*
  ARG/ENV values, so vertices are mapped to instructions by stage and index, not by text.
- Classic: the Engine API through the docker SDK (``APIClient.build``) with a context tar made
  here the way the docker CLI makes it (ownership 0:0, .dockerignore applied client-side);
  each ``Step N/M`` is followed by `` ---> Using cache`` on a hit.

Every build runs with ``--network=none`` and carries the label ``dlint.verify=<run id>`` so
that the images dlint made, and only those, can be removed afterwards.

The docker SDK is imported lazily (startup time).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

LABEL = "dlint.verify"
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
from dlint.cache import BUILDERS, BUILDKIT_BUILDERS  # noqa: F401  (re-exported)

# Instructions that become an LLB vertex in BuildKit (WORKDIR only when the path is not "/";
# FROM only for an image, not for scratch or another stage).
_BUILDKIT_VERTEX_KEYWORDS = frozenset({"FROM", "RUN", "COPY", "ADD", "WORKDIR"})
_VERTEX_NAME = re.compile(r"^\[(?:(?P<prefix>[^\]]*?)\s+)?\s*(?P<index>\d+)/(?P<total>\d+)\]\s(?P<text>.*)$", re.S)
_LINK_PREFIX = "LINK "
_CLASSIC_STEP = re.compile(r"^Step (?P<index>\d+)/(?P<total>\d+) : (?P<text>.*)$", re.S)
_CLASSIC_IMAGE = re.compile(r"^ ---> (?P<id>[0-9a-f]{12,64})\s*$")


class EngineError(Exception):
    """A one-line, user-facing problem with the Docker engine or a build."""


class EngineUnavailable(EngineError):
    """No Docker engine answers (or the docker CLI / buildx plugin is missing)."""


class BuildFailed(EngineError):
    """The build itself failed; ``observation`` holds what was seen until then."""

    def __init__(self, message: str, observation: "BuildObservation"):
        super().__init__(message)
        self.observation = observation


@dataclass(frozen=True)
class ObservedStep:
    stage: str | None   # stage name as written, "stage-N" when unnamed, None before the first FROM
    line: int           # start line of the instruction in the Dockerfile
    instruction: str    # keyword, upper case: "RUN"
    cached: bool | None  # None: the instruction makes no step under this builder, or FROM (neutral)
    seconds: float | None = None  # how long the step took (None: unknown)


@dataclass
class BuildObservation:
    builder: str
    steps: list[ObservedStep] = field(default_factory=list)
    ok: bool = True
    error: str | None = None
    image_id: str | None = None
    # Every image the build made or reused (classic: intermediate images too), for clean-up.
    image_ids: list[str] = field(default_factory=list)
    # BuildKit: merged vertices (digest -> dict); classic: the stream text. For diagnostics.
    vertices: dict[str, dict] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def step_at(self, line: int) -> ObservedStep | None:
        return next((s for s in self.steps if s.line == line), None)


@dataclass(frozen=True)
class BuildProgress:
    """One progress event, for a live display."""

    builder: str
    name: str     # BuildKit vertex name, or "Step N/M : TEXT" (classic), or "" for log text
    state: str    # "started" | "cached" | "done" | "error" | "log"
    text: str = ""


ProgressCallback = Callable[[BuildProgress], None]


def _start_hint() -> str:
    return ("start Docker, or point DOCKER_HOST at a running engine "
            "(e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock or tcp://host:2375)")


# --------------------------------------------------------------------------------------
# Dockerfile structure needed to map build output to instructions


@dataclass
class _Stage:
    index: int
    name: str | None          # as written after AS
    base: str                 # the FROM image word
    instructions: list[Any]   # FROM first

    @property
    def display(self) -> str:
        return self.name if self.name else f"stage-{self.index}"


def _instructions(dockerfile_text: str) -> list[Any]:
    from dlint.syntax import parse

    return list(parse(dockerfile_text).instructions)


def _split_stages(instructions: list[Any]) -> tuple[list[Any], list[_Stage]]:
    globals_: list[Any] = []
    stages: list[_Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            value = list(ins.value)
            name = value[2] if len(value) >= 3 and value[1].upper() == "AS" else None
            stages.append(_Stage(len(stages), name, value[0] if value else "", [ins]))
        elif stages:
            stages[-1].instructions.append(ins)
        else:
            globals_.append(ins)
    return globals_, stages


def _stage_ref(stages: list[_Stage], ref: str, before: int) -> int | None:
    """The index of the stage `ref` names (a name or a number), among stages before `before`."""
    if ref.isdigit():
        i = int(ref)
        return i if i < before else None
    for st in stages[:before]:
        if st.name and st.name.lower() == ref.lower():
            return st.index
    return None


def _needed_stages(stages: list[_Stage], target: str | None) -> set[int]:
    """Stages BuildKit builds for `target`: the target and what it depends on (literal refs)."""
    if not stages:
        return set()
    last = len(stages) - 1
    if target:
        last = next((s.index for s in stages if s.name and s.name.lower() == target.lower()), last)
    needed: set[int] = set()
    todo = [last]
    while todo:
        i = todo.pop()
        if i in needed:
            continue
        needed.add(i)
        st = stages[i]
        refs = [st.base]
        for ins in st.instructions[1:]:
            for flag in getattr(ins, "flags", []):
                if flag.name == "from" and flag.value:
                    refs.append(flag.value)
                elif flag.name == "mount" and flag.value:
                    for part in flag.value.split(","):
                        key, _, val = part.partition("=")
                        if key.strip().lower() == "from" and val:
                            refs.append(val.strip())
        for ref in refs:
            j = _stage_ref(stages, ref, i)
            if j is not None:
                todo.append(j)
    return needed


def _is_root_workdir(ins: Any) -> bool:
    value = " ".join(ins.value).strip().strip("\"'")
    return value == "/"


# --------------------------------------------------------------------------------------
# BuildKit: rawjson progress stream -> vertices -> steps


class _JsonStream:
    """Incremental decoder for a stream of concatenated (pretty-printed) JSON objects,
    with stray non-JSON text lines (buildx prints the final error as text)."""

    def __init__(self) -> None:
        self._buf = ""
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes, final: bool = False) -> Iterable[dict | str]:
        self._buf += self._utf8.decode(data, final)
        while True:
            stripped = self._buf.lstrip()
            if not stripped:
                self._buf = ""
                return
            self._buf = stripped
            if stripped[0] == "{":
                try:
                    obj, end = self._decoder.raw_decode(stripped)
                except json.JSONDecodeError:
                    if not final:
                        return  # an object still arriving
                    obj, end = None, len(stripped)
                    yield stripped
                self._buf = stripped[end:]
                if isinstance(obj, dict):
                    yield obj
                continue
            line, nl, rest = stripped.partition("\n")
            if not nl and not final:
                return
            self._buf = rest
            yield line


def _merge_vertex(vertices: dict[str, dict], update: dict) -> dict:
    merged = vertices.setdefault(update.get("digest", ""), {})
    for key, value in update.items():
        if value is not None:
            merged[key] = value
    return merged


def _buildkit_steps(stages: list[_Stage], global_args: list[Any], target: str | None,
                    vertices: dict[str, dict]) -> list[ObservedStep]:
    """Map BuildKit vertices to Dockerfile instructions by stage and index."""
    by_stage: dict[int, list[tuple[int, str, list[dict]]]] = {}
    grouped: dict[tuple[int, int], tuple[str, list[dict]]] = {}
    for vertex in vertices.values():
        m = _VERTEX_NAME.match(vertex.get("name", ""))
        if not m:
            continue  # [internal] ..., exporting to image
        prefix = (m.group("prefix") or "").split()
        stage_idx: int | None = None
        if prefix:
            stage_name = prefix[-1]  # a platform may come first
            stage_idx = next((s.index for s in stages if s.display.lower() == stage_name.lower()), None)
        elif len(stages) == 1:
            stage_idx = 0  # BuildKit omits the stage in single-stage Dockerfiles
        if stage_idx is None:
            continue
        key = (stage_idx, int(m.group("index")))
        text = m.group("text")
        if text.startswith(_LINK_PREFIX):
            # COPY/ADD --link where BuildKit has MergeOp (containerd image store,
            # docker-container builder): the copy onto scratch, then "LINK <same text>", the
            # merge of that layer onto the chain. The copy is the step's own cache lookup.
            vertex = dict(vertex, dlint_link_merge=True)
            text = text[len(_LINK_PREFIX):]
        _, group = grouped.setdefault(key, (text, []))
        group.append(vertex)  # ADD <url>: two vertices with one name
    for (stage_idx, index), (text, group) in grouped.items():
        by_stage.setdefault(stage_idx, []).append((index, text, group))

    included = _needed_stages(stages, target) | set(by_stage)
    steps = [ObservedStep(None, ins.start_line, ins.keyword, None) for ins in global_args]
    for st in stages:
        if st.index not in included:
            continue
        observed = sorted(by_stage.get(st.index, []), key=lambda t: t[0])
        cached_of: dict[int, bool | None] = {}  # id(instruction) -> cached
        seconds_of: dict[int, float | None] = {}
        candidates = [ins for ins in st.instructions if ins.keyword in _BUILDKIT_VERTEX_KEYWORDS]
        if not observed or not observed[0][1].upper().startswith("FROM"):
            candidates = candidates[1:]  # FROM scratch / FROM <stage>: no vertex
        pos = 0
        for _index, text, group in observed:
            keyword = text.split(None, 1)[0].upper() if text.strip() else ""
            while pos < len(candidates):
                cand = candidates[pos]
                skip = cand.keyword != keyword or (
                    cand.keyword == "WORKDIR" and _is_root_workdir(cand) and text.split(None, 1)[-1].strip() != "/")
                if not skip:
                    break
                pos += 1  # e.g. WORKDIR / makes no vertex
            if pos >= len(candidates):
                break
            cand = candidates[pos]
            pos += 1
            if cand.keyword == "FROM":
                cached_of[id(cand)] = None  # neutral: CACHED or DONE depending on history
                continue
            # The vertex that consumes the others (ADD <url>: the copy, not the download;
            # --link: the copy, not the merge that stacks it on the layers below).
            own = [v for v in group if not v.get("dlint_link_merge")] or group
            finals = [v for v in own if v.get("inputs")] or own
            cached_of[id(cand)] = all(bool(v.get("cached")) for v in finals)
            seconds_of[id(cand)] = _vertex_seconds(group)
        for ins in st.instructions:
            steps.append(ObservedStep(st.display, ins.start_line, ins.keyword, cached_of.get(id(ins)),
                                      seconds_of.get(id(ins))))
    return steps


def parse_time(text: object) -> float | None:
    """Seconds since the epoch of an RFC 3339 time as BuildKit writes it (nanoseconds)."""
    from datetime import datetime

    if not isinstance(text, str) or not text:
        return None
    main, dot, rest = text.partition(".")
    zone = ""
    if not dot and main[-1:] in ("Z", "z"):
        main = main[:-1]
    elif not dot and len(main) > 19:
        main, zone = main[:19], main[19:]
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        main = f"{main}.{digits[:6].ljust(6, '0')}"
    zone = "+00:00" if zone in ("Z", "z", "") else zone
    try:
        return datetime.fromisoformat(main + zone).timestamp()
    except ValueError:
        return None


def _vertex_seconds(group: list[dict]) -> float | None:
    """The work of a step's vertices, each from its start to its end, summed: a linked
    copy's merge waits for the steps below it, and that wait is not the copy's cost."""
    spans = [(parse_time(v.get("started")), parse_time(v.get("completed"))) for v in group]
    spans = [(start, end) for start, end in spans if start is not None and end is not None]
    if not spans:
        return None
    return sum(max(0.0, end - start) for start, end in spans)


# --------------------------------------------------------------------------------------
# Classic: context tar like the docker CLI's


def _dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def classic_context_tar(context: Path, dockerfile: str, replace: dict[str, bytes] | None = None) -> io.BufferedRandom:
    """The build context as the docker CLI sends it to the classic builder: .dockerignore
    applied (the Dockerfile and .dockerignore always sent: the daemon drops them itself),
    owner 0:0 with empty user/group names, GNU tar. `replace`: other bytes for some files
    (relative posix paths), with the file's own mode."""
    from docker.utils.build import exclude_paths

    patterns = _dockerignore_patterns(context) + ["!.dockerignore"]
    paths = sorted(exclude_paths(str(context), patterns, dockerfile=dockerfile))
    fileobj = tempfile.TemporaryFile()
    with tarfile.open(fileobj=fileobj, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for rel in paths:
            full = os.path.join(context, rel)
            try:
                info = tar.gettarinfo(full, arcname=rel)
            except OSError as exc:
                raise EngineError(f"cannot read {full}: {exc.strerror}") from None
            if info is None:  # socket
                continue
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = int(info.mtime)
            if info.isfile() and replace and rel.replace(os.sep, "/") in replace:
                data = replace[rel.replace(os.sep, "/")]
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            elif info.isfile():
                with open(full, "rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    fileobj.seek(0)
    return fileobj


# --------------------------------------------------------------------------------------


class Engine:
    """A Docker engine reached through DOCKER_HOST (or the current docker context, or the
    default socket). Nothing connects until first use."""

    def __init__(self, docker_host: str | None = None, docker_config: str | None = None,
                 docker_cli: str | None = None):
        self.docker_host = docker_host or os.environ.get("DOCKER_HOST") or _context_host() or DEFAULT_DOCKER_HOST
        self.docker_config = docker_config or os.environ.get("DOCKER_CONFIG")
        self.docker_cli = docker_cli
        self._api: Any = None
        self._made_images: set[str] = set()

    # -- connection ------------------------------------------------------------------

    @property
    def api(self) -> Any:
        if self._api is None:
            import docker
            from docker.errors import DockerException

            kwargs: dict[str, Any] = {}
            if self.docker_host == os.environ.get("DOCKER_HOST"):
                try:  # TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) come with it
                    kwargs = docker.utils.kwargs_from_env()
                except DockerException:
                    kwargs = {}
            kwargs["base_url"] = self.docker_host
            try:
                api = docker.APIClient(version="auto", timeout=600, **kwargs)
                api.ping()
            except Exception as exc:  # requests/urllib3/docker errors: all mean "no engine"
                raise EngineUnavailable(
                    f"no Docker engine answers at {self.docker_host} ({_short(exc)}): {_start_hint()}") from None
            self._api = api
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answers(self) -> bool:
        try:
            return bool(self._api is not None and self._api.ping())
        except Exception:  # any failure to ping means the engine is gone
            return False

    def engine_version(self) -> str:
        return str(self._call(lambda: self.api.version().get("Version", "")))

    def _call(self, fn: Callable[[], Any]) -> Any:
        from docker.errors import APIError, DockerException
        import requests
        import urllib3

        try:
            return fn()
        except EngineError:
            raise
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                urllib3.exceptions.HTTPError, ConnectionError) as exc:  # the stream broke mid-build
            raise EngineUnavailable(f"lost the Docker engine at {self.docker_host} ({_short(exc)})") from None
        except (APIError, DockerException, requests.exceptions.RequestException) as exc:
            raise EngineError(f"Docker engine error: {_short(exc)}") from None

    # -- images and cache ------------------------------------------------------------

    def image_store(self) -> str:
        """"containerd" when the engine keeps images in containerd's snapshotters (the
        containerd image store: its BuildKit has MergeOp, so COPY --link is linked, as on
        --builder buildkit-container), else "graphdriver" (overlay2 & co.: no MergeOp)."""
        info = self._call(lambda: self.api.info()) or {}
        status = json.dumps(info.get("DriverStatus") or [])
        return "containerd" if "io.containerd.snapshotter" in status else "graphdriver"

    def inspect_image(self, ref: str) -> dict | None:
        from docker.errors import ImageNotFound

        def inspect() -> dict | None:
            try:
                return self.api.inspect_image(ref)
            except ImageNotFound:
                return None

        return self._call(inspect)

    def images_made(self, run_id: str | None = None) -> list[str]:
        """IDs of the images labelled by dlint builds (of one run, or of any run)."""
        label = f"{LABEL}={run_id}" if run_id else LABEL
        return list(self._call(lambda: self.api.images(filters={"label": label}, quiet=True)))

    def remove_images(self, run_id: str | None = None) -> list[str]:
        """Remove the images dlint builds labelled (with this run id, or any) and the
        intermediate images this Engine's classic builds left; never anything else."""
        removed = []
        for image in self.images_made(run_id):
            if self._remove(image):
                removed.append(image)
        # Untagged leftovers of this session's classic builds (other stages, failed builds).
        for image in sorted(self._made_images):
            if self._remove(image):
                removed.append(image)
        return removed

    def _remove(self, image: str) -> bool:
        from docker.errors import APIError

        def remove() -> bool:
            try:
                info = self.api.inspect_image(image)
                if info.get("RepoTags"):
                    return False  # someone tagged it: not ours to delete
                self.api.remove_image(image, force=False, noprune=False)
                self._made_images.discard(image)
                return True
            except APIError:  # gone already, or a parent of another image
                self._made_images.discard(image)
                return False

        return self._call(remove)

    def prune_build_cache(self, dangling_images: bool = False) -> None:
        """Empty both caches: BuildKit's cache store, and the classic builder's cache (the
        intermediate images of dlint's builds). `dangling_images` also removes every
        untagged leaf image: only for a private engine (tests)."""
        self.remove_images(None)
        if dangling_images:
            self._call(lambda: self.api.prune_images(filters={"dangling": True}))
        self._call(lambda: self.api.prune_builds(all=True))

    # -- isolation (dlint.cache.isolate) -------------------------------------------------

    def ensure_image(self, name: str) -> dict:
        """`docker image inspect` of a base image, pulled when the engine lacks it."""
        info = self.inspect_image(name)
        if info is None:
            try:
                self._call(lambda: self.api.pull(name))
            except EngineError as exc:
                raise EngineError(f"base image {name} is not on the engine and cannot be pulled: {exc}") from None
            info = self.inspect_image(name)
            if info is None:
                raise EngineError(f"base image {name} is not on the engine and cannot be pulled")
        return info

    # How derive_image makes a base copy: "load" (a whiteout layer, docker load without the
    # base's layers), falling back to "build" when the engine refuses that load.
    derive_mode = "load"

    def derive_image(self, base: str | None, tag: str, run_id: str) -> str:
        """Make the run-specific copy of `base` (None: scratch) as `tag` (dlint.cache.isolate
        explains it); returns its ID."""
        info = self.ensure_image(base) if base is not None else None
        if self.derive_mode == "load":
            try:
                return self._derive_by_load(info, base, tag, run_id)
            except EngineError:
                self.derive_mode = "build"  # e.g. the containerd image store wants every layer
        return self._derive_by_build(base, tag, run_id)

    def _derive_by_load(self, info: dict | None, base: str | None, tag: str, run_id: str) -> str:
        from dlint.cache.isolate import derived_image_tar

        platform = None
        if info is None:
            version = self._call(lambda: self.api.version())
            platform = {"os": version.get("Os", "linux"), "architecture": version.get("Arch", "amd64")}
        data = derived_image_tar(info, run_id, tag, platform)

        def load() -> None:
            for event in self.api.load_image(data) or ():
                if isinstance(event, dict) and (event.get("error") or event.get("errorDetail")):
                    raise EngineError(f"cannot make the run's copy of {base or 'scratch'}: "
                                      f"{event.get('error') or event.get('errorDetail')}")

        self._call(load)
        made = self.inspect_image(tag)
        if made is None:
            raise EngineError(f"cannot make the run's copy of {base or 'scratch'} (docker load made no {tag})")
        return made["Id"]

    def _derive_by_build(self, base: str | None, tag: str, run_id: str) -> str:
        """The fallback: a classic build of the base plus one empty file
        /.dlint-verify-<run id> (a new layer chain; the only difference in the files)."""
        marker = f".dlint-verify-{run_id}"
        dockerfile = (f"FROM {base or 'scratch'}\nCOPY {marker} /{marker}\nLABEL dlint.verify={run_id}\n").encode()
        fileobj = io.BytesIO()
        with tarfile.open(fileobj=fileobj, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name, data in (("Dockerfile", dockerfile), (marker, b"")):
                member = tarfile.TarInfo(name)
                member.size, member.mode = len(data), 0o644
                tar.addfile(member, io.BytesIO(data))
        fileobj.seek(0)

        def build() -> None:
            for event in self.api.build(fileobj=fileobj, custom_context=True, tag=tag, decode=True, rm=True,
                                        forcerm=True, network_mode="none"):
                if "error" in event or "errorDetail" in event:
                    raise EngineError(f"cannot make the run's copy of {base or 'scratch'}: "
                                      f"{(event.get('errorDetail') or {}).get('message') or event.get('error')}")

        self._call(build)
        made = self.inspect_image(tag)
        if made is None:
            raise EngineError(f"cannot make the run's copy of {base or 'scratch'}")
        return made["Id"]

    # -- one verify run at a time per engine ----------------------------------------------

    LOCK_CONTAINER = "dlint-verify-lock"
    LOCK_IMAGE = "dlint-verify/lock:1"
    LOCK_STALE_SECONDS = 6 * 3600

    def acquire_lock(self, run_id: str, waiting: Callable[[str], None] | None = None,
                     timeout: float = 3600.0) -> None:
        """Hold the engine-wide verify lock: a container named dlint-verify-lock (created,
        never started; a name is unique on an engine, so creating it is atomic for every
        client of the engine, other hosts and containers included). Two verify runs must
        not overlap: each removes the cache records created while it ran, which would take
        the other's. A lock whose owner died on this host, or older than 6 h, is taken over."""
        from docker.errors import APIError, NotFound

        from dlint.cache.isolate import derived_image_tar

        deadline = time.monotonic() + timeout
        told = False
        while True:
            labels = {"dlint.verify.lock": run_id, "dlint.verify.pid": str(os.getpid()),
                      "dlint.verify.host": os.uname().nodename, "dlint.verify.started": str(int(time.time()))}
            try:
                self._call(lambda: self.api.create_container(self.LOCK_IMAGE, command=["true"],
                                                             name=self.LOCK_CONTAINER, labels=labels,
                                                             network_disabled=True))
                return
            except EngineError as exc:
                text = str(exc)
            if "No such image" in text or "not found" in text.lower() and "image" in text.lower():
                version = self._call(lambda: self.api.version())
                data = derived_image_tar(None, "lock", self.LOCK_IMAGE,
                                         {"os": version.get("Os", "linux"), "architecture": version.get("Arch", "amd64")})
                self._call(lambda: list(self.api.load_image(data) or ()))
                continue
            if "Conflict" not in text and "already in use" not in text:
                raise EngineError(f"cannot take the verify lock on the engine: {text}")
            try:
                holder = self._call(lambda: self.api.inspect_container(self.LOCK_CONTAINER))
            except EngineError:
                continue  # released meanwhile
            held = (holder.get("Config") or {}).get("Labels") or {}
            if _lock_is_stale(held, self.LOCK_STALE_SECONDS):
                try:
                    self.api.remove_container(self.LOCK_CONTAINER, force=True)
                except (APIError, NotFound):
                    pass
                continue
            if time.monotonic() > deadline:
                raise EngineError(f"another `dlint cache verify` (run {held.get('dlint.verify.lock', '?')} on "
                                  f"{held.get('dlint.verify.host', '?')}) holds the engine; gave up after "
                                  f"{timeout:.0f} s")
            if waiting and not told:
                waiting(f"waiting for another dlint cache verify on this engine "
                        f"(run {held.get('dlint.verify.lock', '?')} on {held.get('dlint.verify.host', '?')})")
                told = True
            time.sleep(0.5)

    def remove_stale_lock(self) -> bool:
        """Remove the lock of a dead run (and the lock image); True when there was one."""
        from docker.errors import APIError

        def remove() -> bool:
            try:
                holder = self.api.inspect_container(self.LOCK_CONTAINER)
            except APIError:
                return False
            labels = (holder.get("Config") or {}).get("Labels") or {}
            if not _lock_is_stale(labels, self.LOCK_STALE_SECONDS):
                return False
            self.release_lock(labels.get("dlint.verify.lock", ""))
            return True

        return self._call(remove)

    def release_lock(self, run_id: str) -> None:
        """Remove the lock container if this run holds it, then the lock image unless
        another run's lock uses it."""
        from docker.errors import APIError

        def release() -> None:
            try:
                holder = self.api.inspect_container(self.LOCK_CONTAINER)
            except APIError:
                holder = None
            if holder and ((holder.get("Config") or {}).get("Labels") or {}).get("dlint.verify.lock") == run_id:
                try:
                    self.api.remove_container(self.LOCK_CONTAINER, force=True)
                except APIError:
                    pass
            try:
                self.api.remove_image(self.LOCK_IMAGE, force=False, noprune=False)
            except APIError:
                pass  # in use by another run's lock, or gone

        self._call(release)

    def remove_tag(self, tag: str) -> bool:
        """Remove a derived image by its tag (its untagged parents go with it)."""
        from docker.errors import APIError

        def remove() -> bool:
            try:
                self.api.remove_image(tag, force=False, noprune=False)
                return True
            except APIError:
                return False

        return self._call(remove)

    def cache_records(self) -> dict[str, dict]:
        """BuildKit's cache records (ID -> record of /system/df)."""
        def df() -> dict:
            api = self.api
            return api._result(api._get(api._url("/system/df"), params={"type": "build-cache"}), True)

        return {r["ID"]: r for r in (self._call(df).get("BuildCache") or []) if r.get("ID")}

    def remove_cache_record(self, record_id: str) -> bool:
        """Prune exactly one BuildKit cache record (an anchored `id` filter; `all`, or
        records shared with an image are kept)."""
        import re as _re

        result = self._call(lambda: self.api.prune_builds(filters={"id": f"^{_re.escape(record_id)}$"}, all=True))
        return record_id in ((result or {}).get("CachesDeleted") or [])

    # -- builds ----------------------------------------------------------------------

    def build(self, builder: str, context: str | os.PathLike, dockerfile: str = "Dockerfile", *,
              target: str | None = None, build_args: dict[str, str] | None = None,
              run_id: str | None = None, progress: ProgressCallback | None = None,
              dockerfile_text: str | None = None) -> BuildObservation:
        """Build and observe. `dockerfile_text`: build this text instead of the Dockerfile's
        (the context keeps its own file: `cache verify`'s rewritten FROM lines)."""
        if builder in BUILDKIT_BUILDERS:  # which BuildKit is the engine's (image_store tells)
            return self.build_buildkit(context, dockerfile, target=target, build_args=build_args,
                                       run_id=run_id, progress=progress, dockerfile_text=dockerfile_text)
        if builder == "classic":
            return self.build_classic(context, dockerfile, target=target, build_args=build_args,
                                      run_id=run_id, progress=progress, dockerfile_text=dockerfile_text)
        raise ValueError(f"unknown builder {builder!r} (expected one of {', '.join(BUILDERS)})")

    def _read_dockerfile(self, context: Path, dockerfile: str) -> tuple[Path, str]:
        path = Path(dockerfile) if os.path.isabs(dockerfile) else context / dockerfile
        try:
            return path, path.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            raise EngineError(f"cannot read {path}: {exc.strerror}") from None

    def _cli_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DOCKER_HOST"] = self.docker_host
        if self.docker_config:
            env["DOCKER_CONFIG"] = self.docker_config
        env.pop("BUILDKIT_PROGRESS", None)
        return env

    def build_buildkit(self, context: str | os.PathLike, dockerfile: str = "Dockerfile", *,
                       target: str | None = None, build_args: dict[str, str] | None = None,
                       run_id: str | None = None, progress: ProgressCallback | None = None,
                       dockerfile_text: str | None = None) -> BuildObservation:
        context = Path(context)
        df_path, text = self._read_dockerfile(context, dockerfile)
        if dockerfile_text is not None:
            text = dockerfile_text
        global_args, stages = _split_stages(_instructions(text))
        self.api  # fail early, with the clear message, when no engine answers
        cli = self.docker_cli or shutil.which("docker")
        if not cli:
            raise EngineUnavailable("the docker command is not installed (BuildKit builds run `docker buildx build`)")
        obs = BuildObservation("buildkit")
        with tempfile.TemporaryDirectory(prefix="dlint-build-") as tmp:
            iidfile = os.path.join(tmp, "iid")
            if dockerfile_text is not None:
                # Outside the context, under the same name, with the <name>.dockerignore
                # that buildx would have read beside the original (else the context's).
                original = df_path
                df_path = Path(tmp) / "rewritten" / original.name
                df_path.parent.mkdir()
                df_path.write_text(dockerfile_text, encoding="utf-8")
                own_ignore = original.with_name(original.name + ".dockerignore")
                if own_ignore.is_file():
                    shutil.copyfile(own_ignore, df_path.with_name(own_ignore.name))
            cmd = [cli, "buildx", "build", "--progress=rawjson", "--network=none",
                   "--iidfile", iidfile, "--label", f"{LABEL}={run_id or 'dlint'}", "-f", str(df_path)]
            if target:
                cmd += ["--target", target]
            for key, value in (build_args or {}).items():
                cmd += ["--build-arg", f"{key}={value}"]
            cmd.append(str(context))
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env=self._cli_env())
            except OSError as exc:
                raise EngineUnavailable(f"cannot run {cli}: {exc.strerror}") from None
            stream = _JsonStream()
            assert proc.stderr is not None
            while True:
                chunk = proc.stderr.read1(65536)
                for item in stream.feed(chunk, final=not chunk):
                    self._on_buildkit_item(obs, item, progress)
                if not chunk:
                    break
            rc = proc.wait()
            if os.path.exists(iidfile):
                obs.image_id = Path(iidfile).read_text().strip() or None
        if obs.image_id:
            obs.image_ids.append(obs.image_id)
        obs.steps = _buildkit_steps(stages, global_args, target, obs.vertices)
        if rc != 0:
            obs.ok = False
            obs.error = _buildkit_error(obs)
            if not self._answers():
                raise EngineUnavailable(f"lost the Docker engine at {self.docker_host} during the build: "
                                        f"{obs.error}")
            if any("is not a docker command" in ln or "unknown flag: --progress" in ln for ln in obs.log):
                raise EngineUnavailable("the docker buildx plugin is missing or too old (needs buildx >= 0.13)")
            raise BuildFailed(f"BuildKit build failed: {obs.error}", obs)
        return obs

    def _on_buildkit_item(self, obs: BuildObservation, item: dict | str,
                          progress: ProgressCallback | None) -> None:
        if isinstance(item, str):
            obs.log.append(item)
            if progress:
                progress(BuildProgress("buildkit", "", "log", item))
            return
        for update in item.get("vertexes") or []:
            vertex = _merge_vertex(obs.vertices, update)
            if progress:
                state = ("error" if vertex.get("error") else "cached" if vertex.get("cached")
                         else "done" if vertex.get("completed") else "started")
                progress(BuildProgress("buildkit", vertex.get("name", ""), state, vertex.get("error", "")))
        if progress:
            for entry in item.get("logs") or []:
                try:
                    import base64
                    text = base64.b64decode(entry.get("data", "")).decode("utf-8", "replace")
                except ValueError:
                    continue
                name = obs.vertices.get(entry.get("vertex", ""), {}).get("name", "")
                progress(BuildProgress("buildkit", name, "log", text))

    def build_classic(self, context: str | os.PathLike, dockerfile: str = "Dockerfile", *,
                      target: str | None = None, build_args: dict[str, str] | None = None,
                      run_id: str | None = None, progress: ProgressCallback | None = None,
                      dockerfile_text: str | None = None) -> BuildObservation:
        context = Path(context).resolve()
        df_path, text = self._read_dockerfile(context, dockerfile)
        if dockerfile_text is not None:
            text = dockerfile_text
        try:
            rel_dockerfile = df_path.resolve().relative_to(context).as_posix()
        except ValueError:
            raise EngineError(f"the Dockerfile {df_path} must be inside the build context {context}") from None
        instructions = _instructions(text)
        global_args, stages = _split_stages(instructions)
        first_from_line = stages[0].instructions[0].start_line if stages else None
        # Classic processes every stage up to the target (E16c), in order; the steps after
        # those instructions are its own LABEL step for the build labels.
        last = len(stages) - 1
        if target:
            last = next((st.index for st in stages if st.name and st.name.lower() == target.lower()), last)
        instructions = global_args + [ins for st in stages[:last + 1] for ins in st.instructions]
        stage_of = {id(ins): st.display for st in stages for ins in st.instructions}
        obs = BuildObservation("classic")
        current: dict[str, Any] | None = None  # {"instruction", "cached"}
        step_name = ""
        seen: list[tuple[Any, bool | None]] = []

        def close_step() -> None:
            if current is not None:
                seen.append((current["instruction"], current["cached"], time.monotonic() - current["t0"]))

        api = self.api
        tar = classic_context_tar(context, rel_dockerfile,
                                  replace={rel_dockerfile: text.encode("utf-8")} if dockerfile_text is not None else None)
        try:
            events = self._call(lambda: api.build(
                fileobj=tar, custom_context=True, dockerfile=rel_dockerfile, decode=True, rm=True,
                forcerm=True, network_mode="none", labels={LABEL: run_id or "dlint"},
                target=target, buildargs=dict(build_args or {})))
            for event in _guarded(self, events):
                if "error" in event or "errorDetail" in event:
                    detail = event.get("errorDetail") or {}
                    obs.ok = False
                    obs.error = str(detail.get("message") or event.get("error") or "build failed").strip()
                    continue
                aux = event.get("aux")
                if isinstance(aux, dict) and aux.get("ID"):
                    obs.image_id = aux["ID"]
                    self._note_image(obs, aux["ID"])
                chunk = event.get("stream")
                if not isinstance(chunk, str):
                    continue
                obs.log.append(chunk)
                m = _CLASSIC_STEP.match(chunk)
                if m:
                    close_step()
                    n = int(m.group("index")) - 1
                    # Steps past the Dockerfile's instructions: the builder's own LABEL step.
                    ins = instructions[n] if n < len(instructions) else None
                    current = {"instruction": ins, "cached": None if ins is None or ins.keyword == "FROM"
                               or (first_from_line is not None and ins.start_line < first_from_line) else False,
                               "t0": time.monotonic()}
                    step_name = chunk.strip()
                    if progress:
                        progress(BuildProgress("classic", step_name, "started"))
                    continue
                if chunk.startswith(" ---> Using cache") and current is not None and current["cached"] is False:
                    current["cached"] = True
                    if progress:
                        progress(BuildProgress("classic", step_name, "cached"))
                    continue
                im = _CLASSIC_IMAGE.match(chunk)
                if im:
                    self._note_image(obs, im.group("id"))
                    if progress:
                        progress(BuildProgress("classic", step_name, "done", im.group("id")))
                    continue
                if progress and chunk.strip() and not chunk.startswith(" ---> "):
                    progress(BuildProgress("classic", step_name, "log", chunk))
            close_step()
        finally:
            tar.close()
        observed = {id(ins): (cached, took) for ins, cached, took in seen if ins is not None}
        for ins in instructions:
            if id(ins) in observed:
                cached, took = observed[id(ins)]
                obs.steps.append(ObservedStep(stage_of.get(id(ins)), ins.start_line, ins.keyword, cached, took))
        if not obs.ok:
            raise BuildFailed(f"classic build failed: {obs.error}", obs)
        return obs

    def _note_image(self, obs: BuildObservation, image: str) -> None:
        if image not in obs.image_ids:
            obs.image_ids.append(image)
        self._made_images.add(image)


def _lock_is_stale(labels: dict, max_age: float) -> bool:
    try:
        started = float(labels.get("dlint.verify.started", "0"))
    except ValueError:
        started = 0.0
    if time.time() - started > max_age:
        return True
    if labels.get("dlint.verify.host") != os.uname().nodename:
        return False
    try:
        pid = int(labels.get("dlint.verify.pid", "0"))
        if pid <= 0:
            return True
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def _guarded(engine: Engine, events: Iterable[dict]) -> Iterable[dict]:
    """The build event stream, with connection failures mid-build turned into EngineErrors."""
    iterator = iter(events)
    while True:
        try:
            event = engine._call(lambda: next(iterator))
        except StopIteration:
            return
        except EngineError:
            raise
        yield event


def _buildkit_error(obs: BuildObservation) -> str:
    for line in reversed(obs.log):
        if line.startswith("ERROR:"):
            return line[len("ERROR:"):].strip()
    errors = [v["error"] for v in obs.vertices.values() if v.get("error")]
    if errors:
        return errors[-1]
    tail = [ln for ln in obs.log if ln.strip()]
    return tail[-1].strip() if tail else "docker buildx build failed"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _context_host() -> str | None:
    """The host of the docker CLI's current context (Docker Desktop sets one), if any."""
    if os.environ.get("DOCKER_CONTEXT") in (None, "", "default") and not _has_docker_config_context():
        return None
    try:
        from docker.context import ContextAPI

        ctx = ContextAPI.get_current_context()
        return ctx.Host if ctx is not None and ctx.Host else None
    except Exception:  # a broken CLI config must not stop dlint: fall back to the default
        return None


def _has_docker_config_context() -> bool:
    config_dir = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    try:
        with open(os.path.join(config_dir, "config.json"), encoding="utf-8") as fh:
            current = json.load(fh).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(current) and current != "default"


def connect(docker_host: str | None = None, docker_config: str | None = None) -> Engine:
    """An Engine that answered a ping; raises EngineUnavailable otherwise."""
    engine = Engine(docker_host, docker_config)
    engine.api  # noqa: B018 - connects and pings
    return engine


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]
