"""`dlint lsp`: a language server on stdio, built on pygls (the optional extra `lsp`).

What an editor gets, for every document it opens as `dockerfile` (or whose file name
directory discovery would lint: Dockerfile, *.Dockerfile, Containerfile, Dockerfile.*):

- diagnostics on open, on save and (debounced, DEBOUNCE_SECONDS) on change, cleared on
  close: the findings `dlint check FILE` reports for the text in the editor, with the
  same config (.dlint.toml / pyproject.toml found from the file's folder, or hadolint's),
  pragmas, severities and ShellCheck, through the same engine call (lint_document);
- code actions on a finding: its fix (unsafe ones labelled), "Ignore CODE for this
  instruction" (a `# dlint: ignore=CODE` line above it) and "Ignore CODE in this file"
  (`# dlint: global ignore=CODE`, below the parser directives); and, asked for by kind
  (source.fixAll, as editors do on save), every safe fix as `dlint check --fix` applies them;
- hover: a finding's rule summary and docs link; on FROM, what the image resolves to
  (global ARG defaults applied) or the stage it names; on `COPY --from` and
  `RUN --mount=from=`, the stage or image named.

Positions: dlint counts 1-based lines and columns in characters on the text without its
BOM; LSP counts 0-based lines and columns in the code units the client negotiated
(UTF-16 unless it offers UTF-8 or UTF-32). `Positions` converts between the two.

The lint itself (Linter, Linted) needs no pygls, so bench/lsp_latency.py and the tests can
time it alone; pygls and lsprotocol are imported by `serve()` only, never by `dlint check`.
Lints run in one worker thread, so a slow one (a build context of many files) never
blocks hover or code actions. The build context the context rules read is listed at most
once every CONTEXT_TTL_SECONDS (and again after a save), not on every keystroke. Where
the client can watch files, a changed config or ignore file (WATCHED_FILES) lints every
open document again.
"""

from __future__ import annotations

import os
import sys
import time

DEBOUNCE_SECONDS = 0.2
CONTEXT_TTL_SECONDS = 5.0
LANGUAGE_IDS = frozenset({"dockerfile", "containerfile"})
SOURCE = "dlint"
BOM = "\ufeff"
MISSING_PYGLS = ("dlint lsp needs pygls, which is not installed: "
                 "pip install 'dlint-docker[lsp]'")
PRAGMA = "# dlint: ignore={code}"
FIX_ALL_KIND = "source.fixAll.dlint"  # `dlint check --fix` on the document, when asked by kind
# what a lint reads besides the document: watched when the client offers to
WATCHED_FILES = (".dlint.toml", "pyproject.toml", ".dockerignore", "*.dockerignore", ".hadolint.yaml",
                 ".hadolint.yml")
GLOBAL_PRAGMA = "# dlint: global ignore={code}"


def wanted(language_id: str | None, path: str | None) -> bool:
    """Whether the server lints a document: the client says it is a Dockerfile, or its
    file name is one directory discovery lints (dlint.lint.engine.is_dockerfile_name)."""
    if language_id and language_id.lower() in LANGUAGE_IDS:
        return True
    if path:
        from dlint.lint.engine import is_dockerfile_name

        return is_dockerfile_name(os.path.basename(path))
    return False


# -- positions --------------------------------------------------------------------------


def _units(text: str, encoding: str) -> int:
    if text.isascii() or encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)  # UTF-16: surrogate pairs


