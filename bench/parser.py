"""Parser throughput on ../shared/corpus: dlint.syntax.parse vs BuildKit's Go parser
(the `dockerfile` package, parse_string) on the same decoded texts. SPEC §7: within 2x.

    python bench/parser.py [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    opts = ap.parse_args()

    import dockerfile

    from dlint.syntax import NotText, decode_source, parse

    texts = []
    for p in sorted(CORPUS.iterdir()):
        if p.name in ("MANIFEST.tsv", "DUPLICATES.tsv"):
            continue
        try:
            texts.append(decode_source(p.read_bytes()))
        except NotText:
            continue

    def run_go():
        for t in texts:
            try:
                dockerfile.parse_string(t)
            except dockerfile.GoParseError:
                pass

    def run_dlint():
        for t in texts:
            parse(t)

    best = {}
    for name, fn in (("go", run_go), ("dlint", run_dlint)):
        fn()  # warm up
        times = []
        for _ in range(opts.rounds):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
    size = sum(len(t) for t in texts) / 1e6
    print(f"corpus: {len(texts)} files, {size:.1f} MB (best of {opts.rounds})")
    print(f"BuildKit Go parser (dockerfile 3.4): {best['go'] * 1000:8.1f} ms  {best['go'] / len(texts) * 1e6:6.0f} us/file")
    print(f"dlint.syntax.parse:                  {best['dlint'] * 1000:8.1f} ms  {best['dlint'] / len(texts) * 1e6:6.0f} us/file")
    print(f"ratio dlint/go: {best['dlint'] / best['go']:.2f}x (target <= 2x)")
    huge = {
        "100k continuation lines": "FROM a\nRUN a \\\n" + "  && b \\\n" * 100_000 + "  && c\n",
        "10 MB RUN + 10 MB ENV": "FROM a\nRUN echo " + "x" * 10_000_000 + "\nENV A=" + "y" * 10_000_000 + "\n",
        "10 MB --mount flag": "FROM a\nRUN --mount=" + "z" * 10_000_000 + " x\n",
    }
    for name, text in huge.items():  # tests/test_parser.py checks the results, not the time
        t0 = time.perf_counter()
        parse(text)
        print(f"{name + ':':36} {(time.perf_counter() - t0) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
