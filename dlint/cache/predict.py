"""Predict which build steps an edit reruns (SPEC §8), and why.

Assumption (SPEC §8): the builder's cache holds exactly the BEFORE build. The base image
is assumed unchanged unless the FROM text changes (image IDs are not looked up).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from dlint.cache.context import (ContextError, DirectorySnapshot, FileState, IgnoreMatcher,
                                 Snapshot, _component_regex, _has_magic, clean_source)
from dlint.cache.keys import Plan, PredictError, Step

__all__ = ["Prediction", "StepPrediction", "PredictError", "predict", "steps_invalidated_by",
           "explain", "load_dockerfile"]


@dataclass(frozen=True)
class StepPrediction:
    stage: str | None         # stage name, "stage-N" when unnamed, None for global ARGs
    line: int                 # start line in the AFTER Dockerfile
    instruction: str          # keyword, upper case
    cached: bool | None       # None: no step under this builder
    reason: str | None = None  # first cause of a rebuild (on a cached step: why it stays cached)
    text: str = field(default="", compare=False)   # the instruction as written (for display)
    # False: `cached` is the likely answer; the real one hangs on `condition` (SPEC §8).
    certain: bool = True
    condition: str | None = None
    seconds: float | None = field(default=None, compare=False)  # observed duration, when known

    def to_json(self) -> dict:
        return step_json_extras(self, {"stage": self.stage, "line": self.line, "instruction": self.instruction,
                                       "cached": self.cached, "reason": self.reason})


def step_json_extras(step, out: dict) -> dict:
    """`out` with the keys SPEC §8 adds to a step only when they say something: `certain`
    and `condition` on an uncertain step, `seconds` when a duration is known."""
    if not step.certain:
        out["certain"] = False
        out["condition"] = step.condition
    if step.seconds is not None:
        out["seconds"] = round(step.seconds, 3)
    return out


@dataclass
class Prediction:
    builder: str
    target: str | None
    steps: list[StepPrediction]
    timings_source: str | None = None   # where step durations come from, when known
    note: str | None = None             # one line when there is nothing to compare (AFTER has no build)
    first_build: bool = False           # BEFORE has no build of this Dockerfile/target: no cache yet

    @property
    def counted(self) -> list[StepPrediction]:
        """Steps that count in "N of M steps rerun": real steps, FROM excluded (a base
        image is pulled, not rebuilt) and classic's global ARGs excluded."""
        return [s for s in self.steps if s.cached is not None and s.instruction != "FROM"
                and s.stage is not None]

    @property
    def rerun_steps(self) -> list[StepPrediction]:
        """Every step predicted to rerun, the uncertain ones included."""
        return [s for s in self.counted if s.cached is False]

    @property
    def definite_reruns(self) -> list[StepPrediction]:
        return [s for s in self.rerun_steps if s.certain]

    @property
    def possible_reruns(self) -> list[StepPrediction]:
        """Rebuilt unless what an earlier rerun step produces comes out byte-identical."""
        return [s for s in self.rerun_steps if not s.certain]

    @property
    def step_count(self) -> int:
        return len(self.counted)

    @property
    def timed(self) -> bool:
        return any(s.seconds is not None for s in self.counted)

    @property
    def rerun_seconds(self) -> float | None:
        """Expected rebuild time of the definite reruns (steps without a timing count 0);
        None without timings."""
        if not self.timed:
            return None
        return sum(s.seconds or 0.0 for s in self.definite_reruns)

    @property
    def possible_seconds(self) -> float:
        return sum(s.seconds or 0.0 for s in self.possible_reruns)

    def summary(self) -> str:
        from dlint.cache.timings import format_seconds

        definite, possible = len(self.definite_reruns), len(self.possible_reruns)
        text = f"{definite} of {self.step_count} steps rerun"
        if possible:
            text += f", {possible} more may"
        seconds = self.rerun_seconds
        if seconds is not None:
            text += f": {format_seconds(seconds)}"
            if possible and self.possible_seconds:
                text += f", up to {format_seconds(seconds + self.possible_seconds)}"
        return text

    def to_json(self) -> dict:
        out = {"builder": self.builder, "target": self.target,
               "steps": [s.to_json() for s in self.steps]}
        if self.timed:
            out["seconds"] = round(self.rerun_seconds or 0.0, 3)
            if self.possible_reruns:
                out["seconds_possible"] = round(self.possible_seconds, 3)
            out["timings"] = self.timings_source
        if self.note:
            out["note"] = self.note
        return out


