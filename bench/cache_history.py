"""`dlint cache diff` over a repository's recent history: which steps each commit reruns.

For each of the last N commits (default 40) of the repository (default: this one), the
commit's tree and its first parent's tree are exported with `git archive`, one Dockerfile
and .dockerignore are laid over both (default: this repository's own, from the working
tree, so every commit is judged against the same build), and `dlint cache diff PARENT
COMMIT --format json` predicts the cache effect of the commit. Prints one line per commit
(how many steps rerun, and the first one) and then, per step, how many commits rerun it,
with the time each `cache diff` process took.

    .venv/bin/python bench/cache_history.py [--repo DIR] [-n 40] [--builder buildkit]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def export(repo: Path, rev: str, dest: Path, overlay: dict[str, bytes]) -> None:
    data = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", rev],
                          check=True, capture_output=True).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="tar") if sys.version_info >= (3, 12) else tar.extractall(dest)
    for name, content in overlay.items():
        (dest / name).write_bytes(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=HERE)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--dockerfile", type=Path, default=HERE / "Dockerfile")
    parser.add_argument("--dockerignore", type=Path, default=HERE / ".dockerignore")
    parser.add_argument("--builder", default="buildkit")
    args = parser.parse_args()
    dlint = shutil.which("dlint") or str(Path(sys.executable).with_name("dlint"))
    overlay = {"Dockerfile": args.dockerfile.read_bytes()}
    if args.dockerignore.is_file():
        overlay[".dockerignore"] = args.dockerignore.read_bytes()
    commits = git(args.repo, "rev-list", f"-n{args.n}", "HEAD").split()
    reruns: Counter[tuple[int, str]] = Counter()
    uncertain: Counter[tuple[int, str]] = Counter()
    seconds, changed_commits, failures = [], 0, 0
    steps_text: dict[tuple[int, str], str] = {}
    with tempfile.TemporaryDirectory(prefix="dlint-history-") as tmp:
        exported: dict[str, Path] = {}

        def tree(rev: str) -> Path:
            if rev not in exported:
                exported[rev] = Path(tmp) / rev
                export(args.repo, rev, exported[rev], overlay)
            return exported[rev]

        for commit in commits:
            parents = git(args.repo, "rev-list", "--parents", "-n1", commit).split()[1:]
            if not parents:
                continue
            subject = git(args.repo, "log", "-1", "--format=%s", commit).strip()
            before, after = tree(parents[0]), tree(commit)
            start = time.perf_counter()
            proc = subprocess.run([dlint, "cache", "diff", str(before), str(after), "--format", "json",
                                   "--builder", args.builder], capture_output=True, text=True)
            seconds.append(time.perf_counter() - start)
            if proc.returncode != 0:
                failures += 1
                print(f"{commit[:9]} exit {proc.returncode}: {proc.stderr.strip()[:200]}")
                continue
            steps = json.loads(proc.stdout)["steps"]
            rerun = [s for s in steps if s["cached"] is False]
            for s in steps:
                key = (s["line"], s["stage"] or "")
                steps_text[key] = s.get("text") or s["instruction"]
                if s["cached"] is False:
                    (reruns if s.get("certain", True) else uncertain)[key] += 1
            changed_commits += bool(rerun)
            first = f"line {rerun[0]['line']} {rerun[0]['instruction']}: {rerun[0]['reason']}" if rerun else "all cached"
            maybe = sum(1 for s in rerun if not s.get("certain", True))
            print(f"{commit[:9]} {len(rerun) - maybe:2d} rerun, {maybe} maybe  {subject[:55]}\n          {first[:110]}")
    print(f"\n{len(seconds)} commits, builder {args.builder}: {changed_commits} rerun something, "
          f"{failures} failed; cache diff {statistics.median(seconds):.2f} s median, {max(seconds):.2f} s max")
    print("\nline  stage        reruns  uncertain  instruction")
    for key in sorted(steps_text):
        print(f"{key[0]:4d}  {key[1][:11]:11s}  {reruns[key]:6d}  {uncertain[key]:9d}  {steps_text[key][:60]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
