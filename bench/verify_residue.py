"""What a `dlint cache verify` run leaves on the engine, and how long it takes, isolated
(the default) and with --prune-cache (the old behaviour: empty the whole build cache).

Runs only against the project's test engine (scripts/test-engine start; it needs the
local base image dlint-base:1, as a guard: the --prune-cache runs empty the engine's
build cache). Prints, per builder and scenario: seconds per run, and the engine's
images, containers, build-cache records and bytes before and after each isolated run.

    eval "$(scripts/test-engine env)" && .venv/bin/python bench/verify_residue.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = ["E05", "E16b", "U01"]


def state(engine) -> dict:
    images = engine.api.images(all=True)
    records = engine.cache_records()
    df = engine.api.df()
    return {
        "images": len(images),
        "image_ids": {i["Id"] for i in images},
        "containers": len(engine.api.containers(all=True)),
        "records": len(records),
        "record_ids": set(records),
        "cache_bytes": sum(r.get("Size", 0) for r in records.values()),
        "layer_bytes": df.get("LayersSize", 0),
    }


def main() -> int:
    sys.path.insert(0, str(REPO))
    from dlint.cache.engine import Engine
    from dlint.cache.verify import verify

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    engine = Engine(docker_cli=os.environ.get("DOCKER_CLI"))
    if engine.inspect_image("dlint-base:1") is None:
        print("not the project's test engine (no dlint-base:1): refusing to prune its cache", file=sys.stderr)
        return 2
    os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="dlint-bench-state-"))
    print(f"engine {engine.engine_version()} at {engine.docker_host}; {runs} runs each")
    # A user's build first, so that the isolated runs have a cache to leave alone.
    user = Path(tempfile.mkdtemp(prefix="dlint-bench-user-"))
    (user / "Dockerfile").write_text("FROM dlint-base:1\nRUN echo users-own-build > /u\nCOPY . /src\n")
    for builder in ("buildkit", "classic"):
        engine.build(builder, user, run_id="bench-user")
        print(f"\n{builder}")
        print(f"{'scenario':<9} {'mode':<12} {'median s':>9} {'min s':>7}  {'+images':>7} {'+containers':>11} "
              f"{'+records':>8} {'+cache B':>8} {'+layer B':>8} {'records destroyed':>17}")
        for mode in ("isolated", "prune-cache"):
            for name in SCENARIOS:
                path = REPO / "fixtures" / "cache" / name
                times, residue = [], []
                for _ in range(runs):
                    before = state(engine)
                    started = time.monotonic()
                    verify(path / "before", path / "after", engine=engine, builder=builder,
                           prune_cache=mode == "prune-cache")
                    times.append(time.monotonic() - started)
                    after = state(engine)
                    residue.append((len(after["image_ids"] - before["image_ids"]),
                                    after["containers"] - before["containers"],
                                    len(after["record_ids"] - before["record_ids"]),
                                    sum(r for r in [after["cache_bytes"] - before["cache_bytes"]]),
                                    after["layer_bytes"] - before["layer_bytes"],
                                    f"{len(before['record_ids'] - after['record_ids'])} of {before['records']}"))
                im, co, rec, cb, lb, gone = residue[-1]
                print(f"{name:<9} {mode:<12} {statistics.median(times):>9.2f} {min(times):>7.2f}  {im:>7} {co:>11} "
                      f"{rec:>8} {cb:>8} {lb:>8} {gone:>17}")
        # Timings again, the two modes interleaved (a shared machine's load drifts).
        print(f"{'scenario':<9} interleaved medians: isolated s / prune-cache s")
        for name in SCENARIOS:
            path = REPO / "fixtures" / "cache" / name
            took: dict[str, list[float]] = {"isolated": [], "prune-cache": []}
            for _ in range(runs):
                for mode in took:
                    started = time.monotonic()
                    verify(path / "before", path / "after", engine=engine, builder=builder,
                           prune_cache=mode == "prune-cache")
                    took[mode].append(time.monotonic() - started)
            print(f"{name:<9} {statistics.median(took['isolated']):.2f} / {statistics.median(took['prune-cache']):.2f}")
        engine.remove_images("bench-user")
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