def _as_snapshot(context: Snapshot | str | os.PathLike[str]) -> Snapshot:
    if isinstance(context, Snapshot):
        return context
    try:
        return DirectorySnapshot(context)
    except ContextError as exc:
        raise PredictError(str(exc)) from None


def dockerfile_path(dockerfile: str) -> str:
    """The Dockerfile's path inside the context; error if it leaves it."""
    path = posixpath.normpath(dockerfile.replace(os.sep, "/"))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        raise PredictError(f"Dockerfile {dockerfile!r} is outside the build context")
    return path


def load_dockerfile(snapshot: Snapshot, dockerfile: str = "Dockerfile", side: str = ""):
    """Parse the Dockerfile of a snapshot; PredictError if missing or not text."""
    from dlint.syntax import parse

    path = dockerfile_path(dockerfile)
    where = f"{side} " if side else ""
    try:
        if not snapshot.has_file(path):
            raise PredictError(f"{where}context {snapshot.label}: no {path}")
        data = snapshot.read(path)
    except ContextError as exc:
        raise PredictError(str(exc)) from None
    from dlint.model import MAX_MODELLED_INSTRUCTIONS
    from dlint.syntax import NotText, decode_source

    try:
        text = decode_source(data)
    except NotText as exc:
        raise PredictError(f"{where}{path}: not a text Dockerfile ({exc})") from None
    document = parse(text, path)
    if len(document.instructions) > MAX_MODELLED_INSTRUCTIONS:
        raise PredictError(f"{where}{path}: {len(document.instructions)} instructions, more than "
                           f"the {MAX_MODELLED_INSTRUCTIONS} dlint analyses in one file")
    return document


def _merge(common: Mapping[str, str] | None, side: Mapping[str, str] | None) -> dict[str, str]:
    return {**(common or {}), **(side or {})}


class _EmptyCache:
    """A BEFORE that built nothing (its Dockerfile lacks the target stage)."""

    keys: set[str] = set()
    children: dict = {}


def _selector(snapshot: Snapshot, git_modes: bool):
    memo: dict[str, tuple[FileState, ...]] = {}

    def select(source: str) -> tuple[FileState, ...]:
        found = memo.get(source)
        if found is None:
            try:
                found = memo[source] = snapshot.select(source, git_modes=git_modes)
            except ContextError as exc:
                raise PredictError(str(exc)) from None
        return found

    return select


def _to_predictions(plan: Plan) -> list[StepPrediction]:
    out = []
    for step in plan.ordered_steps():
        ins = step.instruction
        if not step.vertex:
            out.append(StepPrediction(step.stage_label, ins.start_line, ins.keyword, None, None, ins.original))
            continue
        # A cached step has no reason, except a linked copy that stayed cached while the
        # steps before it reran (buildkit-container): the reason says why.
        reason = step.note if step.cached else (step.cause.own if step.cause else "rebuilt")
        out.append(StepPrediction(step.stage_label, ins.start_line, ins.keyword, bool(step.cached),
                                  reason, ins.original, certain=step.certain or bool(step.cached),
                                  condition=None if step.cached or step.certain else step.condition))
    return out


NO_CACHE = "no cache yet"


def _unknown_target(exc: PredictError) -> bool:
    return "unknown target" in str(exc)


def _all_new(plan: Plan) -> list[StepPrediction]:
    """Every step of a build the cache knows nothing of (BEFORE has no such Dockerfile or
    stage): each one runs, for the one reason that there is no cache yet."""
    out = []
    for step in plan.ordered_steps():
        ins = step.instruction
        if not step.vertex:
            out.append(StepPrediction(step.stage_label, ins.start_line, ins.keyword, None, None, ins.original))
        else:
            out.append(StepPrediction(step.stage_label, ins.start_line, ins.keyword, False, NO_CACHE,
                                      ins.original))
    return out


def _plans(before_doc, after_doc, before_select, after_select, *, builder, before_args, after_args,
           target, network) -> Plan:
    reference = _EmptyCache()
    if before_doc is not None:
        try:
            reference = Plan(before_doc, before_select, builder=builder, build_args=before_args,
                             target=target, network=network, side="BEFORE")
        except PredictError as exc:
            if not _unknown_target(exc):
                raise
    return Plan(after_doc, after_select, builder=builder, build_args=after_args, target=target,
                network=network, reference=reference, side="AFTER")


