"""Every BuildKit cache scenario of fixtures/cache/ built on the containerd image store,
predicted as `--builder buildkit-container`: how many agree with the engine, and how long
each takes. The claim it measures: `buildkit-container` differs from `buildkit` only on
COPY/ADD --link (MergeOp), everything else being the same BuildKit cache model.

The engine test (tests/test_cache_engine.py) runs on the containerd store only the
scenarios that list `buildkit-container` (the --link ones); this script runs all of them
against it, expecting the `buildkit` table except where a scenario has its own
`buildkit-container` table. Needs the containerd-store test engine, whose build cache it
empties before each scenario (a private engine: it must have dlint-base:1):

    DLINT_ENGINE_STORE=containerd scripts/test-engine start
    .venv/bin/python bench/containerd_store.py [NAME ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def main(names: list[str]) -> int:
    from conftest_engine import containerd_engine_location, docker_cli
    from test_cache_engine import load_scenario, run_scenario, scenario_dirs, three_way_table

    from dlint.cache.engine import Engine

    host, config = containerd_engine_location()
    if host is None:
        print("no containerd-store engine: DLINT_ENGINE_STORE=containerd scripts/test-engine start", file=sys.stderr)
        return 2
    engine = Engine(host, config, docker_cli=docker_cli())
    if engine.image_store() != "containerd" or engine.inspect_image("dlint-base:1") is None:
        print(f"the engine at {host} is not the containerd-store test engine", file=sys.stderr)
        return 2
    print(f"Docker Engine {engine.engine_version()}, {engine.image_store()} image store, at {host}")
    started = time.monotonic()
    agree, differ, times = [], [], []
    for path in scenario_dirs():
        if names and path.name not in names:
            continue
        scenario = load_scenario(path)
        table = scenario.expected.get("buildkit-container") or scenario.expected.get("buildkit")
        if table is None:
            continue   # a classic-only scenario
        engine.prune_build_cache(dangling_images=True)
        files: dict = {}
        t0 = time.monotonic()
        result = run_scenario(engine, scenario, "buildkit-container", files)
        times.append(time.monotonic() - t0)
        text, problems = three_way_table(result, table, files)
        (differ if problems else agree).append(path.name)
        print(f"{path.name:6} {'agrees' if not problems else 'DIFFERS'}  {times[-1]:.1f} s", flush=True)
        if problems:
            print(text + "\n" + "\n".join(problems))
    engine.close()
    total = time.monotonic() - started
    print(f"{len(agree)} of {len(agree) + len(differ)} scenarios agree on the containerd image store "
          f"(buildkit-container); {total:.0f} s in all, {total / max(1, len(times)):.1f} s per scenario")
    if differ:
        print("differ: " + " ".join(differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
