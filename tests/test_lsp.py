"""`dlint lsp` end to end: a real server process, spoken to over stdio in JSON-RPC with
Content-Length framing written here (no LSP client library), as an editor would.

Every wait has a timeout, so a hung server fails the test instead of stalling CI.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the test extra installs pygls (dlint-docker[lsp])")

TIMEOUT = 10.0  # seconds for any one answer; the whole module takes ~3 s

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG V=3.12
FROM python:${V} AS base
RUN echo "😀" && apt-get install -y curl
ADD . /app

FROM base
COPY --from=base /app /app
RUN --mount=from=alpine:3.20,target=/x true
RUN rm $(ls)
"""


class Client:
    """A minimal LSP client: framing, requests with ids, notifications in a queue."""

    def __init__(self, cwd: Path, env: dict | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dlint", "lsp"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        self.next_id = 0
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.stderr_reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def _read_stderr(self) -> None:
        self.stderr = self.proc.stderr.read()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def _next(self, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no answer from the server in {TIMEOUT} s; stderr: {self.stderr[-2000:]!r}")
        try:
            message = self.messages.get(timeout=remaining)
        except queue.Empty:
            raise AssertionError(f"no answer from the server in {TIMEOUT} s") from None
        if message is None:
            raise AssertionError(f"the server closed its output; stderr: {self.stderr[-2000:]!r}")
        return message

    def request(self, method: str, params: dict | None = None):
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, **({"params": params} if params is not None else {})})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message
                return message.get("result")
            if "id" in message and "method" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
            self.notifications.append(message)

    def wait_for(self, method: str, predicate=lambda params: True) -> dict:
        """The first notification (already received or coming) matching, removed from the list."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self.notifications):
                if message.get("method") == method and predicate(message.get("params")):
                    del self.notifications[index]
                    return message["params"]
            message = self._next(deadline)
            if "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})
            self.notifications.append(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict]:
        params = self.wait_for("textDocument/publishDiagnostics",
                               lambda p: p["uri"] == uri and (version is None or p.get("version") == version))
        return params["diagnostics"]

    def initialize(self, root: Path, capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return result

    def close(self) -> int:
        """shutdown, exit; the process's exit code."""
        assert self.request("shutdown") is None
        self.notify("exit")
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def client_for(tmp_path):
    clients = []

    def start(env_extra: dict | None = None, capabilities: dict | None = None) -> Client:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **(env_extra or {})}
        client = Client(tmp_path, env)
        clients.append(client)
        client.initialize(tmp_path, capabilities)
        return client

    yield start
    for client in clients:
        client.kill()


# -- helpers that read LSP data the way an editor does (UTF-16 unless negotiated) ----------


