"""Shell text -> Script, through tree-sitter-bash.

The tree is walked with an explicit stack (no recursion: 10,000 nested subshells are fine)
and only nodes that can hold commands are visited; words are read where they are found.
tree-sitter-bash quirks handled here:
- `cat <<EOF | sh && x`: the pipe and the list after a heredoc are children of the
  heredoc redirect, not siblings of the command;
- `cat <<EOF > f; x` gives an ERROR and the heredoc body read as commands: bodies of
  heredocs found in ERROR nodes are located by their delimiter and their "commands" dropped.
"""

from __future__ import annotations

import re
from os.path import isfile as os_path_isfile
from os.path import join as os_path_join

from dlint._regex import LazyPattern
from dlint.shell.model import (
    Assignment, Pipeline, Positions, Redirect, Script, ShellError, SimpleCommand, Source,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Callable

_PARSER = None


def _load_binding(package: str):
    """The extension module ``<package>._binding``, loaded without running the package's
    __init__ (None when it cannot be found that way). tree_sitter's __init__ imports typing
    (~5 ms per process) for a Protocol we never use; tree_sitter_bash's imports
    importlib.resources (tempfile, shutil, random, bz2, lzma: ~8 ms) only to read highlight
    queries we never use. A later normal import of the package reuses the loaded module."""
    import sys

    name = f"{package}._binding"
    module = sys.modules.get(name)
    if module is not None or package in sys.modules:
        return module
    try:
        from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec

        for entry in sys.path:
            base = os_path_join(entry or ".", package, "_binding")
            for suffix in EXTENSION_SUFFIXES:
                if os_path_isfile(base + suffix):
                    loader = ExtensionFileLoader(name, base + suffix)
                    spec = ModuleSpec(name, loader, origin=base + suffix)
                    module = loader.create_module(spec)
                    loader.exec_module(module)
                    sys.modules[name] = module
                    return module
    except Exception:
        return None
    return None


def _bash_language_pointer():
    """tree_sitter_bash.language(); falls back to the normal import."""
    module = _load_binding("tree_sitter_bash")
    if module is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    return module.language()


# tree-sitter-bash 0.25 crashes the process (SIGSEGV) on some code points of planes 5-16
# after a control character, e.g. "\x14{\U00104999". For the shell grammar every such
# character is an ordinary word character, so it parses U+20000 (a CJK letter, also four
# bytes in UTF-8: offsets stay put) in their place; words are read from the original text.
_HIGH_PLANE = LazyPattern(rb"[\xf1-\xf4][\x80-\xbf]{3}")
_SAFE_STAND_IN = "\U00020000".encode()


def _tree_sitter_safe(data: bytes) -> bytes:
    if max(data, default=0) >= 0xF1:
        return _HIGH_PLANE.sub(_SAFE_STAND_IN, data)
    return data


def _parser():
    global _PARSER
    if _PARSER is None:
        binding = _load_binding("tree_sitter")
        if binding is None or not hasattr(binding, "Parser") or not hasattr(binding, "Language"):
            import tree_sitter as binding

        _PARSER = binding.Parser(binding.Language(_bash_language_pointer()))
    return _PARSER


def parse_script(text: str, line_offset: int = 0, column_offset: int = 0, *,
                 positions: Positions | Callable[[], Positions] | None = None,
                 shell: list[str] | None = None, form: str = "shell",
                 parse_data: bytes | None = None) -> Script:
    """Parse POSIX/bash shell text into a Script. Never raises on any text.

    Positions are 1-based: line `line_offset + 1` is the text's first line, whose first
    character is at column `column_offset + 1`; `positions` (a Positions map from character
    offsets to file coordinates, or a callable returning one, called when a position is
    first asked for) overrides both. `parse_data` (internal): bytes of the same length as
    the encoded text, parsed in its place (heredoc markers blanked by script_of).
    """
    if positions is None:
        def positions() -> Positions:
            return Positions.of_text(text, line_offset, column_offset)
    # "replace" keeps one character per unencodable one (lone surrogates): offsets agree.
    data = text.encode("utf-8", "replace")
    source = Source(text, data, positions)
    tree = _parser().parse(_tree_sitter_safe(data if parse_data is None else parse_data))
    builder = _Builder(source)
    builder.walk(tree.root_node)
    root = tree.root_node
    if root.has_error:
        builder.collect_errors(root)
    commands = builder.commands
    if builder.error_heredocs:
        commands = _drop_heredoc_data(commands, builder.error_heredocs, data)
    commands.sort(key=_start)
    for p in builder.pipelines:
        for stage in p.stages:
            stage.sort(key=_start)
    builder.pipelines.sort(key=_start)
    return Script(text=text, commands=commands, posix=True, shell=shell, form=form,
                  pipelines=builder.pipelines, errors=builder.errors, source=source)


def _start(x) -> int:
    return x.start_byte


# --- words ------------------------------------------------------------------------

_UNQUOTED_ESCAPE = LazyPattern(r"\\(\n|.)", re.S)
_DQ_ESCAPE = LazyPattern(r'\\([$`"\\\n])')
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a",
                 "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "v": "\v", "?": "?"}
_ANSI_ESCAPE = LazyPattern(r"\\(.)", re.S)


def _unescape_unquoted(s: str) -> str:
    return _UNQUOTED_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


def _unescape_dq(s: str) -> str:
    return _DQ_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), s)


