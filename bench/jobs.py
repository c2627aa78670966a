"""`dlint check --jobs`: the corpus (../shared/corpus) linted in one process and in several.

    python bench/jobs.py [-n RUNS] [--small-runs RUNS] [--skip-small]

1. the whole corpus in one invocation with -j1, -j2 and the default (one process per
   core, when the files are many enough), ShellCheck warm (its disk cache filled by a run
   before the timings) and without it (`--ignore SC`); every variant's output is compared
   byte for byte with -j1's;
2. small sets (1, 8, 24, 64 corpus files), -j1 against -j2 and the default, warm: where a
   pool starts to pay for itself (dlint.lint.parallel's AUTO_* thresholds come from here).

Median wall time and the CPU time (user+sys of dlint, its worker processes and the
ShellCheck processes, all waited for) of RUNS runs, the corpus variants run round-robin.
The machine may be shared: the load average is printed at the start and the end, and a
parallel run cannot be faster than the idle cores allow; compare the CPU columns to see
that the workers do no more work than one process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
ENV["DLINT_NO_PLUGINS"] = "1"


def run(cmd: list[str]) -> tuple[float, float, bytes]:
    """(wall s, cpu s, stdout) of one command, its waited-for children included."""
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV, cwd=CORPUS)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, done.stdout


def measure(cmd: list[str], runs: int) -> tuple[float, float, bytes]:
    results = [run(cmd) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            results[0][2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--runs", type=int, default=3, help="runs per corpus variant (median)")
    parser.add_argument("--small-runs", type=int, default=7, help="runs per small-set variant (median)")
    parser.add_argument("--skip-small", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is not present")
    dlint = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith((".tsv", ".md")))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(files)} corpus files; {cores} cores; load average {load:.2f} at the start")

    base = [dlint, "check", "--format", "json", "."]
    run(base)  # fills ShellCheck's disk cache: "warm"
    print("\nwhole corpus, one invocation (median of %d, the variants interleaved)" % args.runs)
    print(f"{'variant':<28}{'wall s':>8}{'cpu s':>8}{'speedup':>9}  same output as -j1")
    for label, extra in (("warm", []), ("--ignore SC", ["--ignore", "SC"])):
        variants = {jobs: base + extra + (["--jobs", jobs] if jobs else []) for jobs in ("1", "2", None)}
        # round-robin: a load change on the shared machine hits every variant alike
        timings: dict = {jobs: [] for jobs in variants}
        outputs = {}
        for _ in range(args.runs):
            for jobs, cmd in variants.items():
                wall, cpu, out = run(cmd)
                timings[jobs].append((wall, cpu))
                outputs.setdefault(jobs, out)
        serial_wall = statistics.median(w for w, _ in timings["1"])
        for jobs in variants:
            wall = statistics.median(w for w, _ in timings[jobs])
            cpu = statistics.median(c for _, c in timings[jobs])
            name = f"{label}, " + (f"-j{jobs}" if jobs else "default")
            same = "yes" if outputs[jobs] == outputs["1"] else "NO"
            print(f"{name:<28}{wall:>8.2f}{cpu:>8.2f}{serial_wall / wall:>8.2f}x  {same}")
    if args.skip_small:
        print_load()
        return
    print("\nsmall sets, warm (median of %d)" % args.small_runs)
    print(f"{'files':>6}{'KB':>6}{'-j1 wall':>10}{'-j2 wall':>10}{'default':>10}{'-j1 cpu':>9}{'-j2 cpu':>9}")
    for count in (1, 8, 24, 64):
        chosen = files[:: max(1, len(files) // count)][:count]
        size = sum((CORPUS / name).stat().st_size for name in chosen) // 1024
        cmd = [dlint, "check", "--format", "json", *chosen]
        one = measure(cmd + ["-j1"], args.small_runs)
        two = measure(cmd + ["-j2"], args.small_runs)
        auto = measure(cmd, args.small_runs)
        assert one[2] == two[2] == auto[2], "outputs differ"
        print(f"{count:>6}{size:>6}{one[0]:>10.3f}{two[0]:>10.3f}{auto[0]:>10.3f}{one[1]:>9.3f}{two[1]:>9.3f}")
    print_load()


def print_load() -> None:
    if hasattr(os, "getloadavg"):
        print("\nload average at the end: %.2f %.2f %.2f (1, 5, 15 min)" % os.getloadavg())


if __name__ == "__main__":
    main()