def units(text: str, encoding: str = "utf-16") -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def offset(text: str, position: dict, encoding: str = "utf-16") -> int:
    """A code-point offset into text for an LSP position."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: position["line"]])
    line = lines[position["line"]] if position["line"] < len(lines) else ""
    for index in range(len(line) + 1):
        if units(line[:index], encoding) >= position["character"]:
            return start + index
    return start + len(line)


def apply(text: str, edits: list[dict]) -> str:
    spans = sorted(((offset(text, e["range"]["start"]), offset(text, e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for begin, end, new in spans:
        text = text[:begin] + new + text[end:]
    return text


def check_json(path: Path, cwd: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "dlint", "check", "--format", "json", str(path)],
                         cwd=cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def check_text(text: str, tmp_path: Path) -> list[dict]:
    """`dlint check` on a text, as a file in a folder below tmp_path (same config)."""
    folder = tmp_path / "check"
    folder.mkdir(exist_ok=True)
    (folder / "Dockerfile").write_text(text, encoding="utf-8")
    return check_json(folder / "Dockerfile", tmp_path)


def as_lsp(finding: dict, text: str) -> tuple:
    """What the server must publish for a `dlint check --format json` finding."""
    lines = text.split("\n")
    start = (finding["line"] - 1, units(lines[finding["line"] - 1][: finding["column"] - 1]))
    end = (finding["end_line"] - 1, units(lines[finding["end_line"] - 1][: finding["end_column"]]))
    severity = {"error": 1, "warning": 2, "info": 3, "style": 4}[finding["severity"]]
    return (start, end, finding["code"], severity, finding["message"])


def published(diagnostic: dict) -> tuple:
    r = diagnostic["range"]
    return ((r["start"]["line"], r["start"]["character"]), (r["end"]["line"], r["end"]["character"]),
            diagnostic["code"], diagnostic["severity"], diagnostic["message"])


def at(diagnostics: list[dict], code: str) -> dict:
    found = [d for d in diagnostics if d.get("code") == code]
    assert len(found) == 1, (code, diagnostics)
    return found[0]


# -- the session -------------------------------------------------------------------------


def test_a_session_like_an_editor(tmp_path, client_for):
    (tmp_path / ".dlint.toml").write_text('ignore = ["DF302"]\n[severity]\nadd-instead-of-copy = "warning"\n')
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE, encoding="utf-8")
    uri = path.as_uri()
    client = client_for(capabilities={"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}})
    registration = client.wait_for("client/registerCapability")["registrations"][0]
    assert registration["method"] == "workspace/didChangeWatchedFiles"
    assert {"globPattern": "**/.dlint.toml"} in registration["registerOptions"]["watchers"]

    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": DOCKERFILE}})
    diagnostics = client.diagnostics(uri, 1)

    # the findings of `dlint check` on the same file: config (DF302 ignored, DF201 a warning) included
    expected = check_json(path, tmp_path)
    assert {f["code"] for f in expected} >= {"DF201", "DF510", "SC2046"} and "DF302" not in {f["code"] for f in expected}
    assert sorted(published(d) for d in diagnostics) == sorted(as_lsp(f, DOCKERFILE) for f in expected)
    for d in diagnostics:
        assert d["source"] == "dlint"
        if d["code"].startswith("DF"):
            assert d["codeDescription"]["href"].endswith(f"/docs/rules/{d['code']}.md")
    assert at(diagnostics, "SC2046")["codeDescription"]["href"] == "https://www.shellcheck.net/wiki/SC2046"
    assert at(diagnostics, "DF201")["severity"] == 2  # [severity] of .dlint.toml
    # after the emoji (one code point, two UTF-16 units) on line 4: `apt-get` starts at
    # character 16 in code points, 17 in UTF-16
    assert at(diagnostics, "DF510")["range"]["start"] == {"line": 3, "character": 17}
    assert at(diagnostics, "DF510")["range"]["end"] == {"line": 3, "character": 40}

    # the config edited on disk: the client's file watcher says so, the document is linted again
    config = (tmp_path / ".dlint.toml").read_text()
    (tmp_path / ".dlint.toml").write_text(config.replace('["DF302"]', '["DF302", "DF510"]'))
    client.notify("workspace/didChangeWatchedFiles",
                  {"changes": [{"uri": (tmp_path / ".dlint.toml").as_uri(), "type": 2}]})
    assert "DF510" not in {d["code"] for d in client.diagnostics(uri, 1)}
    (tmp_path / ".dlint.toml").write_text(config)
    client.notify("workspace/didChangeWatchedFiles",
                  {"changes": [{"uri": (tmp_path / ".dlint.toml").as_uri(), "type": 2}]})
    assert sorted(published(d) for d in client.diagnostics(uri, 1)) == sorted(published(d) for d in diagnostics)

    # an edit (incremental, in UTF-16 units): `ADD` gone, a `latest` tag on the last FROM
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 0}}, "text": ""},
    ]})
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
        {"range": {"start": {"line": 5, "character": 5}, "end": {"line": 5, "character": 9}},
         "text": "alpine:latest"},
    ]})
    text = DOCKERFILE.replace("ADD . /app\n", "").replace("FROM base\n", "FROM alpine:latest\n")
    diagnostics = client.diagnostics(uri, 3)  # debounced: one lint for both changes
    assert sorted(published(d) for d in diagnostics) == sorted(as_lsp(f, text) for f in check_text(text, tmp_path))
    assert "DF201" not in {d["code"] for d in diagnostics}
    assert at(diagnostics, "DF102")["range"]["start"] == {"line": 5, "character": 0}
    assert not [n for n in client.notifications
                if n.get("method") == "textDocument/publishDiagnostics" and n["params"].get("version") == 2]

    # back to the first text, then code actions on the ADD line
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                             "contentChanges": [{"text": DOCKERFILE}]})
    diagnostics = client.diagnostics(uri, 4)
    add = at(diagnostics, "DF201")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": add["range"], "context": {"diagnostics": [add]}})
    by_title = {a["title"]: a for a in actions}
    assert {"Replace ADD with COPY (DF201)", "Ignore DF201 for this instruction",
            "Ignore DF201 in this file"} <= set(by_title), list(by_title)
    for action in actions:
        assert action["kind"] == "quickfix"
        assert [d["code"] for d in action["diagnostics"]] == ["DF201"]

    def edited(title: str) -> str:
        return apply(DOCKERFILE, by_title[title]["edit"]["changes"][uri])

    assert edited("Replace ADD with COPY (DF201)") == DOCKERFILE.replace("ADD . /app", "COPY . /app")
    assert by_title["Replace ADD with COPY (DF201)"].get("isPreferred") is True
    ignored_here = edited("Ignore DF201 for this instruction")
    assert ignored_here == DOCKERFILE.replace("ADD . /app", "# dlint: ignore=DF201\nADD . /app")
    ignored_file = edited("Ignore DF201 in this file")
    # below the `# syntax=` directive: a comment above it would end the directives
    assert ignored_file == DOCKERFILE.replace("dockerfile:1\n", "dockerfile:1\n# dlint: global ignore=DF201\n")

    # fix all (asked for by kind, as editors do on save): what `dlint check --fix` makes of it
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": add["range"], "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert [a["kind"] for a in actions] == ["source.fixAll.dlint"]
    fixed = subprocess.run([sys.executable, "-m", "dlint", "check", "--fix", "-"], input=DOCKERFILE, cwd=tmp_path,
                           capture_output=True, text=True, timeout=60).stdout
    assert fixed != DOCKERFILE and apply(DOCKERFILE, actions[0]["edit"]["changes"][uri]) == fixed

    # the unsafe fix on the apt-get line (DF512: --no-install-recommends) says so
    apt = at(diagnostics, "DF512")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": apt["range"]["start"], "end": apt["range"]["start"]},
        "context": {"diagnostics": []}})
    titles = [a["title"] for a in actions]
    unsafe = [a for a in actions if a["title"].endswith("(unsafe)")]
    assert len(unsafe) == 1 and "DF512" in unsafe[0]["title"], titles
    assert "--no-install-recommends" in apply(DOCKERFILE, unsafe[0]["edit"]["changes"][uri]).split("\n")[3]
    assert "Ignore DF510 for this instruction" in titles  # both findings of the line

    # the pragmas really suppress: applied, the finding is gone, the others stay
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5},
                                             "contentChanges": [{"text": ignored_here}]})
    codes = {d["code"] for d in client.diagnostics(uri, 5)}
    assert "DF201" not in codes and "DF510" in codes
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}},
        "context": {"diagnostics": []}})
    # a second code for the same instruction joins the existing pragma line
    apt_ignore = [a for a in actions if a["title"] == "Ignore DF510 for this instruction"]
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6},
                                             "contentChanges": [{"text": ignored_file}]})
    codes = {d["code"] for d in client.diagnostics(uri, 6)}
    assert "DF201" not in codes and "DF510" in codes
    assert apt_ignore == []  # line 5 (0-based 4) is the pragma line now, no finding there

    # hover: on a finding, on a FROM with an ARG, on COPY --from, on RUN --mount=from
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 7},
                                             "contentChanges": [{"text": DOCKERFILE}]})
    client.diagnostics(uri, 7)
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 1}})
    value = hover["contents"]["value"]
    assert "**DF201** `add-instead-of-copy`" in value and "/docs/rules/DF201.md" in value
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 8}})
    assert "`python:${V}` → `python:3.12`" in hover["contents"]["value"]
    assert "docker.io/library/python:3.12" in hover["contents"]["value"]
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 7, "character": 9}})
    assert "stage `base` (line 3)" in hover["contents"]["value"]
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 8, "character": 15}})
    assert "`alpine:3.20`: image `docker.io/library/alpine:3.20`" in hover["contents"]["value"]
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 5, "character": 0}}) is None  # a blank line

    # broken text: DF000 diagnostics, no crash
    broken = "FROM alpine\nRUN <<EOF\necho unterminated\n"
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 8},
                                             "contentChanges": [{"text": broken}]})
    assert "DF000" in {d["code"] for d in client.diagnostics(uri, 8)}

    # a document that is not a Dockerfile gets nothing; Containerfile by its name does
    other = tmp_path / "notes.txt"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": other.as_uri(), "languageId": "plaintext", "version": 1, "text": "FROM alpine:latest\n"}})
    container = tmp_path / "Containerfile"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": container.as_uri(), "languageId": "plaintext", "version": 1, "text": "FROM alpine:latest\n"}})
    assert "DF102" in {d["code"] for d in client.diagnostics(container.as_uri(), 1)}
    assert not [n for n in client.notifications if n.get("params", {}).get("uri") == other.as_uri()]

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []

    assert client.close() == 0
    client.stderr_reader.join(timeout=TIMEOUT)
    assert not client.stderr_reader.is_alive()
    assert b"Traceback" not in client.stderr, client.stderr.decode(errors="replace")


BROKEN_PLUGIN = '''"""## What it does
Fails on purpose.