class Positions:
    """Between dlint's positions and the client's. ``text`` is the client's text (BOM
    kept); dlint's columns are characters on the text without it."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.bom = text.startswith(BOM)
        self.lines = text.split("\n")
        self.encoding = encoding
        if self.bom:
            self.lines[0] = self.lines[0][1:]

    def _shift(self, line: int) -> str:
        return BOM if self.bom and line == 0 else ""

    def to_client(self, line: int, column: int) -> tuple[int, int]:
        """0-based (line, character column) on dlint's text -> the client's (line, units)."""
        if line >= len(self.lines):
            return len(self.lines) - 1, _units(self._shift(len(self.lines) - 1) + self.lines[-1], self.encoding)
        line = max(0, line)
        text = self.lines[line]
        column = max(0, column)
        units = _units(self._shift(line) + text[:column], self.encoding)
        return line, units + max(0, column - len(text))  # past the end: one unit each

    def from_client(self, line: int, units: int) -> tuple[int, int]:
        """The client's (line, units) -> 0-based (line, character column) on dlint's text."""
        if line >= len(self.lines):
            return len(self.lines) - 1, len(self.lines[-1])
        line = max(0, line)
        count = _units(self._shift(line), self.encoding)
        for index, char in enumerate(self.lines[line]):
            if count >= units:
                return line, index
            count += _units(char, self.encoding)
        return line, len(self.lines[line])

    def range_of(self, finding) -> tuple[tuple[int, int], tuple[int, int]]:
        """A finding's range (its end column is inclusive) in client positions."""
        from dlint.report._common import position

        pos = position(finding)
        return self.to_client(pos.line - 1, pos.column - 1), self.to_client(pos.end_line - 1, pos.end_column)

    def edit_range(self, edit) -> tuple[tuple[int, int], tuple[int, int]]:
        """A TextEdit's range (1-based, end exclusive; may address a line's "\\n") in
        client positions."""
        return self._edit_position(edit.line, edit.column), self._edit_position(edit.end_line, edit.end_column)

    def _edit_position(self, line: int, column: int) -> tuple[int, int]:
        line0, col0 = line - 1, column - 1
        if 0 <= line0 < len(self.lines) and col0 > len(self.lines[line0]) and line0 + 1 < len(self.lines):
            return line0 + 1, 0  # just after the "\n" (dlint.fix allows it): the next line's start
        return self.to_client(line0, col0)


# -- linting ----------------------------------------------------------------------------


class Linted:
    """One lint of one version of a document."""

    def __init__(self, text: str, version: int | None, path: str | None):
        self.text = text              # the client's text (BOM kept)
        self.body = text[1:] if text.startswith(BOM) else text  # what dlint reads
        self.version = version
        self.path = path
        self.document = None          # dlint.syntax Document
        self.findings: list = []
        self.errors: list[str] = []   # one line each: internal errors of rules, config problems
        self.config_error: str | None = None
        self.not_text: tuple[int, int] | None = None  # (line, column) of a NUL, 1-based
        self.pragmas = True           # false under `disable-ignore-pragmas`
        self.seconds = 0.0
        self._model = None

    @property
    def model(self):
        if self._model is None and self.document is not None:
            from dlint.model import MAX_MODELLED_INSTRUCTIONS, build_model

            if len(self.document.instructions) <= MAX_MODELLED_INSTRUCTIONS:
                self._model = build_model(self.document)
        return self._model


class Linter:
    """Lints editor texts as `dlint check PATH` lints files (one per call)."""

    def __init__(self, registry=None, root: str | None = None):
        from dlint.lint.registry import default_registry

        self.registry = registry or default_registry()
        self.root = root
        self._shared: dict = {}
        self._shared_at = 0.0

    def forget_context(self) -> None:
        """List the build context again at the next lint (after a save)."""
        self._shared_at = 0.0

    def _shared_cache(self) -> dict:
        now = time.monotonic()
        if now - self._shared_at > CONTEXT_TTL_SECONDS:
            self._shared, self._shared_at = {}, now
        return self._shared

    def display_path(self, path: str | None) -> str:
        if path is None:
            return "-"
        if self.root:
            relative = os.path.relpath(path, self.root) if os.path.isabs(path) else path
            if not relative.startswith(".." + os.sep) and relative != "..":
                return relative.replace(os.sep, "/")
        return path.replace(os.sep, "/")

    def lint(self, text: str, path: str | None = None, version: int | None = None) -> Linted:
        from pathlib import Path

        from dlint.lint.config import ConfigError, ConfigFinder, resolve_rules
        from dlint.lint.engine import config_context, lint_document
        from dlint.syntax import parse

        started = time.perf_counter()
        linted = Linted(text, version, path)
        body = linted.body
        nul = body.find("\x00")
        if nul >= 0:  # `dlint check` refuses such a file: say so where it is
            line = body.count("\n", 0, nul)
            linted.not_text = (line + 1, nul - (body.rfind("\n", 0, nul) + 1) + 1)
            return linted
        folder = os.path.dirname(path) if path else (self.root or os.getcwd())
        try:  # a fresh finder: an edited .dlint.toml applies at the next lint
            config = ConfigFinder(self.registry, warn=linted.errors.append).for_directory(folder)
        except ConfigError as exc:
            linted.config_error = str(exc)
            return linted
        rule_set = resolve_rules(self.registry, config)
        linted.pragmas = not rule_set.disable_ignore_pragmas
        context_dir, explicit = config_context(Path(path), config) if path is not None else (None, False)
        shown = self.display_path(path)
        linted.document = parse(body, shown)
        linted.findings = lint_document(linted.document, shown, rule_set, registry=self.registry,
                                        context_dir=context_dir, errors=linted.errors,
                                        context_explicit=explicit, dockerfile_path=path,
                                        shared=self._shared_cache())
        linted.seconds = time.perf_counter() - started
        return linted


