"""`dlint check` with the context rules (DF303-DF305) in a 100,000-file build context.

Generates a context in a temp dir: 96,000 source files in 960 folders, a 2,000-file
`node_modules/`, a 2,000-file `.git/`, and one Dockerfile per scenario. Prints the whole
`dlint check` process time (best of 5, warm page cache) for each:

  no-copy        a Dockerfile with no COPY/ADD from the context (the context is never listed)
  copy-files     COPY of two named files (two lookups)
  copy-ignored   COPY . . with a .dockerignore that excludes node_modules and .git
  copy-all       COPY . . with no .dockerignore: every folder listed, files in node_modules
                 and .git measured (lstat)

Target (issue 14): under a second for each. Wall and CPU (user + sys) times are printed:
on a loaded machine the wall time measures the neighbours.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FOLDERS, PER_FOLDER, CLUTTER = 960, 100, 2_000
SCENARIOS = {
    "no-copy": ("FROM python:3.12-slim\nRUN pip install flask\nCOPY --from=busybox /bin/true /t\n", None),
    "copy-files": ("FROM python:3.12-slim\nCOPY requirements.txt app.py /app/\n", None),
    "copy-ignored": ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n", "node_modules\n.git\n"),
    "copy-all": ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n", None),
}


def make_context(root: Path) -> int:
    count = 0
    for name, text in (("requirements.txt", "flask\n"), ("app.py", "print(1)\n")):
        (root / name).write_text(text)
        count += 1
    for i in range(FOLDERS):
        folder = root / "src" / f"pkg{i // 40}" / f"mod{i}"
        folder.mkdir(parents=True)
        for j in range(PER_FOLDER):
            (folder / f"f{j}.py").write_text("x = 1\n")
            count += 1
    for top, sub in (("node_modules", "pkg"), (".git", "objects")):
        for j in range(CLUTTER):
            folder = root / top / f"{sub}{j // 100}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"o{j}").write_bytes(b"y" * 100)
            count += 1
    return count


def best_of(runs: int, argv: list[str], cwd: Path) -> tuple[float, float, int, bytes]:
    """Best wall time and best CPU time (user + sys of the child): on a shared machine
    the CPU time is the figure that does not depend on the load."""
    best, best_cpu, code, out = float("inf"), float("inf"), 0, b""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, capture_output=True)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu = min(best_cpu, cpu)
        code, out = proc.returncode, proc.stdout
    return best, best_cpu, code, out


def main() -> None:
    dlint = shutil.which("dlint", path=str(Path(sys.executable).parent)) or "dlint"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ctx"
        root.mkdir()
        files = make_context(root)
        print(f"context: {files:,} files")
        for name, (dockerfile, ignore) in SCENARIOS.items():
            (root / "Dockerfile").write_text(dockerfile)
            ignore_path = root / ".dockerignore"
            if ignore is None:
                ignore_path.unlink(missing_ok=True)
            else:
                ignore_path.write_text(ignore)
            seconds, cpu, code, out = best_of(5, [dlint, "check", "--format", "json", "Dockerfile"], root)
            found = sum(1 for f in json.loads(out or b"[]") if f["code"] in ("DF303", "DF304", "DF305"))
            print(f"{name:14} {seconds * 1000:7.0f} ms wall  {cpu * 1000:6.0f} ms cpu  exit {code}  "
                  f"context-rule findings {found}")


if __name__ == "__main__":
    main()