## Why is this bad?
A test rule.

## Example
```dockerfile
FROM x
```

## Fix
None.
"""
from dlint.lint.rule import Rule


class Boom(Rule):
    code = "XB001"
    name = "boom"
    severity = "warning"

    def check(self, ctx):
        raise RuntimeError("kaboom")
'''


def test_an_internal_error_is_logged_and_the_server_goes_on(tmp_path, client_for):
    """A rule that raises (a real plugin, installed through its entry point) is logged
    with window/logMessage; the other rules' diagnostics still come, and the server
    answers afterwards. The client here negotiates UTF-8 positions."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "boom_rules.py").write_text(BROKEN_PLUGIN)
    info = site / "boom_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: boom-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[dlint.rules]\nboom = boom_rules\n")
    env = {"PYTHONPATH": str(site), "DLINT_NO_PLUGINS": "0"}
    client = client_for(env, {"general": {"positionEncodings": ["utf-8", "utf-16"]}})
    uri = (tmp_path / "Dockerfile").as_uri()
    text = 'FROM debian:12\nRUN echo "😀" && apt-get install -y curl\n'
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                                            "version": 1, "text": text}})
    diagnostics = client.diagnostics(uri, 1)
    log = client.wait_for("window/logMessage", lambda p: "kaboom" in p["message"])
    assert "internal error in rule XB001 (boom)" in log["message"] and log["type"] == 1
    # the emoji is 4 UTF-8 bytes: `apt-get` starts at byte 19 of the line
    assert at(diagnostics, "DF510")["range"]["start"] == {"line": 1, "character": 19}
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 1, "character": 20}})
    assert "DF510" in hover["contents"]["value"]
    # edits do not log the same error again on every lint
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": text + "# more\n"}]})
    client.diagnostics(uri, 2)
    assert not [n for n in client.notifications if n.get("method") == "window/logMessage"
                and "kaboom" in n["params"]["message"]]

    # a broken config: one message naming it, no diagnostics (as `dlint check` lints nothing)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / ".dlint.toml").write_text("select = 3\n")
    sub_uri = (sub / "Dockerfile").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": sub_uri, "languageId": "dockerfile",
                                                            "version": 1, "text": "FROM alpine:latest\n"}})
    assert client.diagnostics(sub_uri, 1) == []
    shown = client.wait_for("window/showMessage", lambda p: ".dlint.toml" in p["message"])
    assert shown["type"] == 1 and "select" in shown["message"]
    assert client.close() == 0