def _text(node, data: bytes | None) -> str:
    if data is None:
        return node.text.decode("utf-8", "replace")
    return data[node.start_byte:node.end_byte].decode("utf-8", "replace")


def word_value(node, data: bytes | None = None) -> tuple[str, bool]:
    """(value, literal) of a word node: quotes removed, escapes applied; expansions are
    kept as their source text and make the word non-literal. `data`: the parsed bytes
    (faster than asking the node for its text)."""
    t = node.type
    if t == "word":
        s = _text(node, data)
        return (_unescape_unquoted(s) if "\\" in s else s), True
    if t == "number":
        return _text(node, data), True
    if t == "raw_string":
        return _text(node, data)[1:-1], True
    if t == "string" or t == "translated_string":
        parts = []
        literal = True
        for c in node.children:
            ct = c.type
            if ct == "string_content":
                s = _text(c, data)
                parts.append(_unescape_dq(s) if "\\" in s else s)
            elif ct == '"' or ct == '$"':
                continue
            else:
                parts.append(_text(c, data))
                if c.is_named:
                    literal = False
        return "".join(parts), literal
    if t == "concatenation":
        parts = []
        literal = True
        for c in node.children:
            v, lit = word_value(c, data)
            parts.append(v)
            literal = literal and lit
        return "".join(parts), literal
    if t == "ansi_c_string":
        body = _text(node, data)[2:-1]
        return _ANSI_ESCAPE.sub(lambda m: _ANSI_ESCAPES.get(m.group(1), m.group(0)), body), True
    if not node.is_named:                 # a bare token inside a concatenation: `{`, `$`
        return _text(node, data), True
    return _text(node, data), False


def _delimiter(node, data: bytes | None = None) -> str:
    s = _text(node, data)
    if "'" in s or '"' in s or "\\" in s:
        return s.replace("'", "").replace('"', "").replace("\\", "")
    return s


# --- the walk ---------------------------------------------------------------------

_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_DECLARATIONS = frozenset({"declaration_command", "unset_command"})
# word-ish nodes that cannot hold a command
_INERT = frozenset({"word", "number", "raw_string", "simple_expansion", "ansi_c_string",
                    "variable_name", "string_content", "heredoc_content", "comment",
                    "special_variable_name", "file_descriptor", "test_operator", "regex"})
_NO_CTX = ((), False, False, True)