# -- what the protocol carries, as plain data (lsprotocol types are built in serve()) ---


LSP_SEVERITY = {"error": 1, "warning": 2, "info": 3, "style": 4}  # DiagnosticSeverity


def docs_uri(registry, code: str) -> str | None:
    """The page documenting a finding's code: the one SARIF gives as helpUri."""
    from dlint.report._common import rule_docs_uri

    rule = registry.get(code)
    if rule is not None and code.upper() == rule.code.upper():
        return rule_docs_uri(rule)
    owner = registry.subcode_owner(code)
    if owner is not None:
        return rule_docs_uri(owner, code)
    return None


def diagnostics(linted: Linted, positions: Positions, registry) -> list[dict]:
    """The LSP Diagnostic objects (as JSON data) for a lint."""
    if linted.not_text is not None:
        line, column = linted.not_text
        start = positions.to_client(line - 1, column - 1)
        end = positions.to_client(line - 1, column)
        return [{"range": _range(start, end), "severity": 1, "source": SOURCE,
                 "message": f"not a text file: NUL character at line {line}, column {column}; "
                            "dlint check refuses this file"}]
    out = []
    for finding in linted.findings:
        start, end = positions.range_of(finding)
        item = {"range": _range(start, end), "severity": LSP_SEVERITY.get(finding.severity, 2),
                "code": finding.code, "source": SOURCE,
                "message": finding.message or finding.name or finding.code}
        href = docs_uri(registry, finding.code)
        if href:
            item["codeDescription"] = {"href": href}
        out.append(item)
    return out