def test_without_pygls_one_line_and_exit_2(tmp_path):
    # an interpreter where importing pygls fails, as it does when it is not installed
    code = ("import sys; sys.modules['pygls'] = None; sys.modules['lsprotocol'] = None\n"
            "from dlint.cli import main; sys.exit(main(['lsp']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.splitlines() == ["dlint: error: dlint lsp needs pygls, which is not installed: "
                                       "pip install 'dlint-docker[lsp]'"]


def test_check_does_not_import_pygls():
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "dlint", "check", "examples/Dockerfile"],
                         cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")]
    assert "dlint.lint.engine" in imported  # the measurement works
    assert not [m for m in imported if m.split(".")[0] in ("pygls", "lsprotocol", "cattrs", "dlint.lsp")]
    assert "dlint.lsp" not in imported


def test_positions_bom_crlf_and_astral_characters():
    """dlint's columns (characters, BOM not counted) against the client's units."""
    from dlint.lint.finding import TextEdit
    from dlint.lsp import Positions, ignore_file_edit
    from dlint.syntax import parse

    text = "\ufeff# escape=`\r\nFROM alpine # 😀😀\r\nRUN a`\r\n  b\r\n"
    for encoding, per_emoji in (("utf-16", 2), ("utf-8", 4), ("utf-32", 1)):
        positions = Positions(text, encoding)
        bom = {"utf-16": 1, "utf-8": 3, "utf-32": 1}[encoding]
        assert positions.to_client(0, 0) == (0, bom)  # after the BOM the client sees
        assert positions.from_client(0, bom) == (0, 0)
        assert positions.to_client(1, 14) == (1, 14)  # before the first emoji
        assert positions.to_client(1, 15) == (1, 14 + per_emoji)  # after one
        assert positions.from_client(1, 14 + per_emoji) == (1, 15)
        assert positions.to_client(1, 16) == (1, 14 + 2 * per_emoji)
        assert positions.to_client(9, 0) == (4, 0)  # past the end: clamped
    # a dlint edit may address a line's "\n" (column len+1 is just after it)
    positions = Positions("ab\ncd\n")
    assert positions.edit_range(TextEdit(1, 3, 1, 4, "")) == ((0, 2), (1, 0))
    # the file-level pragma goes after the escape directive, with the file's CRLF
    edit = ignore_file_edit(parse(text[1:]), "DF101")
    assert (edit.line, edit.column, edit.text) == (2, 1, "# dlint: global ignore=DF101\r\n")
    # a directive as the whole file, without a final newline: the pragma goes on a new line
    edit = ignore_file_edit(parse("# syntax=docker/dockerfile:1"), "DF101")
    assert (edit.line, edit.column, edit.text) == (1, 29, "\n# dlint: global ignore=DF101")
    # an empty document (DF000, no instructions): the pragma is its first line
    edit = ignore_file_edit(parse(""), "DF000")
    assert (edit.line, edit.column, edit.text) == (1, 1, "# dlint: global ignore=DF000\n")
    assert Positions("").edit_range(edit) == ((0, 0), (0, 0))
    # an existing global pragma takes the code (after its list, before a free comment)
    document = parse("# dlint: global ignore=DF102  # why\nFROM alpine\n")
    edit = ignore_file_edit(document, "DF101")
    assert (edit.line, edit.column, edit.text) == (1, 29, ",DF101")


