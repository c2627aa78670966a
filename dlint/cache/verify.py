"""`dlint cache verify`: build BEFORE then AFTER on a real engine and hold the prediction
against what the builder reports (SPEC §8).

The engine is the oracle. Steps are compared by their start line in the AFTER Dockerfile.
FROM is left out (a base image is neutral: BuildKit shows it CACHED or DONE depending on
history), and so are global ARGs (classic counts them as steps but they cannot rebuild
anything on their own).

Heavy imports (the docker SDK) happen in dlint.cache.engine, only when a build starts.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlint.cache.context import ContextError, DirectorySnapshot, Snapshot

# The engine the cache model was measured on (reference/buildkit-cache.md).
MODEL_ENGINE_VERSION = "26.1.5"
BUILDER_DESCRIPTIONS = {
    "buildkit": "BuildKit (docker buildx build --progress=rawjson)",
    "buildkit-container": "BuildKit with MergeOp, COPY --link linked (docker buildx build --progress=rawjson "
                          "on the containerd image store)",
    "classic": "the classic builder (Engine API /build through the docker SDK)",
}


class VerifyError(Exception):
    """Verification could not be done (bad input, a failed build): one line for the user."""


@dataclass(frozen=True)
class StepComparison:
    stage: str | None
    line: int
    instruction: str
    text: str
    predicted: bool | None     # None: no step under this builder (or not predicted)
    observed: bool | None      # None: the engine showed no step (or neutral FROM)
    reason: str | None = None  # the prediction's reason for a rebuild
    compared: bool = True      # False: FROM and global ARGs, shown but not counted
    missing: str | None = None  # "prediction" / "observation": the step is absent from that side
    certain: bool = True       # False: the prediction hangs on `condition`; any outcome agrees
    condition: str | None = None
    seconds: float | None = None  # how long the engine took on the AFTER step

    @property
    def agree(self) -> bool:
        if not self.compared:
            return True
        if not self.certain:
            return self.observed is not None  # either outcome is one the prediction allowed
        return self.predicted == self.observed

    def to_json(self) -> dict:
        from dlint.cache.predict import step_json_extras

        return step_json_extras(self, {
            "stage": self.stage, "line": self.line, "instruction": self.instruction,
            "predicted": self.predicted, "observed": self.observed, "agree": self.agree,
            "compared": self.compared, "reason": self.reason})


def _counts(stage: str | None, instruction: str) -> bool:
    return stage is not None and instruction != "FROM"


def compare(predicted: Iterable[Any], observed: Iterable[Any]) -> list[StepComparison]:
    """Pair predicted steps (StepPrediction) with observed ones (ObservedStep) by line, in
    line order. A step on one side only disagrees when it is a real step (cached not None)."""
    predicted_by_line = {s.line: s for s in predicted}
    observed_by_line = {s.line: s for s in observed}
    out = []
    for line in sorted(set(predicted_by_line) | set(observed_by_line)):
        p, o = predicted_by_line.get(line), observed_by_line.get(line)
        ref = p if p is not None else o
        stage, instruction = ref.stage, ref.instruction
        missing = "prediction" if p is None else "observation" if o is None else None
        out.append(StepComparison(
            stage=stage, line=line, instruction=instruction,
            text=getattr(p, "text", "") or "",
            predicted=p.cached if p is not None else None,
            observed=o.cached if o is not None else None,
            reason=getattr(p, "reason", None) if p is not None else None,
            compared=_counts(stage, instruction),
            missing=missing,
            certain=getattr(p, "certain", True) if p is not None else True,
            condition=getattr(p, "condition", None) if p is not None else None,
            seconds=getattr(o, "seconds", None) if o is not None else None))
    return out


@dataclass
class VerifyResult:
    builder: str
    target: str | None
    engine_version: str
    docker_host: str
    steps: list[StepComparison]
    seconds: dict[str, float] = field(default_factory=dict)   # before / after build times
    removed_images: int = 0
    run_id: str = ""
    observation: Any = field(default=None, repr=False)  # the AFTER BuildObservation (diagnostics)
    before_observation: Any = field(default=None, repr=False)
    residue: Any = None        # Residue: what the clean-up removed
    isolated: bool = True      # False: --prune-cache (the engine's cache was emptied first)
    timings_path: Any = None   # where the observed step durations were saved
    notes: list[str] = field(default_factory=list)   # what the reader must know to trust the table

    @property
    def compared(self) -> list[StepComparison]:
        """The steps that count: a step on at least one side, FROM and global ARGs excluded."""
        return [s for s in self.steps if s.compared and (s.predicted is not None or s.observed is not None)]

    @property
    def disagreements(self) -> list[StepComparison]:
        return [s for s in self.compared if not s.agree]

    @property
    def all_agree(self) -> bool:
        return not self.disagreements

    def summary(self) -> str:
        total = len(self.compared)
        uncertain = [s for s in self.compared if not s.certain]
        text = f"{total - len(self.disagreements)} of {total} steps agree"
        if uncertain:
            text += f", {len(uncertain)} of them predicted as uncertain"
        return text

    def exit_code(self) -> int:
        return 0 if self.all_agree else 1

    def cleanup_text(self) -> str:
        """One line: what the run removed afterwards, and whether anything is left."""
        r = self.residue
        if r is None:
            return ""
        images = _plural(self.removed_images, "image")
        copies = _plural(r.derived_images, "base image copy", "base image copies")
        records = _plural(r.cache_records, "build-cache record")
        what = f"removed {images}, {copies} and {records} of this run"
        if not r.complete:
            return what + ("; some could not be removed (the next run retries the images; "
                           f"{r.records_left} record(s) left, run id {self.run_id})")
        if r.unattributed:
            why = ("the containerd image store's BuildKit records carry no parent chain back to the run's "
                   "base copies" if r.store == "containerd" else "another client may have built meanwhile")
            return what + (f"; {_plural(r.unattributed, 'other new build-cache record')} not in use remain "
                           f"that dlint cannot attribute to this run ({why}; `docker builder prune` removes "
                           "unused records)")
        return what + "; the engine's cache is otherwise as it was" if self.isolated else what

    def to_json(self) -> dict:
        out = {"builder": self.builder, "target": self.target, "engine_version": self.engine_version,
               "docker_host": self.docker_host, "agree": self.all_agree, "summary": self.summary(),
               "isolated": self.isolated,
               "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
               "steps": [s.to_json() for s in self.steps]}
        if self.residue is not None:
            out["cleanup"] = {"images": self.removed_images, "base_copies": self.residue.derived_images,
                              "cache_records": self.residue.cache_records,
                              "complete": self.residue.complete}
            if self.residue.unattributed:
                out["cleanup"]["unattributed_records"] = self.residue.unattributed
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# --------------------------------------------------------------------------- rendering

def status_word(cached: bool | None, certain: bool = True) -> str:
    word = "-" if cached is None else "cached" if cached else "rebuilt"
    return word if certain or cached is None else word + "?"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain left-aligned text table (no trailing spaces)."""
    table = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table)