def _range(start: tuple[int, int], end: tuple[int, int]) -> dict:
    return {"start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]}}


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start <= b_end and b_start <= a_end


def findings_at(linted: Linted, positions: Positions, start: tuple[int, int], end: tuple[int, int]) -> list:
    """The findings whose range touches the client range [start, end]."""
    return [f for f in linted.findings if _overlaps(*positions.range_of(f), start, end)]


def instruction_at(document, line: int):
    """The (top-level) instruction holding a 1-based line, or None."""
    for ins in document.instructions:
        if ins.start_line <= line <= ins.end_line:
            return ins
    return None


def _extend_pragma(document, row: int, scope: str, code: str):
    """A TextEdit adding `,CODE` to a pragma of ``scope`` on 1-based line ``row``, or None
    when that line holds no such dlint pragma."""
    from dlint.lint.finding import TextEdit
    from dlint.lint.suppress import PRAGMA_RE

    if not 1 <= row <= len(document.lines):
        return None
    line = document.lines[row - 1]
    stripped = line.lstrip(" \t")
    if not stripped.startswith("#"):
        return None
    rest = stripped[1:]
    offset = len(line) - len(stripped) + 1 + (len(rest) - len(rest.lstrip()))
    match = PRAGMA_RE.match(rest.strip())
    if match is None or match.group("tool") != "dlint" or (match.group("scope") or "next").strip() != scope:
        return None
    if code.lower() in {i.strip().lower() for i in match.group("items").split(",")}:
        return None
    column = offset + match.end("items") + 1
    return TextEdit(row, column, row, column, "," + code)


def ignore_instruction_edit(document, finding):
    """The edit that makes `# dlint: ignore=CODE` cover the finding's instruction: a
    pragma line right above it (indented like it), or the code added to a dlint pragma
    already there; None when the finding is on no instruction's lines."""
    from dlint.fix.edits import insert_line_before

    ins = instruction_at(document, finding.line)
    if ins is None:
        return None
    return (_extend_pragma(document, ins.start_line - 1, "next", finding.code)
            or insert_line_before(document, ins, PRAGMA.format(code=finding.code)))


def ignore_file_edit(document, code: str):
    """The edit that makes `# dlint: global ignore=CODE` cover the file: the code added
    to the file's dlint global pragma, else a new pragma line below the parser directives
    (a comment above them would end them)."""
    from dlint.fix.edits import line_ending
    from dlint.lint.finding import TextEdit
    from dlint.lint.suppress import parse_pragma

    for comment in document.comments:
        parsed = parse_pragma(comment.text) if "global" in comment.text else None
        if parsed is not None and parsed[0] == "global":
            edit = _extend_pragma(document, comment.line, "global", code)
            if edit is not None:
                return edit
    row = max((d.line for d in document.directives), default=0) + 1
    ending = line_ending(document, max(1, row - 1))
    pragma = GLOBAL_PRAGMA.format(code=code)
    if not document.lines:  # an empty document
        return TextEdit(1, 1, 1, 1, pragma + ending)
    if row > len(document.lines):  # the directives end the file, without a final newline
        end = len(document.lines[-1]) + 1
        return TextEdit(row - 1, end, row - 1, end, ending + pragma)
    return TextEdit(row, 1, row, 1, pragma + ending)


def rule_hover(registry, code: str) -> str:
    """Markdown: a code's rule, its summary and its docs page."""
    rule = registry.get(code)
    if rule is not None and code.upper() == rule.code.upper():
        text = f"**{rule.code}** `{rule.name}` ({rule.severity}): {rule.summary()}"
    else:
        owner = registry.subcode_owner(code)
        docs = owner.subcode_docs(code) if owner is not None else None
        text = f"**{code}**" + (f" ({owner.name}): {docs[0]}" if docs else "")
    href = docs_uri(registry, code)
    return text + (f"\n\n[{code} documentation]({href})" if href else "")


def _describe_stage(stage) -> str:
    where = stage.from_instruction.start_line
    label = f"stage `{stage.raw_name or stage.name}`" if stage.name else f"stage {stage.index}"
    text = f"{label} (line {where})"
    root = stage.root_image
    if stage.base_stage is not None:
        text += f", built FROM {_describe_stage(stage.base_stage)}"
    elif stage.is_scratch:
        text += ", FROM scratch (an empty image)"
    elif root is not None and root.valid and not stage.base_unresolved:
        text += f", FROM `{root.familiar}`"
    return text


def _describe_image(written: str, expanded: str, image, unresolved: bool, unknown=()) -> str:
    text = f"`{written}`"
    if expanded and expanded != written and not unresolved:
        text += f" → `{expanded}`"
    if unresolved:
        names = ", ".join(sorted(unknown))
        return text + (f": {names} has no default value here (pass --build-arg)" if names
                       else ": its value is not known before the build")
    if expanded == "scratch":
        return text + ": scratch, an empty image"
    if image is not None and image.valid:
        text += f": image `{image.normalized}`"
        if image.tag is None and image.digest is None:
            text += " (no tag: docker pulls `latest`)"
    elif image is not None and image.error:
        text += f": not a valid image reference ({image.error})"
    return text


def reference_hover(linted: Linted, line: int, column: int) -> str | None:
    """Markdown for a 1-based (line, column) on a FROM, a `COPY --from` or a
    `RUN --mount=from=`: the image or stage it names; None elsewhere."""
    document, model = linted.document, linted.model
    if document is None or model is None or document.errors:
        return None
    ins = instruction_at(document, line)
    if ins is None or ins.keyword not in ("FROM", "COPY", "RUN"):
        return None
    stage = model.stage_of(ins)
    if stage is None:
        return None
    if ins.keyword == "FROM":
        if stage.base_stage is not None:
            return f"`{stage.base_text}`: {_describe_stage(stage.base_stage)}"
        ex = stage.base_expansion
        return _describe_image(stage.base_text, stage.base_name, stage.base, stage.base_unresolved, ex.unknown)
    from dlint.model import parse_mount

    kind = "copy" if ins.keyword == "COPY" else "mount"
    flags = [f for f in ins.flags
             if (kind == "copy" and f.name == "from" and f.value)
             or (kind == "mount" and f.name == "mount" and parse_mount(f.value or "").get("from"))]
    deps = [d for d in model.dependencies(stage) if d.instruction is ins and d.kind == kind]
    if kind == "copy":
        chosen = ins.flag("from")
        pairs = [(chosen, deps[0])] if deps and chosen is not None else []
    else:
        pairs = list(zip(flags, deps))
    for flag, dep in pairs:
        span = flag.span
        if span is None or not (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column):
            continue
        written = flag.value if kind == "copy" else parse_mount(flag.value).get("from", "")
        if dep.stage is not None:
            return f"`{written}`: {_describe_stage(dep.stage)}"
        return _describe_image(written, dep.reference, dep.image, dep.unresolved)
    return None


# -- the server -------------------------------------------------------------------------


def serve() -> int:
    """Run the language server on stdin/stdout until the client says exit (0 after a
    shutdown request, 1 without one, as LSP asks); 2 when pygls is missing."""
    try:
        import lsprotocol.types as types
        from pygls.lsp.server import LanguageServer
    except ImportError:
        sys.stderr.write(f"dlint: error: {MISSING_PYGLS}\n")
        return 2
    from dlint import __version__

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol stream
    server = LanguageServer("dlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    state = _State(server, types)
    state.register()
    server.start_io(sys.stdin.buffer, out)
    state.executor.shutdown(wait=False, cancel_futures=True)
    return 0 if state.shut_down else 1


class _State:
    """The server's per-process state and its LSP handlers."""

    def __init__(self, server, types):
        import concurrent.futures

        self.server = server
        self.types = types
        self.linter: Linter | None = None
        self.linted: dict[str, Linted] = {}     # uri -> the lint of its current version
        self.pending: dict[str, object] = {}    # uri -> the debounce timer handle
        self.reported: dict[str, set[str]] = {}  # uri -> the problems its last lint logged
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="dlint-lint")
        self.shut_down = False
        from lsprotocol.converters import get_converter

        self.converter = get_converter()  # LSP JSON data -> lsprotocol objects

    # -- helpers -----------------------------------------------------------------------

    def log(self, message: str, kind: str = "Error") -> None:
        types = self.types
        try:
            self.server.window_log_message(types.LogMessageParams(type=getattr(types.MessageType, kind),
                                                                  message=f"dlint: {message}"))
        except Exception:  # the client went away: nothing to tell it
            pass

    def internal_error(self, where: str, exc: BaseException) -> None:
        message = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        if os.environ.get("DLINT_DEBUG") == "1":
            import traceback

            message += "\n" + "".join(traceback.format_exception(exc))
        self.log(f"internal error in {where}: {message}")

    def get_linter(self) -> Linter:
        if self.linter is None:
            root = None
            try:
                root = self.server.workspace.root_path
            except Exception:
                pass
            self.linter = Linter(root=root)
        return self.linter

    def positions(self, text: str) -> Positions:
        encoding = "utf-16"
        try:
            negotiated = self.server.workspace.position_encoding or "utf-16"
            encoding = str(getattr(negotiated, "value", negotiated))  # an enum member or a plain str
        except Exception:
            pass
        return Positions(text, encoding)

    def document(self, uri: str):
        """(TextDocument, file path or None) of an open document, else None (pygls's
        get_text_document would read a closed one from disk)."""
        from urllib.parse import unquote

        documents = self.server.workspace.text_documents
        doc = documents.get(uri) or documents.get(unquote(uri))
        if doc is None:
            return None
        path = None
        if uri.startswith("file:"):
            from pygls.uris import to_fs_path

            path = to_fs_path(uri)
        return doc, path

    def is_wanted(self, uri: str) -> bool:
        found = self.document(uri)
        if found is None:
            return False
        doc, path = found
        return wanted(doc.language_id, path or doc.filename)

    async def lint(self, uri: str) -> Linted | None:
        """The lint of the document's current text (reused when it is current)."""
        found = self.document(uri)
        if found is None:
            return None
        doc, path = found
        text, version = doc.source, doc.version
        linted = self.linted.get(uri)
        if linted is not None and linted.version == version and linted.text == text:
            return linted
        linter = self.get_linter()
        loop = asyncio_get_loop()
        try:
            linted = await loop.run_in_executor(self.executor, linter.lint, text, path, version)
        except Exception as exc:  # a bug of dlint's own: logged, the server goes on
            self.internal_error(f"linting {uri}", exc)
            return None
        # each problem once while it lasts, not once per keystroke
        before = self.reported.get(uri, set())
        now = set(linted.errors) | ({linted.config_error} if linted.config_error else set())
        for problem in linted.errors:
            if problem not in before:
                self.log(problem, "Error" if problem.startswith("internal error") else "Warning")
        if linted.config_error and linted.config_error not in before:
            self.log(linted.config_error)
            self.show(linted.config_error)
        if self.document(uri) is not None:
            self.linted[uri] = linted
            self.reported[uri] = now
        return linted

    def show(self, message: str) -> None:
        types = self.types
        try:
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error,
                                                                    message=f"dlint: {message}"))
        except Exception:
            pass

    async def publish(self, uri: str) -> None:
        try:
            linted = await self.lint(uri)
            found = self.document(uri)
            if linted is None or found is None or found[0].version != linted.version:
                return  # closed or changed meanwhile: the next lint publishes
            items = diagnostics(linted, self.positions(linted.text), self.get_linter().registry)
            types = self.types
            converted = self.converter.structure(items, list[types.Diagnostic])
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=converted, version=linted.version))
        except Exception as exc:
            self.internal_error(f"publishing diagnostics for {uri}", exc)

    def relint_all(self) -> None:
        """Lint every open document again (a config or ignore file changed)."""
        self.get_linter().forget_context()
        for uri in list(self.server.workspace.text_documents):
            if self.is_wanted(uri):
                self.linted.pop(uri, None)
                self.schedule(uri, DEBOUNCE_SECONDS)

    def schedule(self, uri: str, delay: float) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio_get_loop()

        def fire():
            self.pending.pop(uri, None)
            loop.create_task(self.publish(uri))

        self.pending[uri] = loop.call_later(delay, fire)

    # -- handlers ----------------------------------------------------------------------

    def register(self) -> None:
        server, types = self.server, self.types

        @server.feature(types.INITIALIZED)
        def initialized(params):
            # ask to hear of edits to the files a lint reads besides the document (configs,
            # .dockerignore), when the client can watch files for the server
            from pygls.capabilities import get_capability

            if not get_capability(server.client_capabilities,
                                  "workspace.did_change_watched_files.dynamic_registration", False):
                return
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in WATCHED_FILES]
            server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="dlint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))

        @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
        def watched_files_changed(params):
            self.relint_all()

        @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
        async def did_open(params):
            uri = params.text_document.uri
            if self.is_wanted(uri):
                self.schedule(uri, 0)

        @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
        async def did_change(params):
            uri = params.text_document.uri
            if self.is_wanted(uri):
                self.schedule(uri, DEBOUNCE_SECONDS)

        @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
        async def did_save(params):
            uri = params.text_document.uri
            if self.is_wanted(uri):
                self.get_linter().forget_context()
                self.linted.pop(uri, None)
                self.schedule(uri, 0)

        @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
        async def did_close(params):
            uri = params.text_document.uri
            handle = self.pending.pop(uri, None)
            if handle is not None:
                handle.cancel()
            self.linted.pop(uri, None)
            self.reported.pop(uri, None)
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

        @server.feature(types.SHUTDOWN)
        def shutdown(*_args):
            self.shut_down = True
            for handle in self.pending.values():
                handle.cancel()
            self.pending.clear()

        @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]))
        async def code_action(params):
            try:
                return await self.code_actions(params)
            except Exception as exc:
                self.internal_error("code actions", exc)
                return []

        @server.feature(types.TEXT_DOCUMENT_HOVER)
        async def hover(params):
            try:
                return await self.hover(params)
            except Exception as exc:
                self.internal_error("hover", exc)
                return None

    async def code_actions(self, params):
        types = self.types
        uri = params.text_document.uri
        if not self.is_wanted(uri):
            return []
        linted = await self.lint(uri)
        if linted is None or linted.document is None:
            return []
        positions = self.positions(linted.text)
        start = (params.range.start.line, params.range.start.character)
        end = (params.range.end.line, params.range.end.character)
        registry = self.get_linter().registry
        actions: list[dict] = []
        only = list(getattr(params.context, "only", None) or [])

        def wanted_kind(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(k + ".") for k in only)

        if only and wanted_kind(FIX_ALL_KIND):  # computed only when asked for by kind (on save)
            action = await self.fix_all(uri, linted, positions)
            if action is not None:
                actions.append(action)
        if not wanted_kind("quickfix"):
            return self.converter.structure(actions, list[types.CodeAction])
        file_codes: set[str] = set()
        seen: set[tuple] = set()

        def add(title: str, edits, diagnostic, preferred: bool = False) -> None:
            key = (title, tuple(edits))
            if key not in seen:
                seen.add(key)
                actions.append(_action(title, uri, edits, positions, diagnostic, preferred))

        for finding in findings_at(linted, positions, start, end):
            diagnostic = diagnostics(_only(linted, finding), positions, registry)
            fix = finding.fix
            if fix is not None and fix.edits and _applies(linted.body, fix.edits):
                title = f"{fix.description} ({finding.code})" + ("" if fix.safe else " (unsafe)")
                add(title, fix.edits, diagnostic, preferred=fix.safe)
            if not linted.pragmas:
                continue  # `disable-ignore-pragmas`: a pragma would change nothing
            edit = ignore_instruction_edit(linted.document, finding)
            if edit is not None:
                add(f"Ignore {finding.code} for this instruction", [edit], diagnostic)
            if finding.code not in file_codes:
                file_codes.add(finding.code)
                add(f"Ignore {finding.code} in this file", [ignore_file_edit(linted.document, finding.code)],
                    diagnostic)
        return self.converter.structure(actions, list[types.CodeAction])

    async def fix_all(self, uri: str, linted: Linted, positions: Positions) -> dict | None:
        """One action replacing the text with what `dlint check --fix` makes of it (the
        safe fixes, re-linting between rounds: dlint.fix.fix_text_result)."""
        linter = self.get_linter()

        def run():
            from dlint.fix import fix_text_result

            return fix_text_result(linted.body, lambda text: linter.lint(text, linted.path).findings,
                                   findings=linted.findings)

        result = await asyncio_get_loop().run_in_executor(self.executor, run)
        if not result.applied or result.text == linted.body:
            return None
        last = len(positions.lines) - 1
        whole = _range(positions.to_client(0, 0), positions.to_client(last, len(positions.lines[last])))
        return {"title": f"Apply dlint's safe fixes ({result.applied})", "kind": FIX_ALL_KIND,
                "edit": {"changes": {uri: [{"range": whole, "newText": result.text}]}}}

    async def hover(self, params):
        types = self.types
        uri = params.text_document.uri
        if not self.is_wanted(uri):
            return None
        linted = await self.lint(uri)
        if linted is None:
            return None
        positions = self.positions(linted.text)
        at = (params.position.line, params.position.character)
        registry = self.get_linter().registry
        parts = []
        seen = set()
        for finding in findings_at(linted, positions, at, at):
            if finding.code not in seen:
                seen.add(finding.code)
                parts.append(rule_hover(registry, finding.code))
        line, column = positions.from_client(*at)
        reference = reference_hover(linted, line + 1, column + 1)
        if reference:
            parts.append(reference)
        if not parts:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value="\n\n---\n\n".join(parts)))


def asyncio_get_loop():
    import asyncio

    return asyncio.get_running_loop()


def _only(linted: Linted, finding) -> Linted:
    one = Linted(linted.text, linted.version, linted.path)
    one.findings = [finding]
    return one


def _applies(text: str, edits) -> bool:
    """Whether dlint.fix would apply these edits to this text (positions inside it)."""
    from dlint.fix import apply_edits

    return apply_edits(text, [edits])[1] == 1


def _action(title: str, uri: str, edits, positions: Positions, diagnostic: list[dict],
            preferred: bool = False) -> dict:
    changes = [{"range": _range(*positions.edit_range(e)), "newText": e.text} for e in edits]
    action = {"title": title, "kind": "quickfix", "diagnostics": diagnostic,
              "edit": {"changes": {uri: changes}}}
    if preferred:
        action["isPreferred"] = True
    return action