class _Builder:
    __slots__ = ("source", "data", "commands", "pipelines", "errors", "error_heredocs", "stack",
                 "pending")

    def __init__(self, source: Source):
        self.source = source
        self.data = source.data
        self.commands: list[SimpleCommand] = []
        self.pipelines: list[Pipeline] = []
        self.errors: list[ShellError] = []
        self.error_heredocs: list = []
        # (node, ctx) with ctx = (pipes, negated, background, in_substitution) and pipes a
        # tuple of (Pipeline, stage index), innermost last
        self.stack: list = []
        self.pending: dict[int, list] = {}   # command node id -> redirects hung elsewhere

    def walk(self, root) -> None:
        stack = self.stack
        stack.append((root, ((), False, False, False)))
        while stack:
            node, ctx = stack.pop()
            t = node.type
            if t == "command":
                self.command(node, ctx, self.pending.pop(node.id, ()) if self.pending else ())
            elif t == "redirected_statement":
                self.redirected(node, ctx)
            elif t == "pipeline":
                self.pipeline(node, ctx)
            elif t == "negated_command":
                self.children(node, (ctx[0], True, ctx[2], ctx[3]))
            elif t in _SUBSTITUTIONS:
                self.children(node, _NO_CTX)
            elif t in _DECLARATIONS:
                self.declaration(node, ctx)
            elif t == "test_command":
                self.test(node, ctx)
            elif t == "ERROR":
                self.error_node(node)
                self.children(node, ctx)
            elif t in _INERT:
                continue
            else:
                self.children(node, ctx)

    def children(self, node, ctx) -> None:
        """Push the children that may hold commands, marking those followed by `&`."""
        children = node.children
        stack = self.stack
        for i in range(len(children) - 1, -1, -1):
            c = children[i]
            if c.child_count == 0:
                continue
            if i + 1 < len(children) and children[i + 1].type == "&":
                stack.append((c, (ctx[0], ctx[1], True, ctx[3])))
            else:
                stack.append((c, ctx))

    def scan(self, node) -> None:
        """Look for command substitutions inside a word."""
        if node.child_count and node.type not in _INERT:
            self.stack.append((node, _NO_CTX))

    # -- commands ----------------------------------------------------------------

    def new_command(self, name, name_literal, args, literal, node, ctx) -> SimpleCommand:
        cmd = SimpleCommand(name, args, [name_literal, *literal], self.source,
                            node.start_byte, node.end_byte)
        pipes, cmd.negated, cmd.background, cmd.in_substitution = ctx
        if pipes:
            for pipeline, index in pipes:
                pipeline.stages[index].append(cmd)
            cmd.pipeline, cmd.pipeline_index = pipes[-1]
        self.commands.append(cmd)
        return cmd

    def command(self, node, ctx, redirect_nodes) -> SimpleCommand:
        name = ""
        name_literal = True
        args: list[str] = []
        literal: list[bool] = []
        assignments = []
        redirects = []
        heredocs = []
        for c in node.children:
            t = c.type
            if t == "command_name":
                w = c.children[0] if c.child_count else c
                name, name_literal = word_value(w, self.data)
                self.scan(w)
            elif t == "variable_assignment":
                assignments.append(self.assignment(c))
            elif t in _REDIRECTS:
                if t == "heredoc_redirect":
                    heredocs.append(c)
                else:
                    redirects.append(self.redirect(c))
            elif c.is_named:
                v, lit = word_value(c, self.data)
                args.append(v)
                literal.append(lit)
                self.scan(c)
        cmd = self.new_command(name, name_literal, args, literal, node, ctx)
        cmd.assignments = assignments
        cmd.redirects = redirects
        for r in redirect_nodes:
            if r.type == "heredoc_redirect":
                heredocs.append(r)
            else:
                redirects.append(self.redirect(r))
        for h in heredocs:
            at = len(redirects)        # redirects nested in the heredoc's come after it
            redirects.insert(at, self.heredoc(h, cmd, ctx))
        return cmd

    def assignment(self, node) -> Assignment:
        children = node.children
        name = _text(children[0], self.data) if children else ""
        value_node = node.child_by_field_name("value")
        if value_node is None:
            return Assignment(name, "", True)
        value, lit = word_value(value_node, self.data)
        self.scan(value_node)
        return Assignment(name, value, lit)

    def redirect(self, node) -> Redirect:
        op = ""
        fd = None
        target = ""
        for c in node.children:
            t = c.type
            if t == "file_descriptor":
                fd = _text(c, self.data)
            elif not c.is_named:
                op = _text(c, self.data)
            else:
                target, _ = word_value(c, self.data)
                self.scan(c)
        return Redirect(op, target, fd)

    def heredoc(self, node, cmd: SimpleCommand | None, ctx) -> Redirect:
        """A heredoc redirect; tree-sitter also hangs here what follows it on the line."""
        op = "<<"
        delimiter = ""
        body = None
        fd = None
        children = node.children
        for i, c in enumerate(children):
            t = c.type
            if t == "heredoc_start":
                delimiter = _delimiter(c, self.data)
            elif t == "heredoc_body":
                body = self.source.slice(c.start_byte, c.end_byte)
                self.children(c, _NO_CTX)
            elif t == "heredoc_end":
                continue
            elif t == "file_descriptor":
                fd = _text(c, self.data)
            elif t in _REDIRECTS:
                if cmd is not None and t != "heredoc_redirect":
                    cmd.redirects.append(self.redirect(c))
                else:
                    self.stack.append((c, ctx))
            elif t == "pipeline" and cmd is not None and children[i].child_count and \
                    c.children[0].type in ("|", "|&"):
                self.heredoc_pipeline(c, cmd, ctx)
            elif not c.is_named:
                if t in ("<<", "<<-"):
                    op = t
            elif node.field_name_for_child(i) == "argument" and cmd is not None:
                v, lit = word_value(c, self.data)
                cmd.args.append(v)
                cmd.literal.append(lit)
                self.scan(c)
            elif c.child_count:
                self.stack.append((c, (ctx[0], ctx[1], ctx[2], ctx[3])))
        return Redirect(op, delimiter, fd, body)

    def heredoc_pipeline(self, node, head: SimpleCommand, ctx) -> None:
        """`cat <<EOF | a | b && c`: tree-sitter gives pipeline(| list(pipeline(a | b) && c))."""
        pipes = ctx[0]
        if head.pipeline is not None and head.pipeline_index == len(head.pipeline.stages) - 1:
            pipeline = head.pipeline                    # `a | cat <<EOF | b`: one pipeline
            outer = pipes[:-1] if pipes and pipes[-1][0] is pipeline else pipes
        else:
            pipeline = Pipeline(self.source, head.start_byte, node.end_byte)
            pipeline.stages.append([head])
            self.pipelines.append(pipeline)
            head.pipeline, head.pipeline_index = pipeline, 0
            outer = pipes
        base = (outer, ctx[1], ctx[2], ctx[3])
        stages = []
        for c in node.children:
            if not c.is_named:
                pipeline.operators.append(c.type)
                continue
            if c.type == "list":
                items = [x for x in c.children if x.is_named]
                if items:
                    first = items[0]
                    stages.extend([x for x in first.children if x.is_named]
                                  if first.type == "pipeline" else [first])
                    if first.type == "pipeline":
                        pipeline.operators.extend(x.type for x in first.children if not x.is_named)
                    for rest in reversed(items[1:]):
                        self.stack.append((rest, base))
            else:
                stages.append(c)
        pipeline.end_byte = max([pipeline.end_byte] + [s.end_byte for s in stages])
        for stage in stages:
            index = len(pipeline.stages)
            pipeline.stages.append([])
            self.stack.append((stage, (outer + ((pipeline, index),), ctx[1], ctx[2], ctx[3])))

    def redirected(self, node, ctx) -> None:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.children if c.type in _REDIRECTS]
        if body is not None and body.type == "command":
            self.command(body, ctx, redirects)
            return
        # tree-sitter hangs `a && b > f` and `a | b <<EOF` on the whole list or pipeline:
        # the redirects belong to its last command
        target = body
        while target is not None and target.type in ("list", "pipeline"):
            named = target.named_children
            target = named[-1] if named else None
        if target is not None and target.type == "command":
            self.pending[target.id] = redirects
            self.stack.append((body, ctx))
            return
        if body is not None:
            self.stack.append((body, ctx))
        for r in redirects:
            if r.type == "heredoc_redirect":
                self.heredoc(r, None, ctx)
            else:
                self.redirect(r)

    def pipeline(self, node, ctx) -> None:
        pipeline = Pipeline(self.source, node.start_byte, node.end_byte)
        self.pipelines.append(pipeline)
        stages = []
        for c in node.children:
            if c.is_named:
                stages.append(c)
            else:
                pipeline.operators.append(c.type)
        pipes = ctx[0]
        for index in range(len(stages)):
            pipeline.stages.append([])
        for index in range(len(stages) - 1, -1, -1):
            self.stack.append((stages[index], (pipes + ((pipeline, index),),
                                               ctx[1], ctx[2], ctx[3])))

    def declaration(self, node, ctx) -> None:
        """`export A=1 B`, `local x`, `unset C`: commands named by their keyword."""
        name = ""
        args: list[str] = []
        literal: list[bool] = []
        for c in node.children:
            if not c.is_named:
                if not name:
                    name = c.type
                continue
            if c.type == "variable_assignment":
                a = self.assignment(c)
                args.append(f"{a.name}={a.value}")
                literal.append(a.literal)
            else:
                v, lit = word_value(c, self.data)
                args.append(v)
                literal.append(lit)
                self.scan(c)
        self.new_command(name, True, args, literal, node, ctx)

    def test(self, node, ctx) -> None:
        """`[ -f x ]` / `[[ ... ]]`: argv is the flattened words and operators."""
        children = node.children
        name = children[0].type if children else "["
        args: list[str] = []
        literal: list[bool] = []
        todo = list(reversed(children[1:]))
        while todo:
            c = todo.pop()
            t = c.type
            if not c.is_named or t in ("word", "string", "raw_string", "number", "concatenation",
                                       "simple_expansion", "expansion", "test_operator",
                                       "command_substitution", "regex", "extglob_pattern",
                                       "ansi_c_string", "arithmetic_expansion"):
                v, lit = word_value(c, self.data)
                args.append(v)
                literal.append(lit)
                self.scan(c)
            else:
                todo.extend(reversed(c.children))
        self.new_command(name, True, args, literal, node, ctx)

    # -- errors --------------------------------------------------------------------

    def error_node(self, node) -> None:
        todo = [node]
        while todo:
            n = todo.pop()
            for i, c in enumerate(n.children):
                if c.type == "heredoc_start":
                    prev = n.children[i - 1].type if i else "<<"
                    self.error_heredocs.append((c, prev == "<<-"))
                elif c.child_count and c.type != "heredoc_redirect":
                    todo.append(c)

    def collect_errors(self, root) -> None:
        todo = [root]
        source = self.source
        while todo:
            n = todo.pop()
            if n.is_error or n.is_missing:
                if n.is_missing:
                    message = f"missing {n.type!r}"
                else:
                    snippet = source.slice(n.start_byte, min(n.end_byte, n.start_byte + 40))
                    message = f"cannot parse shell near {snippet.splitlines()[0] if snippet else ''!r}"
                line, column, end_line, end_column = source.span(n.start_byte, n.end_byte)
                self.errors.append(ShellError(line, column, end_line, end_column, message,
                                              source.char(n.start_byte)))
                if n.is_missing:
                    continue
            todo.extend(c for c in n.children if c.has_error or c.is_missing)
        self.errors.sort()


def _drop_heredoc_data(commands: list[SimpleCommand], heredocs, data: bytes) -> list[SimpleCommand]:
    """Drop the "commands" tree-sitter read in the bodies of heredocs it could not attach."""
    line_starts = [0]
    pos = data.find(b"\n")
    while pos >= 0:
        line_starts.append(pos + 1)
        pos = data.find(b"\n", pos + 1)
    lines = data.split(b"\n")
    ranges = []
    next_row: dict[int, int] = {}
    for node, chomp in sorted(heredocs, key=lambda h: h[0].start_byte):
        delimiter = _delimiter(node).encode("utf-8", "replace")
        row = node.start_point[0]
        body_row = next_row.get(row, row + 1)
        end_row = body_row
        while end_row < len(lines):
            line = lines[end_row].rstrip(b"\r")
            if (line.lstrip(b"\t") if chomp else line) == delimiter:
                break
            end_row += 1
        next_row[row] = end_row + 1
        if body_row < len(line_starts):
            end = line_starts[end_row + 1] if end_row + 1 < len(line_starts) else len(data) + 1
            ranges.append((line_starts[body_row], end))
    if not ranges:
        return commands
    return [c for c in commands if not any(a <= c.start_byte < b for a, b in ranges)]
