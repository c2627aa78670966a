"""What ~90 more rule modules cost one `dlint check` of a typical file, eager and lazy.

    python bench/rule_loading.py [-n RUNS] [--extra N] [FILE]

Makes N dummy rule modules (copies of rules/packages/apk_no_cache.py with their own code,
name and trigger word) in a temporary folder appended to ``dlint.rules.__path__`` (the
source tree is not touched), then times, in fresh processes, ``main(["check", ...])``:
imports plus the lint, CPU time measured inside the process (steadier than wall time on
a busy machine; the interpreter's own start, ~20 ms, is left out). Variants, interleaved:

- the built-in rules only, eager (``DLINT_RULE_INDEX=0``: every module imported, as before
  the rule index) and lazy (the rule index);
- built-ins plus N dummy RUN rules whose trigger word the file lacks, eager and lazy;
- built-ins plus N dummy RUN rules without triggers, lazy (keywords alone: a file with a
  RUN imports them all).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import typical_file  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "rules" / "packages" / "apk_no_cache.py"

CHILD = """
import os, sys, time, io
t = time.process_time()
extra = os.environ.get("BENCH_EXTRA_RULES")
if extra:
    import dlint.rules
    dlint.rules.__path__.append(extra)
from dlint.cli import main
sys.stdout = io.StringIO()
main(["check", "--format", "json", sys.argv[1]])
sys.stdout = sys.__stdout__
print((time.process_time() - t) * 1000)
"""


def make_rules(folder: Path, count: int, triggers: bool) -> None:
    package = folder / "bench_extra"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""dummy rules for bench/rule_loading.py"""\n')
    text = MODEL.read_text(encoding="utf-8")
    for i in range(1, count + 1):
        module = (text.replace('"DF502"', f'"XB{i:03d}"').replace('"apk-no-cache"', f'"bench-rule-{i}"')
                  .replace("ApkNoCache", f"BenchRule{i}").replace('"DL3019"', f'"BenchAlias{i}"'))
        module = module.replace('triggers = ("apk",)', f'triggers = ("benchtool{i}",)' if triggers else "")
        (package / f"bench_rule_{i}.py").write_text(module)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("-n", "--runs", type=int, default=30)
    ap.add_argument("--extra", type=int, default=90)
    opts = ap.parse_args()
    target = str(Path(opts.file) if opts.file else typical_file())
    print(f"file: {Path(target).name}; {opts.runs} runs per variant; CPU ms inside the process")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        with_triggers, without = tmp_path / "with", tmp_path / "without"
        make_rules(with_triggers, opts.extra, True)
        make_rules(without, opts.extra, False)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the index of these layouts stays here
        base["DLINT_NO_PLUGINS"] = "1"
        n = opts.extra
        variants = {
            "built-ins, eager": {"DLINT_RULE_INDEX": "0"},
            "built-ins, lazy (rule index)": {"DLINT_RULE_INDEX": "1"},
            f"+{n} with triggers, eager": {"DLINT_RULE_INDEX": "0", "BENCH_EXTRA_RULES": str(with_triggers)},
            f"+{n} with triggers, lazy": {"DLINT_RULE_INDEX": "1", "BENCH_EXTRA_RULES": str(with_triggers)},
            f"+{n} without triggers, lazy": {"DLINT_RULE_INDEX": "1", "BENCH_EXTRA_RULES": str(without)},
        }
        results: dict[str, list[float]] = {label: [] for label in variants}

        def run(extra_env: dict[str, str]) -> float:
            # a fresh cache folder per layout: the index of one layout is not the other's
            env = {**base, **extra_env}
            env["XDG_CACHE_HOME"] = str(tmp_path / "cache" / (Path(extra_env.get("BENCH_EXTRA_RULES", "none")).name))
            out = subprocess.run([sys.executable, "-c", CHILD, target], capture_output=True, text=True, env=env)
            return float(out.stdout.strip().splitlines()[-1])

        for extra_env in variants.values():
            run(extra_env)  # warm: .pyc files and the rule index
        for _ in range(opts.runs):
            for label, extra_env in variants.items():
                results[label].append(run(extra_env))
    for label, values in results.items():
        print(f"{label:34s} min {min(values):6.1f} ms   median {statistics.median(values):6.1f} ms")


if __name__ == "__main__":
    main()
