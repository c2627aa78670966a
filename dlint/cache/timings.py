"""How long build steps take: the price of an edit (issue 11, part 3).

Two sources:

- a log of a real BuildKit build, ``docker buildx build --progress=rawjson ... 2> FILE``
  (``dlint cache diff --timings FILE``): the vertices' started/completed times, mapped to
  the instructions of the Dockerfile that was built (the BEFORE one: the build whose
  cache the prediction assumes) by stage and index, as `cache verify` maps them;
- the durations `cache verify` observes in its own BEFORE build, which runs every step
  (its builds are isolated from every cache), saved under
  ``${XDG_CACHE_HOME:-~/.cache}/dlint/timings/`` keyed by the Dockerfile's absolute path,
  where `cache diff`, `cache explain` and the cache-busting-copy rule find them.

A step served from the cache in the log says nothing about its cost and is left out. A
timing is matched to a step of another version of the Dockerfile by stage, keyword and
text, else by stage, keyword and position in the stage (an edited RUN keeps its old
duration as the estimate).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class TimingsError(Exception):
    """A timings file that cannot be read or holds no build: one line for the user."""


@dataclass(frozen=True)
class StepTiming:
    stage: str | None
    keyword: str
    text: str         # the instruction's logical line, whitespace normalised
    ordinal: int      # position among the stage's instructions (FROM = 0)
    seconds: float


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Timings:
    steps: list[StepTiming]
    source: str = ""          # "cache verify, 2026-12-06 22:10" / "build.json"
    cached: int = 0           # steps of the Dockerfile a build log shows served from the cache
    warning: str = ""         # one line for the user: why these timings time nothing

    def __bool__(self) -> bool:
        return bool(self.steps)

    def lookup(self, stage: str | None, keyword: str, text: str, ordinal: int) -> float | None:
        text = _norm(text)
        for t in self.steps:
            if t.stage == stage and t.keyword == keyword and t.text == text:
                return t.seconds
        for t in self.steps:
            if t.stage == stage and t.keyword == keyword and t.ordinal == ordinal:
                return t.seconds
        return None

    def merged_over(self, older: "Timings | None") -> "Timings":
        """These timings, plus older ones for steps these do not time."""
        if older is None:
            return self
        mine = {(t.stage, t.keyword, t.text) for t in self.steps}
        return Timings(self.steps + [t for t in older.steps if (t.stage, t.keyword, t.text) not in mine],
                       self.source)

    def to_json(self) -> dict:
        return {"source": self.source,
                "steps": [{"stage": t.stage, "keyword": t.keyword, "text": t.text, "ordinal": t.ordinal,
                           "seconds": round(t.seconds, 3)} for t in self.steps]}

    @classmethod
    def from_json(cls, data: Any) -> "Timings":
        steps = []
        for item in (data or {}).get("steps") or []:
            try:
                steps.append(StepTiming(item.get("stage"), str(item["keyword"]), str(item["text"]),
                                        int(item["ordinal"]), float(item["seconds"])))
            except (KeyError, TypeError, ValueError):
                continue
        return cls(steps, str((data or {}).get("source") or ""))


# --------------------------------------------------------------------------- from builds


def _stage_positions(dockerfile_text: str) -> dict[int, tuple[str | None, int, Any]]:
    """start line -> (stage label, ordinal in the stage, instruction)."""
    from dlint.cache.engine import _instructions, _split_stages

    _, stages = _split_stages(_instructions(dockerfile_text))
    out = {}
    for st in stages:
        for ordinal, ins in enumerate(st.instructions):
            out[ins.start_line] = (st.display, ordinal, ins)
    return out


def from_observed(steps: Iterable[Any], dockerfile_text: str) -> Timings:
    """Timings of the steps an engine ran (ObservedStep with seconds, not cached)."""
    positions = _stage_positions(dockerfile_text)
    out = []
    for step in steps:
        seconds = getattr(step, "seconds", None)
        if seconds is None or step.cached is not False or step.line not in positions:
            continue
        stage, ordinal, ins = positions[step.line]
        out.append(StepTiming(stage, ins.keyword, _norm(ins.original), ordinal, float(seconds)))
    return Timings(out)


def from_rawjson(data: bytes, dockerfile_text: str, target: str | None = None, source: str = "") -> Timings:
    """Timings from a `docker buildx build --progress=rawjson` log (stderr) of a build of
    the Dockerfile `dockerfile_text`."""
    from dlint.cache.engine import _buildkit_steps, _instructions, _JsonStream, _merge_vertex, _split_stages

    vertices: dict[str, dict] = {}
    objects = 0
    for item in _JsonStream().feed(data, final=True):
        if isinstance(item, dict):
            objects += 1
            updates = item.get("vertexes")
            for update in updates if isinstance(updates, list) else ():
                # A file the user names may hold anything: only string digests and names.
                if isinstance(update, dict) and isinstance(update.get("digest", ""), str) \
                        and isinstance(update.get("name", ""), str):
                    _merge_vertex(vertices, update)
    if not objects or not vertices:
        raise TimingsError("no BuildKit progress in it (write one with "
                           "`docker buildx build --progress=rawjson ... 2> FILE`)")
    global_args, stages = _split_stages(_instructions(dockerfile_text))
    observed = _buildkit_steps(stages, global_args, target, vertices)
    timings = from_observed(observed, dockerfile_text)
    timings.source = source
    timings.cached = sum(1 for step in observed if step.cached)
    if not timings and any(step.cached is False for step in observed):
        raise TimingsError("steps ran in that build but the log has no times for them (not a "
                           "`--progress=rawjson` log?)")
    return timings


def read_timings_file(path: str, dockerfile_text: str, target: str | None = None) -> Timings:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise TimingsError(f"cannot read timings file {path}: {exc.strerror}") from None
    try:
        timings = from_rawjson(data, dockerfile_text, target, source=os.path.basename(path))
    except TimingsError as exc:
        raise TimingsError(f"timings file {path}: {exc}") from None
    if not timings and not timings.cached:
        raise TimingsError(f"timings file {path}: no step of this Dockerfile is in that build "
                           "(the log of another Dockerfile or target?)")
    if not timings:
        # The log of a build that hit its cache everywhere (main's CI build, often): it
        # times nothing, which is no error; the durations are unknown.
        timings.warning = (f"timings file {path}: every step of this Dockerfile was served from the "
                           "cache in that build (fully cached), so it times nothing: durations unknown")
    return timings


# --------------------------------------------------------------------------- the store


def store_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlint" / "timings"


def dockerfile_key(snapshot: Any, dockerfile: str) -> str | None:
    """The absolute path of the Dockerfile a snapshot's build reads (a folder's file, or the
    file's place in the repository's work tree for a revision)."""
    root = getattr(snapshot, "root", None)
    if root is not None:
        return os.path.abspath(os.path.join(str(root), dockerfile))
    repo = getattr(snapshot, "repo", None)
    if repo is not None:
        return os.path.abspath(os.path.join(repo, getattr(snapshot, "prefix", "") or "", dockerfile))
    return None


def _store_file(key: str) -> Path:
    return store_dir() / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".json")


def load(key: str | None, builder: str = "buildkit") -> Timings | None:
    """What `cache verify` saved for this Dockerfile and builder, if anything."""
    if not key:
        return None
    try:
        with open(_store_file(key), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("dockerfile") != key:
        return None
    builders = data.get("builders") or {}
    timings = Timings.from_json(builders.get(builder))
    if not timings and builder in ("buildkit", "buildkit-container"):
        # The two BuildKit builders run the same steps; only their caches differ (--link).
        other = "buildkit-container" if builder == "buildkit" else "buildkit"
        timings = Timings.from_json(builders.get(other))
    return timings or None


def save(key: str | None, builder: str, timings: Timings) -> Path | None:
    """Merge `timings` into the store for this Dockerfile (newer wins); best effort."""
    if not key or not timings:
        return None
    path = _store_file(key)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("dockerfile") != key:
            data = {}
    except (OSError, ValueError):
        data = {}
    builders = data.get("builders") if isinstance(data.get("builders"), dict) else {}
    old = Timings.from_json(builders.get(builder)) if builders.get(builder) else None
    timings.source = timings.source or f"cache verify, {time.strftime('%Y-%m-%d %H:%M')}"
    builders[builder] = timings.merged_over(old).to_json()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"dockerfile": key, "builders": builders}, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return None
    return path


# --------------------------------------------------------------------------- applying


def apply(prediction: Any, document: Any, timings: Timings | None, by_position: bool = True) -> Any:
    """The prediction with `seconds` on every step whose duration is known. `by_position`
    False: match by text only (a reordered document, where positions moved)."""
    if not timings:
        return prediction
    positions = _positions_of(document)
    steps = []
    for step in prediction.steps:
        where = positions.get(step.line)
        seconds = None
        if where is not None and step.cached is not None:
            stage, ordinal, ins = where
            seconds = timings.lookup(stage, ins.keyword, ins.original, ordinal if by_position else -1)
        steps.append(replace(step, seconds=seconds) if seconds is not None else step)
    return replace(prediction, steps=steps, timings_source=timings.source)


def _positions_of(document: Any) -> dict[int, tuple[str | None, int, Any]]:
    out: dict[int, tuple[str | None, int, Any]] = {}
    stage_index, ordinal, label = -1, 0, None
    for ins in document.instructions:
        if ins.keyword == "FROM":
            stage_index += 1
            ordinal = 0
            value = list(ins.value)
            label = value[2] if len(value) >= 3 and value[1].upper() == "AS" else f"stage-{stage_index}"
        elif stage_index < 0:
            continue
        else:
            ordinal += 1
        out[ins.start_line] = (label, ordinal, ins)
    return out


def format_seconds(seconds: float) -> str:
    """~0.4s, ~12s, ~4m10s, ~1h02m."""
    if seconds < 10:
        return f"~{seconds:.1f}s"
    if seconds < 60:
        return f"~{seconds:.0f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"~{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"~{hours}h{minutes:02d}m"


__all__ = ["StepTiming", "Timings", "TimingsError", "from_observed", "from_rawjson", "read_timings_file",
           "store_dir", "dockerfile_key", "load", "save", "apply", "format_seconds"]


# The names rules reach through dlint.api (cache-busting-copy prices an edit with them).
load_timings = load
apply_timings = apply