def _load_if_present(snapshot: Snapshot, dockerfile: str, side: str):
    """The side's Dockerfile, or None when it has none (added or removed by the edit)."""
    try:
        present = snapshot.has_file(dockerfile_path(dockerfile))
    except ContextError as exc:
        raise PredictError(str(exc)) from None
    return load_dockerfile(snapshot, dockerfile, side) if present else None


def predict(before: Snapshot | str | os.PathLike[str], after: Snapshot | str | os.PathLike[str], *,
            dockerfile: str = "Dockerfile", build_args: Mapping[str, str] | None = None,
            before_build_args: Mapping[str, str] | None = None,
            after_build_args: Mapping[str, str] | None = None, target: str | None = None,
            builder: str = "buildkit", network: str = "default") -> Prediction:
    """Which steps of the AFTER build the BEFORE build's cache serves.

    `before`/`after` are snapshots or context folders. `network` is the build's
    `--network` (a `RUN --network` equal to it changes nothing, E21b).

    A Dockerfile (or `target` stage) that only AFTER has is a first build: every step
    reruns, "no cache yet". One that only BEFORE has leaves nothing to build: no steps,
    and `note` says so. Missing on both sides is an error."""
    before_snap, after_snap = _as_snapshot(before), _as_snapshot(after)
    git_modes = before_snap.git_modes or after_snap.git_modes
    before_doc = _load_if_present(before_snap, dockerfile, "BEFORE")
    after_doc = _load_if_present(after_snap, dockerfile, "AFTER")
    if after_doc is None:
        if before_doc is None:
            load_dockerfile(after_snap, dockerfile, "AFTER")  # raises: no Dockerfile on either side
        path = dockerfile_path(dockerfile)
        return Prediction(builder, target, [], note=f"{path} was removed between BEFORE ({before_snap.label}) "
                                                    f"and AFTER ({after_snap.label}): nothing to build")
    before_args = _merge(build_args, before_build_args)
    after_args = _merge(build_args, after_build_args)
    before_select, after_select = _selector(before_snap, git_modes), _selector(after_snap, git_modes)
    new_target = False
    if before_doc is not None and target is not None:
        try:
            Plan(before_doc, before_select, builder=builder, build_args=before_args,
                 target=target, network=network, side="BEFORE")
        except PredictError as exc:
            if not _unknown_target(exc):
                raise
            new_target = True
    try:
        plan = _plans(before_doc, after_doc, before_select, after_select, builder=builder, before_args=before_args, after_args=after_args, target=target,
                      network=network)
    except PredictError as exc:
        if before_doc is None or new_target or not _unknown_target(exc):
            raise
        return Prediction(builder, target, [], note=f"AFTER {after_doc.path} has no stage {target!r} "
                                                    "(BEFORE had it): nothing to build")
    if before_doc is None or new_target:
        return Prediction(builder, target, _all_new(plan), first_build=True)
    return Prediction(builder, target, _to_predictions(plan))


# --------------------------------------------------------------------------- edits of one path

def source_covers(source: str, path: str) -> bool:
    """Whether an edit to context path `path` (a file, or anything under a folder) changes
    what the COPY/ADD/bind source `source` selects."""
    src, path = clean_source(source), clean_source(path)
    if src == "":
        return True
    if path == "":
        return True
    if not _has_magic(src):
        return path == src or path.startswith(src + "/")
    src_parts, parts = src.split("/"), path.split("/")
    if len(parts) < len(src_parts):
        return False
    return all(_component_regex(s).match(p) if _has_magic(s) else s == p
               for s, p in zip(src_parts, parts))


def _edit_selectors(path: str, ignore: IgnoreMatcher | None):
    edited = clean_source(path)
    hidden = ignore is not None and edited != "" and ignore.excluded(edited)

    def make(version: str):
        def select(source: str) -> tuple[FileState, ...]:
            if hidden or not source_covers(source, edited):
                return ()
            return (FileState(edited or ".", "file", 0o644, version),)
        return select

    return make("before"), make("after")


def steps_invalidated_by(document, path: str, builder: str = "buildkit", *,
                         build_args: Mapping[str, str] | None = None, target: str | None = None,
                         ignore: IgnoreMatcher | None = None) -> Prediction:
    """Which steps an edit to context path `path` reruns, for a parsed Dockerfile
    (a Document, or a Model: its `.document` is used). A folder path means an edit to
    something under it. `.rerun_steps` / `.step_count` give "N of M steps rerun"."""
    document = getattr(document, "document", document)
    before_select, after_select = _edit_selectors(path, ignore)
    plan = _plans(document, document, before_select, after_select, builder=builder,
                  before_args=build_args, after_args=build_args, target=target, network="default")
    return Prediction(builder, target, _to_predictions(plan))


