"""Time shell-parsing every RUN of ../shared/corpus: prints RUNs, commands, seconds, rates.

Usage: python bench/shell.py [CORPUS_DIR] [--repeat N]

Instructions come from dlint.syntax.parse when it is available, else from BuildKit's parser
(the `dockerfile` test oracle); Dockerfile parsing is not timed, only script_of() and the
effective-command expansion rules use (wrappers, `sh -c`).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlint.shell import script_of  # noqa: E402
from dlint.syntax.nodes import Heredoc, Instruction  # noqa: E402

_WINDOWS_IMAGES = ("windows", "nanoserver", "servercore")


@dataclass
class State:
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    windows: bool = False


def _runs_with_syntax(path: Path):
    from dlint.syntax import parse

    doc = parse(path.read_bytes(), str(path))
    try:
        from dlint.model import build_model

        model = build_model(doc)
        for ins in doc.instructions:
            if ins.keyword == "RUN":
                yield ins, model.state_at(ins)
        return
    except Exception:  # the model may not exist yet: track SHELL by hand
        pass
    yield from _naive_states(doc.instructions)


def _naive_states(instructions):
    state = State()
    for ins in instructions:
        if ins.keyword == "FROM":
            image = (ins.value[0] if ins.value else "").lower()
            state = State(windows=any(w in image for w in _WINDOWS_IMAGES))
        elif ins.keyword == "SHELL" and ins.json and ins.value:
            state = State(shell=list(ins.value), windows=state.windows)
        elif ins.keyword == "RUN":
            yield ins, state


def _runs_with_oracle(path: Path):
    import dockerfile

    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    instructions = []
    for c in dockerfile.parse_file(str(path)):
        instructions.append(Instruction(
            keyword=c.cmd.upper(), raw_keyword=c.cmd, start_line=c.start_line,
            end_line=c.end_line, value=list(c.value), json=c.json, original=c.original,
            heredocs=[Heredoc(name=h.name, content=h.content) for h in c.heredocs],
            source_lines=lines[c.start_line - 1:c.end_line]))
    yield from _naive_states(instructions)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    files = sorted(p for p in Path(opts.corpus).iterdir() if p.is_file() and p.suffix != ".tsv")
    try:
        from dlint.syntax import parse  # noqa: F401
        reader, source = _runs_with_syntax, "dlint.syntax"
    except ImportError:
        reader, source = _runs_with_oracle, "dockerfile (BuildKit oracle)"
    runs = []
    for f in files:
        try:
            runs.extend(reader(f))
        except Exception as exc:  # a file BuildKit rejects: skipped, counted
            print(f"skip {f.name}: {exc}", file=sys.stderr)
    t0 = time.perf_counter()
    import tree_sitter  # noqa: F401
    script_of(runs[0][0], runs[0][1])
    first = time.perf_counter() - t0
    best = None
    for _ in range(opts.repeat):
        t0 = time.perf_counter()
        commands = effective = errors = posix = 0
        for ins, state in runs:
            script = script_of(ins, state)
            commands += len(script.commands)
            effective += len(script.effective_commands)
            errors += bool(script.errors)
            posix += script.posix
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    # tree-sitter alone on the same texts: the floor, and a load-independent ratio
    from dlint.shell.parse import _parser
    texts = [script_of(ins, state).text.encode("utf-8", "replace") for ins, state in runs]
    parser = _parser()
    t0 = time.perf_counter()
    for data in texts:
        parser.parse(data)
    floor = time.perf_counter() - t0
    print(f"instructions from: {source}")
    print(f"files: {len(files)}  RUNs: {len(runs)}  POSIX: {posix}  with shell errors: {errors}")
    print(f"commands: {commands}  effective (wrappers, sh -c): {effective}")
    print(f"first parse incl. tree-sitter import: {first * 1000:.1f} ms")
    print(f"best of {opts.repeat}: {best:.3f} s  = {len(runs) / best:,.0f} RUNs/s, "
          f"{commands / best:,.0f} commands/s, {best / len(files) * 1000:.2f} ms/file")
    print(f"tree-sitter parse alone: {floor:.3f} s  (script_of = {best / floor:.1f}x that)")


if __name__ == "__main__":
    main()