def _shorten(text: str, width: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def comparison_rows(steps: Iterable[StepComparison]) -> list[list[str]]:
    rows = []
    for s in steps:
        no_step = s.predicted is None and s.observed is None
        mark = "" if not s.compared or no_step else ("ok" if s.agree else "DIFFERS")
        rows.append([str(s.line), s.stage or "", _shorten(s.text) or s.instruction,
                     status_word(s.predicted, s.certain), status_word(s.observed), mark])
    return rows


def render_text(result: VerifyResult) -> str:
    table = format_table(["LINE", "STAGE", "INSTRUCTION", "PREDICTED", "OBSERVED", "AGREE"],
                         comparison_rows(result.steps))
    lines = [table, ""]
    for s in result.disagreements:
        why = f" (predicted because: {s.reason})" if s.reason else ""
        lines.append(f"line {s.line}: predicted {status_word(s.predicted)}, "
                     f"the engine {status_word(s.observed)}{why}")
    for s in result.compared:
        if not s.certain and s.condition:
            lines.append(f"line {s.line}: uncertain: {s.condition}; the engine {status_word(s.observed)}")
    lines.extend(f"note: {note}" for note in result.notes)
    cleanup = result.cleanup_text()
    if cleanup:
        lines.append(cleanup)
    if getattr(result, "timings_path", None):
        lines.append(f"step durations saved for `dlint cache diff` and `cache explain`: {result.timings_path}")
    lines.append(f"{result.summary()} ({result.builder})")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- contexts on disk

def materialise(snapshot: Snapshot, dest: Path, *, git_modes: bool = False) -> Path:
    """Write every entry of a snapshot (.dockerignore not applied: the engine applies it)
    into `dest`: files with their mode, symlinks, folders; submodules as empty folders.
    `git_modes`: file modes as git records them (644/755), as the prediction compares them
    when one side is a revision."""
    dest.mkdir(parents=True, exist_ok=True)
    entries = snapshot.entries()
    files = [p for p, e in sorted(entries.items()) if e.kind == "file"]
    read_many = getattr(snapshot, "read_many", None)
    contents = read_many(files) if read_many and files else {}
    for path, entry in sorted(entries.items()):
        target = dest / path
        if entry.kind in ("dir", "submodule"):
            target.mkdir(parents=True, exist_ok=True)
        elif entry.kind == "file":
            target.parent.mkdir(parents=True, exist_ok=True)
            data = contents[path] if path in contents else snapshot.read(path)
            target.write_bytes(data)
            mode = snapshot._stat_mode(entry) & 0o7777
            if git_modes:
                mode = 0o755 if mode & 0o100 else 0o644
            os.chmod(target, mode)
        elif entry.kind == "symlink":
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(snapshot._link_target(entry), target)
    return dest


def context_dir(snapshot: Snapshot, scratch: Path, *, git_modes: bool = False) -> Path:
    """A folder the engine can build: a plain folder snapshot as it is; a git revision, or a
    working tree compared with one (its .git left out), written into `scratch`."""
    if isinstance(snapshot, DirectorySnapshot) and not snapshot.skip_git_dir:
        return snapshot.root
    try:
        return materialise(snapshot, scratch, git_modes=git_modes)
    except ContextError as exc:
        raise VerifyError(str(exc)) from None
    except OSError as exc:
        raise VerifyError(f"cannot write the build context into {scratch}: {exc.strerror}") from None


def as_snapshot(context: Snapshot | str | os.PathLike[str]) -> Snapshot:
    if isinstance(context, Snapshot):
        return context
    try:
        return DirectorySnapshot(context)
    except ContextError as exc:
        raise VerifyError(str(exc)) from None


# --------------------------------------------------------------------------- leftovers of killed runs

def state_dir() -> Path:
    """Where runs note what they made: ${XDG_STATE_HOME:-~/.local/state}/dlint/verify-runs."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "dlint" / "verify-runs"


class RunJournal:
    """The images a run's classic builds made, written as they appear.

    The classic builder labels only the final image (its label step comes last), so when
    the engine or dlint dies mid-build the intermediate images, and the container of the
    step that was running, carry no label. The next run removes what a dead run noted
    (`clean_leftovers`), and only that. Best effort: an unwritable state folder only
    loses this safety net."""

    def __init__(self, docker_host: str, run_id: str, directory: Path | None = None):
        self.path = (directory or state_dir()) / f"{run_id}.jsonl"
        self._header = {"docker_host": docker_host, "run_id": run_id, "pid": os.getpid(),
                        "host": os.uname().nodename}
        self._file: Any = None
        self._seen: set[str] = set()

    def note_image(self, image: str) -> None:
        if not image or image in self._seen:
            return
        self._seen.add(image)
        self._write({"image": image})

    def note_derived(self, tag: str) -> None:
        """A derived base image (dlint.cache.isolate), removed by tag if the run dies."""
        self._write({"derived": tag})

    def _write(self, record: dict) -> None:
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "a", encoding="utf-8")
                self._file.write(json.dumps(self._header) + "\n")
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
        except OSError:
            pass

    def on_progress(self, event: Any) -> None:
        # Classic prints " ---> <id>" after each step; after FROM that id is the base image
        # (someone's), never to be noted.
        if event.builder == "classic" and event.state == "done" and " : FROM " not in f" {event.name} ":
            self.note_image(event.text)

    def close(self, done: bool) -> None:
        """Close; `done`: everything noted is removed, so forget it."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if done:
            try:
                self.path.unlink()
            except OSError:
                pass


def _read_journal(path: Path) -> tuple[dict, list[str], list[str]]:
    header, images, derived = {}, [], []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut by the crash
        if i == 0:
            header = record
        elif isinstance(record, dict) and isinstance(record.get("image"), str):
            images.append(record["image"])
        elif isinstance(record, dict) and isinstance(record.get("derived"), str):
            derived.append(record["derived"])
    return header, images, derived


def _alive(header: dict) -> bool:
    if header.get("host") != os.uname().nodename:
        return False
    try:
        os.kill(int(header.get("pid", 0)), 0)
    except (OSError, ValueError):
        return False
    return int(header.get("pid", 0)) > 0


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[-1] if lines else type(exc).__name__


def clean_leftovers(engine: Any, directory: Path | None = None) -> tuple[int, int]:
    """Remove what dead runs on this engine noted: the containers made from those images,
    then the images themselves (untagged ones only). Returns (containers, images) removed."""
    from dlint.cache.engine import EngineError

    folder = directory or state_dir()
    engine.remove_stale_lock()  # the verify lock of a dead run
    try:
        journals = sorted(folder.glob("*.jsonl"))
    except OSError:
        return 0, 0
    containers = images = 0
    for path in journals:
        try:
            header, noted, derived = _read_journal(path)
        except OSError:
            continue
        if header.get("docker_host") != engine.docker_host or _alive(header):
            continue
        try:
            full_ids = {}
            for image in noted:  # the stream gives short ids; containers carry full ones
                info = engine.inspect_image(image)
                if info is not None:
                    full_ids[image] = info["Id"]
            for container in engine.api.containers(all=True):
                if container.get("ImageID") in full_ids.values():
                    engine.api.remove_container(container["Id"], force=True)
                    containers += 1
            for image in reversed(noted):  # children first
                if image in full_ids and engine._remove(full_ids[image]):
                    images += 1
            for tag in derived:  # the dead run's labelled images (children of its bases), then the bases
                info = engine.inspect_image(tag)
                if info is None:
                    continue
                dead_run = ((info.get("Config") or {}).get("Labels") or {}).get("dlint.verify")
                for image in engine.images_made(dead_run) if dead_run else ():
                    if engine._remove(image):
                        images += 1
                if engine.remove_tag(tag):
                    images += 1
            remaining = [i for i in noted + derived if engine.inspect_image(i) is not None]
        except EngineError:
            raise
        except Exception as exc:  # docker APIError on one item: keep the journal for next time
            raise EngineError(f"cannot clean up after an earlier run: {_one_line(exc)}") from None
        if remaining:
            continue  # tagged since, or still in use by someone else's container: keep trying
        try:
            path.unlink()
        except OSError:
            pass
    return containers, images


# --------------------------------------------------------------------------- the run

@dataclass(frozen=True)
class Phase:
    """What the progress display is told: a build starts, or one of its steps moves."""

    side: str            # "PREPARE" (base image copies) | "BEFORE" | "AFTER" | "CLEANUP"
    event: Any = None    # dlint.cache.engine.BuildProgress, None when the phase starts


def verify(before: Snapshot | str | os.PathLike[str], after: Snapshot | str | os.PathLike[str], *,
           engine: Any = None, builder: str = "buildkit", dockerfile: str = "Dockerfile",
           build_args: Mapping[str, str] | None = None,
           before_build_args: Mapping[str, str] | None = None,
           after_build_args: Mapping[str, str] | None = None, target: str | None = None,
           progress: Callable[[Phase], None] | None = None, prune_cache: bool = False,
           after_build: Callable[[str, Any], None] | None = None,
           save_timings: bool = False) -> VerifyResult:
    """Predict, build BEFORE and AFTER isolated from everything the engine held before (one
    run id, so the classic builder's label step matches), compare, and remove what the
    run made: its images, its derived base images, its BuildKit cache records.

    `after_build(side, observation)`: called after each build, while its images exist.
    `save_timings`: store the step durations observed (dlint.cache.timings) where `cache
    diff` finds them for the AFTER Dockerfile.
    `prune_cache`: the old way instead of isolation: empty the engine's WHOLE build cache
    first and build the Dockerfiles as they are (destroys the user's cache; the CLI asks).

    Raises VerifyError (bad input, a failed build) or dlint.cache.engine.EngineError."""
    from dlint.cache.engine import Engine, new_run_id
    from dlint.cache.predict import PredictError, predict

    before_snap, after_snap = as_snapshot(before), as_snapshot(after)
    common = dict(build_args or {})
    before_args = {**common, **(before_build_args or {})}
    after_args = {**common, **(after_build_args or {})}
    try:
        prediction = predict(before_snap, after_snap, dockerfile=dockerfile, build_args=common,
                             before_build_args=before_build_args, after_build_args=after_build_args,
                             target=target, builder=builder, network="none")
    except PredictError as exc:
        raise VerifyError(str(exc)) from None

    engine = engine or Engine()
    version = engine.engine_version()
    if builder != "classic":
        _check_store(engine, builder, prediction, before_snap, after_snap, dockerfile=dockerfile,
                     build_args=common, before_build_args=before_build_args,
                     after_build_args=after_build_args, target=target)
    run_id = new_run_id()
    engine.acquire_lock(run_id, waiting=(lambda text: progress(Phase("WAIT", text))) if progress else None)
    try:
        return _verify_locked(engine, run_id, version, prediction, before_snap, after_snap, builder=builder,
                              dockerfile=dockerfile, before_args=before_args, after_args=after_args, target=target,
                              progress=progress, prune_cache=prune_cache, after_build=after_build,
                              save_timings=save_timings)
    finally:
        try:
            engine.release_lock(run_id)
        except Exception:  # noqa: BLE001 - the engine is gone: the next run takes a stale lock over
            pass


# The BuildKit builder that the engine's own BuildKit is, by image store (Engine.image_store).
STORE_BUILDERS = {"graphdriver": "buildkit", "containerd": "buildkit-container"}


def _check_store(engine, builder: str, prediction, before_snap, after_snap, **options) -> None:
    """The engine's BuildKit must be the builder modelled, where it matters: `buildkit`
    (no MergeOp) and `buildkit-container` (MergeOp, COPY --link linked) differ only on
    --link, so a mismatch is an error only when the two predict differently for this edit."""
    from dlint.cache.predict import PredictError, predict

    store = engine.image_store()
    native = STORE_BUILDERS[store]
    if native == builder:
        return
    try:
        other = predict(before_snap, after_snap, builder=native, network="none", **options)
        differs = [s.cached for s in other.steps] != [s.cached for s in prediction.steps]
    except PredictError:
        differs = True
    if differs:
        raise VerifyError(f"--builder {builder} does not match the engine at {engine.docker_host}: it uses the "
                          f"{store} image store, whose BuildKit {'links' if native == 'buildkit-container' else 'does not link'} "
                          f"COPY --link (and the two builders predict this edit differently); verify with "
                          f"--builder {native}, or on an engine with the "
                          f"{'graphdriver' if store == 'containerd' else 'containerd'} image store")


def _verify_locked(engine, run_id, version, prediction, before_snap, after_snap, *, builder, dockerfile,
                   before_args, after_args, target, progress, prune_cache, after_build, save_timings):
    import time

    from dlint.cache.engine import BuildFailed

    clean_leftovers(engine)
    journal = RunJournal(engine.docker_host, run_id)
    seconds: dict[str, float] = {}
    removed: list[str] | None = []
    residue = Residue()
    started_run = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dlint-verify-") as scratch:
        git_modes = before_snap.git_modes or after_snap.git_modes
        before_dir = context_dir(before_snap, Path(scratch) / "before", git_modes=git_modes)
        after_dir = context_dir(after_snap, Path(scratch) / "after", git_modes=git_modes)
        sides = [("BEFORE", before_dir, before_args), ("AFTER", after_dir, after_args)]
        from dlint.cache.isolate import Isolation

        isolation = None if prune_cache else Isolation(run_id)
        records_before: dict[str, dict] = {}
        if prune_cache:
            engine.prune_build_cache()
        try:
            texts: dict[str, str | None] = {"BEFORE": None, "AFTER": None}
            if isolation is not None:
                if progress:
                    progress(Phase("PREPARE"))
                records_before = engine.cache_records() if builder != "classic" else {}
                texts = _isolate(engine, isolation, builder, dockerfile, target, sides, journal)
            for side, ctx, args in sides:
                if progress:
                    progress(Phase(side))
                def callback(event, side=side):
                    journal.on_progress(event)
                    if progress:
                        progress(Phase(side, event))

                started = time.monotonic()
                try:
                    observation = engine.build(builder, ctx, dockerfile, target=target, build_args=args,
                                               run_id=run_id, progress=callback, dockerfile_text=texts[side])
                except BuildFailed as exc:
                    raise VerifyError(f"the {side} build failed: {exc.observation.error or exc}") from None
                seconds[side.lower()] = time.monotonic() - started
                if after_build:
                    after_build(side, observation)
                if side == "BEFORE":
                    before_observation = observation
        finally:
            if progress:
                progress(Phase("CLEANUP"))
            removed = _remove_quietly(engine, run_id)
            residue = _remove_isolation(engine, isolation, records_before, builder)
            journal.close(done=removed is not None and residue.complete)
        timings_path = _save_timings(after_snap, dockerfile, builder, before_dir, after_dir,
                                     before_observation, observation) if save_timings else None
    seconds["total"] = time.monotonic() - started_run
    result = VerifyResult(builder, target, version, engine.docker_host,
                          compare(prediction.steps, observation.steps), seconds, len(removed or ()), run_id,
                          observation)
    result.residue = residue
    result.before_observation = before_observation
    result.isolated = not prune_cache
    if not prune_cache:
        result.notes.extend(_stale_links(prediction, before_observation, texts.get("BEFORE")))
    result.timings_path = timings_path
    return result


def _stale_links(prediction, before_observation, before_text) -> list[str]:
    """Linked copies (buildkit-container) are keyed on their content alone: the run's base
    copies cannot keep them from hitting records of earlier builds. The BEFORE build starts
    from nothing of its own, so a linked copy CACHED there came from such a record, and
    the same may hold in AFTER: say so (--prune-cache gives an exact check)."""
    from dlint.cache import LINKING_BUILDERS

    if before_observation is None or before_text is None or prediction.builder not in LINKING_BUILDERS:
        return []
    from dlint.syntax import parse

    cached = {s.line for s in before_observation.steps if s.cached and s.instruction in ("COPY", "ADD")}
    stale = []
    for ins in parse(before_text).instructions:
        link = ins.flag("link") if ins.start_line in cached else None
        if link is not None and (link.value or "true").lower() == "true" and ins.flag("chmod") is None:
            stale.append(ins.start_line)
    if not stale:
        return []
    return [f"in BEFORE, the linked cop{'y' if len(stale) == 1 else 'ies'} on line "
            f"{', '.join(map(str, stale))} came from a build-cache record older than this run (linked copies "
            "are keyed on their content alone, which the run's base copies cannot isolate): AFTER's linked "
            "copies may hit such records too; `--prune-cache` gives an exact check"]


def _save_timings(after_snap, dockerfile, builder, before_dir, after_dir, before_obs, after_obs):
    """Store what the two builds took (BEFORE ran every step; AFTER's reruns are newer)."""
    from dlint.cache import timings

    try:
        before_text = (Path(before_dir) / dockerfile).read_bytes().decode("utf-8", "replace")
        after_text = (Path(after_dir) / dockerfile).read_bytes().decode("utf-8", "replace")
    except OSError:
        return None
    measured = timings.from_observed(after_obs.steps, after_text).merged_over(
        timings.from_observed(before_obs.steps, before_text))
    return timings.save(timings.dockerfile_key(after_snap, dockerfile), builder, measured)


@dataclass
class Residue:
    """What the clean-up of a run removed, and whether it got everything."""

    derived_images: int = 0
    cache_records: int = 0
    records_left: int = 0
    complete: bool = True
    # New records, not in use, that remain and that dlint cannot attribute to its run: another
    # client's builds, or, on the containerd image store, its own (records there carry no
    # parent chain to follow back to the run's base copies).
    unattributed: int = 0
    store: str = ""


def _isolate(engine: Any, isolation: Any, builder: str, dockerfile: str, target: str | None,
             sides: list, journal: "RunJournal") -> dict[str, str | None]:
    """Derive the bases both sides start from (noted in `isolation` as they are made);
    the rewritten Dockerfile of each side."""
    from dlint.cache.isolate import processed_bases, rewrite_dockerfile

    run_id = isolation.run_id
    texts: dict[str, str | None] = {}
    for side, ctx, args in sides:
        try:
            text = (Path(ctx) / dockerfile).read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            raise VerifyError(f"cannot read the {side} Dockerfile: {exc.strerror}") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        bases = processed_bases(text, builder=builder, build_args=args, target=target)
        replacements = []
        for ins, base in bases:
            fresh = base not in isolation.derived
            tag = isolation.tag_for(base)
            if fresh:
                journal.note_derived(tag)
                engine.derive_image(None if base == "scratch" else base, tag, run_id)
            replacements.append((ins, tag))
        texts[side] = rewrite_dockerfile(text, replacements)
    return texts


def _remove_isolation(engine: Any, isolation: Any, records_before: dict, builder: str) -> Residue:
    """Remove the run's derived images and the BuildKit records its builds created."""
    from dlint.cache.engine import EngineError
    from dlint.cache.isolate import run_records

    residue = Residue()
    if isolation is None:
        return residue
    try:
        for tag in isolation.derived.values():
            if engine.remove_tag(tag):
                residue.derived_images += 1
        if builder != "classic":
            ours = run_records(records_before, engine.cache_records())
            for record_id in ours:
                if engine.remove_cache_record(record_id):
                    residue.cache_records += 1
                else:
                    residue.records_left += 1
            residue.unattributed = sum(1 for rid, rec in engine.cache_records().items()
                                       if rid not in records_before and not rec.get("InUse"))
            if residue.unattributed:
                residue.store = engine.image_store()
    except EngineError:
        residue.complete = False
    residue.complete = residue.complete and residue.records_left == 0 and \
        residue.derived_images == len(isolation.derived)
    return residue


def _remove_quietly(engine: Any, run_id: str) -> list[str] | None:
    """Remove this run's images; None when the engine is gone (the next run removes the
    leftovers: the labelled ones by its prune, the others through the journal)."""
    from dlint.cache.engine import EngineError

    try:
        return engine.remove_images(run_id)
    except EngineError:
        return None


def engine_note(version: str) -> str | None:
    """A warning when the engine is not the one the cache model was measured on."""
    major = version.split(".", 1)[0]
    if major != MODEL_ENGINE_VERSION.split(".", 1)[0]:
        return (f"the cache model was measured on Docker Engine {MODEL_ENGINE_VERSION}; "
                f"this engine is {version or 'of unknown version'}, results may differ")
    return None


__all__ = ["StepComparison", "VerifyResult", "VerifyError", "Phase", "compare", "verify",
           "render_text", "format_table", "comparison_rows", "status_word", "materialise",
           "context_dir", "engine_note", "RunJournal", "clean_leftovers", "state_dir", "BUILDER_DESCRIPTIONS", "MODEL_ENGINE_VERSION"]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