def test_ignore_for_an_instruction_matches_indentation_and_joins_a_pragma():
    from dlint.fix import apply_edits
    from dlint.lint.finding import Finding
    from dlint.lsp import ignore_instruction_edit
    from dlint.syntax import parse

    def finding(line: int, code: str) -> Finding:
        return Finding("Dockerfile", line, 3, line, 9, code, "x", "warning", "m")

    text = "FROM alpine\n  RUN apk add \\\n      curl\n"
    document = parse(text)
    edit = ignore_instruction_edit(document, finding(3, "DF502"))  # a finding on the continuation line
    assert apply_edits(text, [[edit]])[0] == "FROM alpine\n  # dlint: ignore=DF502\n  RUN apk add \\\n      curl\n"
    text = "FROM alpine\n# dlint: ignore=DF502  # small image\nRUN apk add curl\n"
    edit = ignore_instruction_edit(parse(text), finding(3, "DF514"))
    assert apply_edits(text, [[edit]])[0] == \
        "FROM alpine\n# dlint: ignore=DF502,DF514  # small image\nRUN apk add curl\n"
    # a hadolint pragma is left as it is: a dlint one goes below it (pragmas stack)
    text = "FROM alpine\n# hadolint ignore=DL3018\nRUN apk add curl\n"
    edit = ignore_instruction_edit(parse(text), finding(3, "DF502"))
    assert apply_edits(text, [[edit]])[0] == \
        "FROM alpine\n# hadolint ignore=DL3018\n# dlint: ignore=DF502\nRUN apk add curl\n"
    assert ignore_instruction_edit(parse("FROM alpine\n\n"), finding(2, "DF502")) is None  # no instruction there
