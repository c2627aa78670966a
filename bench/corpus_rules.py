"""Whole-corpus lint with every rule: this checkout against another dlint, side by side.

    python bench/corpus_rules.py [--baseline PATH/TO/dlint] [-n RUNS]

Runs `dlint check --select ALL ../shared/corpus` RUNS times with each executable,
interleaved (so load changes hit both alike), after one warm-up run each, and prints the
median and minimum wall and CPU (user+sys) seconds and the ratio of median CPU times
(after / before). Without --baseline only this checkout's figures are printed. Build the
baseline from the commit to compare with, e.g. `git archive <commit> | tar -x -C /tmp/base
&& python3 -m venv /tmp/base/.venv && /tmp/base/.venv/bin/pip install /tmp/base`.

Children may write bytecode (an edited module of an editable install is otherwise
recompiled on every run, which a pip-installed baseline never pays): PYTHONDONTWRITEBYTECODE
is removed from their environment. The machine is shared: compare CPU, not wall time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_hadolint import load, run_once  # noqa: E402
from startup import CORPUS  # noqa: E402

HERE = Path(sys.executable).parent / "dlint"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", help="another dlint executable to compare with")
    ap.add_argument("-n", "--runs", type=int, default=8)
    opts = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        sys.exit(2)
    sides = {"after": str(HERE)}
    if opts.baseline:
        sides = {"before": opts.baseline, **sides}
    print(f"load before: {load()}")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for exe in sides.values():
        run_once([exe, "check", "--select", "ALL", str(CORPUS)])          # warm-up
    for _ in range(opts.runs):
        for name, exe in sides.items():
            wall, cpu, _code = run_once([exe, "check", "--select", "ALL", str(CORPUS)])
            times[name].append((wall, cpu))
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        print(f"{name:6} wall median {statistics.median(walls):.2f}s min {min(walls):.2f}s | "
              f"cpu median {statistics.median(cpus):.2f}s min {min(cpus):.2f}s")
    if "before" in times:
        ratio = statistics.median(c for _, c in times["after"]) / statistics.median(
            c for _, c in times["before"])
        print(f"cpu ratio after/before: {ratio:.2f}")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
