"""dlint with ShellCheck (the SC findings, on by default) next to hadolint 2.15.1, which also
runs ShellCheck on every RUN (issue 10: corpus throughput at least 5x hadolint's).

    python bench/shellcheck.py [-n RUNS] [--limit FILES] [--skip-hadolint-corpus]

1. the corpus (../shared/corpus) in one invocation: `dlint check` with ShellCheck cold
   (no disk cache: every distinct script goes through ShellCheck once), warm (the disk
   cache of a previous run), and without it (`--ignore SC`), against hadolint over the
   same files (200 per process, as the differential tests run it);
2. one typical Dockerfile (bench/startup.py's typical_file), whole process, median of RUNS:
   the same three dlint variants and hadolint.

Wall and CPU time (user+sys of the process and of the ShellCheck processes it waited for)
are both shown: the machine is shared, so compare ratios, and prefer CPU ratios under load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import CORPUS, find_hadolint, typical_file  # noqa: E402

CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> tuple[float, float]:
    """(wall s, cpu s) of one command, its waited-for children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or CHILD_ENV, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--runs", type=int, default=11)
    parser.add_argument("--limit", type=int, default=0, help="only the first FILES corpus files")
    parser.add_argument("--skip-hadolint-corpus", action="store_true",
                        help="hadolint takes ~2 min of CPU over the corpus")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is not present")
    dlint = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
    hadolint = find_hadolint()
    files = sorted(str(p) for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith((".tsv", ".md")))
    if args.limit:
        files = files[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        cold = {**CHILD_ENV, "DLINT_SHELLCHECK_CACHE": "0"}
        warm = {**CHILD_ENV, "XDG_CACHE_HOME": os.path.join(tmp, "cache")}
        run([dlint, "check", "--ignore", "SC", files[0]])  # .pyc and entry-point caches
        print(f"corpus: {len(files)} files, one invocation each")
        rows = {
            "dlint, ShellCheck cold": run([dlint, "check", "--format", "json", *files], cold),
            "dlint, ShellCheck warm (fills the cache)": run([dlint, "check", "--format", "json", *files], warm),
        }
        rows["dlint, ShellCheck warm (disk cache)"] = run([dlint, "check", "--format", "json", *files], warm)
        rows["dlint --ignore SC"] = run([dlint, "check", "--ignore", "SC", "--format", "json", *files])
        if hadolint and not args.skip_hadolint_corpus:
            home = os.path.join(tmp, "home")
            os.makedirs(home)
            env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "XDG_CONFIG_HOME": home}
            wall = cpu = 0.0
            for start in range(0, len(files), 200):
                w, c = run([hadolint, "--no-fail", "-f", "json", *files[start:start + 200]], env, cwd=home)
                wall, cpu = wall + w, cpu + c
            rows["hadolint 2.15.1"] = (wall, cpu)
        base = rows.get("hadolint 2.15.1")
        for label, (wall, cpu) in rows.items():
            ratio = f"   x{base[0] / wall:5.1f} wall, x{base[1] / cpu:5.1f} cpu vs hadolint" if base else ""
            print(f"  {label:42s} {wall:7.2f} s wall {len(files) / wall:7.1f} files/s   {cpu:7.2f} s cpu{ratio}")

        target = typical_file()
        print(f"\none file: {target.name}, median of {args.runs} runs")
        singles = {
            "dlint check, ShellCheck cold": ([dlint, "check", str(target)], cold),
            "dlint check, ShellCheck warm": ([dlint, "check", str(target)], warm),
            "dlint check --ignore SC": ([dlint, "check", "--ignore", "SC", str(target)], None),
        }
        if hadolint:
            singles["hadolint FILE"] = ([hadolint, str(target)], None)
        medians = {}
        for label, (cmd, env) in singles.items():
            samples = [run(cmd, env) for _ in range(args.runs)]
            medians[label] = (statistics.median(s[0] for s in samples) * 1000,
                              statistics.median(s[1] for s in samples) * 1000)
            print(f"  {label:42s} {medians[label][0]:7.1f} ms wall  {medians[label][1]:7.1f} ms cpu")
        if hadolint:
            h = medians["hadolint FILE"]
            for label in list(medians)[:3]:
                print(f"  ratio {label} / hadolint: {medians[label][0] / h[0]:.2f} wall, "
                      f"{medians[label][1] / h[1]:.2f} cpu")


if __name__ == "__main__":
    main()