# --------------------------------------------------------------------------- explain

def explain(context: Snapshot | str | os.PathLike[str], *, dockerfile: str = "Dockerfile",
            build_args: Mapping[str, str] | None = None, target: str | None = None,
            builder: str = "buildkit", limit: int = 30, timings=None) -> dict:
    """For each step, the context paths it reads; and a ranking of files and folders by
    how many steps an edit to them reruns, or, with `timings` (dlint.cache.timings), by
    how long the rerun takes."""
    from dlint.cache.timings import apply as apply_timings
    snap = _as_snapshot(context)
    document = load_dockerfile(snap, dockerfile)
    select = _selector(snap, snap.git_modes)
    plan = Plan(document, select, builder=builder, build_args=build_args, target=target)
    steps = plan.ordered_steps()
    def visible_kind(path: str) -> str | None:
        entry = snap.visible().get(path)
        return entry.kind if entry is not None else None

    out_steps = []
    reads: list[tuple[Step, str]] = []
    for step in steps:
        if not step.vertex or step.stage_label is None:
            continue
        matches = {src: snap.match(src) for src in step.sources}
        direct = sorted({m for found in matches.values() for m in found})
        for src in step.sources:
            reads.append((step, src))
        out_steps.append({"stage": step.stage_label, "line": step.line, "instruction": step.keyword,
                          "text": step.instruction.original,
                          "paths": [(p + "/" if visible_kind(p) == "dir" else p) or "." for p in direct],
                          "missing": [src or "." for src, found in matches.items() if not found],
                          "from_stages": [{"stage": s, "path": p} for s, p in step.from_refs]})
    # Candidate paths: top-level entries, folders two levels deep, and whatever a source names.
    visible = snap.visible()
    candidates = {p for p, e in visible.items() if p.count("/") < 1 or (e.kind == "dir" and p.count("/") < 2)}
    for _, src in reads:
        candidates.update(snap.match(src))
    candidates.discard("")
    # A folder sent empty because .dockerignore excludes whatever lies in it (`.git/**`,
    # `logs/*`): no edit under it reaches the build.
    ignore = snap.dockerignore()
    if ignore:
        candidates -= {p for p in candidates if visible[p].kind == "dir" and ignore.excluded(f"{p}/dlint-probe")
                       and not any(q.startswith(p + "/") for q in visible)}
    signatures = {path: tuple(i for i, (_, src) in enumerate(reads) if source_covers(src, path))
                  for path in candidates}
    groups: dict[tuple, list[str]] = {}
    for path in sorted(candidates):
        signature = signatures[path]
        # A path that costs what its folder costs adds nothing to the ranking (.git/objects/).
        parent = path.rpartition("/")[0]
        if signature and signatures.get(parent) != signature:
            groups.setdefault(signature, []).append(path)
    ranking = []
    total = None
    for signature, paths in groups.items():
        result = apply_timings(steps_invalidated_by(document, paths[0], builder, build_args=build_args,
                                                    target=target), document, timings)
        total = result.step_count
        rerun = result.rerun_steps
        first_run = next((s for s in rerun if s.instruction == "RUN"), rerun[0] if rerun else None)
        for path in paths:
            row = {"path": path + ("/" if visible[path].kind == "dir" else ""),
                   "kind": "folder" if visible[path].kind == "dir" else "file",
                   "rerun": len(rerun), "steps": total,
                   "lines": [s.line for s in rerun],
                   "including": first_run.text if first_run else None}
            if result.timed:
                row["seconds"] = round(sum(s.seconds or 0.0 for s in rerun), 3)
            ranking.append(row)
    ranking.sort(key=lambda r: (-r.get("seconds", 0.0), -r["rerun"], r["path"]))
    whole = apply_timings(Prediction(builder, target, _to_predictions(plan)), document, timings)
    seconds = {s.line: s.seconds for s in whole.steps if s.seconds is not None}
    for step in out_steps:
        if step["line"] in seconds:
            step["seconds"] = round(seconds[step["line"]], 3)
    out = {"builder": builder, "target": target, "steps": out_steps,
           "step_count": whole.step_count, "ranking": ranking[:limit] if limit else ranking}
    if whole.timed:
        out["timings"] = whole.timings_source
    return out
