"""How fast `dlint lsp` answers (issue 13: one lint of a 200-line file well under 100 ms warm).

    python bench/lsp_latency.py [-n RUNS] [--file DOCKERFILE]

1. in process, the server's lint (dlint.lsp.Linter.lint: config lookup, parse, every rule,
   ShellCheck) of a ~200-line Dockerfile: cold (first lint of the process), warm on the
   same text, and warm after an edit to one RUN (that script goes through ShellCheck
   again, the others come from its in-memory cache);
2. a real `dlint lsp` process over stdio: start to `initialize` answered, didOpen to
   publishDiagnostics, didChange to publishDiagnostics (the 200 ms debounce included,
   and without it), hover and codeAction round trips. Medians of RUNS.

The default file is made here (200 lines: three stages, apt/pip/npm RUNs, COPY, ENV,
LABEL); --file takes another (../shared/corpus has real ones). The ShellCheck disk
cache is a temporary folder, so nothing is reused from earlier runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_dockerfile(lines: int = 200) -> str:
    head = ["# syntax=docker/dockerfile:1", "ARG PY=3.12", "FROM python:${PY}-slim AS build",
            "WORKDIR /src", "ENV PIP_DISABLE_PIP_VERSION_CHECK=1"]
    block = [
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "COPY requirements{n}.txt .",
        "RUN pip install --no-cache-dir -r requirements{n}.txt && echo $HOME/{n}",
        "LABEL org.opencontainers.image.version=\"1.{n}\"",
        "ENV STEP{n}=done",
        "RUN for f in /src/*.py; do python -m py_compile \"$f\"; done",
        "",
    ]
    tail = ["FROM node:20-alpine AS web", "RUN npm install -g yarn@1.22.22", "COPY --from=build /src /src",
            "FROM python:${PY}-slim", "COPY --from=build /src /app", "USER 1000", 'CMD ["python", "/app/main.py"]']
    out = list(head)
    n = 0
    while len(out) + len(block) + len(tail) <= lines:
        out += [line.format(n=n) for line in block]
        n += 1
    out += tail
    while len(out) < lines:
        out.insert(len(head), "# a comment")
    return "\n".join(out) + "\n"


def edit(text: str, i: int) -> str:
    """The text with one RUN changed (the generated file's), else one RUN added."""
    marker = "echo $HOME/0"
    return text.replace(marker, f"echo $HOME/edit{i}", 1) if marker in text else text + f"RUN echo edit{i}\n"


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})"


def in_process(text: str, path: str, runs: int) -> None:
    started = time.perf_counter()
    from dlint.lsp import Linter

    linter = Linter(root=os.path.dirname(path))
    first = time.perf_counter()
    linted = linter.lint(text, path, 1)
    cold = time.perf_counter() - first
    print(f"  import dlint.lsp + registry:   {(first - started) * 1000:7.1f} ms  (rule index built anew: empty cache folder)")
    print(f"  first lint (cold):             {cold * 1000:7.1f} ms  ({len(linted.findings)} findings)")
    warm = []
    for _ in range(runs):
        linted = linter.lint(text, path, 1)
        warm.append(linted.seconds)
    print(f"  warm lint, same text:          {median_ms(warm)}")
    edited = []
    for i in range(runs):
        linted = linter.lint(edit(text, i), path, 1)
        edited.append(linted.seconds)
    print(f"  warm lint, one RUN edited:     {median_ms(edited)}  (that RUN through ShellCheck again)")
    if linted.errors:
        print("  errors:", linted.errors)


class Client:
    def __init__(self, cwd: str, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "dlint", "lsp"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.messages.put((time.perf_counter(), json.loads(stream.read(length))))

    def send(self, message: dict) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        sent = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return sent

    def wait(self, match, timeout: float = 30.0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        while True:
            item = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if item is None:
                raise SystemExit("the server exited")
            if match(item[1]):
                return item

    def request(self, method: str, params: dict | None) -> tuple[float, dict]:
        self.next_id += 1
        ident = self.next_id
        sent = self.send({"id": ident, "method": method, "params": params})
        received, message = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        return received - sent, message.get("result")


def over_stdio(text: str, path: str, runs: int, env: dict) -> None:
    from dlint.lsp import DEBOUNCE_SECONDS

    uri = Path(path).as_uri()
    started = time.perf_counter()
    client = Client(os.path.dirname(path), env)
    elapsed, _ = client.request("initialize", {"processId": os.getpid(), "rootUri": Path(path).parent.as_uri(),
                                               "capabilities": {}})
    print(f"  process start to initialize:   {(time.perf_counter() - started) * 1000:7.1f} ms")
    client.send({"method": "initialized", "params": {}})

    def diagnostics(version: int):
        return client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"].get("version") == version)

    sent = client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})
    received, message = diagnostics(1)
    count = len(message["params"]["diagnostics"])
    print(f"  didOpen to diagnostics (cold): {(received - sent) * 1000:7.1f} ms  ({count} diagnostics)")
    changes = []
    version = 1
    for i in range(runs):
        version += 1
        new = edit(text, runs + i)
        sent = client.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new}]}})
        received, _ = diagnostics(version)
        changes.append(received - sent)
    print(f"  didChange to diagnostics:      {median_ms(changes)}  (debounce {DEBOUNCE_SECONDS * 1000:.0f} ms included)")
    print(f"    without the debounce:        {median_ms([c - DEBOUNCE_SECONDS for c in changes])}")
    lines = new.split("\n")
    run_line = next((i for i, line in enumerate(lines) if line.startswith("RUN")), 0)
    from_line = next((i for i, line in enumerate(lines) if line.startswith("FROM")), 0)
    hovers, actions = [], []
    for _ in range(runs):
        elapsed, _ = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                           "position": {"line": from_line, "character": 7}})
        hovers.append(elapsed)
        elapsed, result = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "context": {"diagnostics": []},
            "range": {"start": {"line": run_line, "character": 0}, "end": {"line": run_line, "character": 80}}})
        actions.append(elapsed)
    print(f"  hover on FROM:                 {median_ms(hovers)}")
    print(f"  codeAction on a RUN line:      {median_ms(actions)}  ({len(result or [])} actions)")
    client.request("shutdown", None)
    client.send({"method": "exit"})
    client.proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--runs", type=int, default=21)
    parser.add_argument("--file", help="a Dockerfile (default: a generated 200-line one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.file:
            text = Path(args.file).read_text(encoding="utf-8")
        else:
            text = make_dockerfile()
        path = os.path.join(tmp, "Dockerfile")
        Path(path).write_text(text, encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": os.path.join(tmp, "cache")}
        os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]
        print(f"{args.file or 'generated Dockerfile'}: {len(text.splitlines())} lines, "
              f"{text.count(chr(10) + 'RUN ')} RUNs; medians of {args.runs}")
        print("in process (dlint.lsp.Linter.lint):")
        in_process(text, path, args.runs)
        print("a dlint lsp process over stdio:")
        over_stdio(text, path, args.runs, env)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
