"""RUN instruction -> Script: which text the shell runs, and where each character is.

What BuildKit hands the shell (dockerfile2llb dispatchRun):
- shell form: the continuation-joined value, run as SHELL + [value];
- `RUN <<EOF` alone with one heredoc: the body is the script (a `#!` body is written to a
  file and executed by its interpreter instead);
- any other heredoc use (`RUN cat <<EOF > f`, `RUN python3 <<EOF`): value + "\\n" + each
  body and delimiter, given to the shell, which feeds the bodies to the commands as data;
- exec form: argv as is, no shell; `["sh", "-c", "script"]` runs a script all the same.
"""

from __future__ import annotations

import dataclasses
import re

from dlint._regex import LazyPattern
from dlint.shell.model import Positions, Redirect, Script, SimpleCommand, Source
from dlint.shell.parse import parse_script
from dlint.shell.wrappers import POSIX_SHELLS, _shell_script_arg

WINDOWS_SHELLS = frozenset({"powershell", "pwsh", "cmd"})
DEFAULT_SHELL = ["/bin/sh", "-c"]
# the whole value is one heredoc marker: `<<EOF`, `<<-"EOF"`, `0<<'EOF'`
_HEREDOC_ONLY = LazyPattern(r"\s*\d*<<-?\s*(['\"]?)([^\s'\"<>|&;]+)\1\s*\Z")


def shell_name(argv: list[str]) -> str:
    """The basename of the program of a SHELL/exec argv, `/usr/bin/env bash` looked
    through, `.exe` dropped, lower case: "bash", "powershell", "cmd"."""
    i = 0
    while i < len(argv):
        base = argv[i].replace("\\", "/").rsplit("/", 1)[-1].lower()
        if base.endswith(".exe"):
            base = base[:-4]
        if base == "env" and i == 0:
            i += 1
            while i < len(argv) and (argv[i].startswith("-") or "=" in argv[i]):
                i += 1
            continue
        return base
    return ""


def _none(text: str, shell: list[str], form: str = "none") -> Script:
    return Script(text=text, commands=[], posix=False, shell=shell, form=form)


def script_of(instruction, state=None) -> Script:
    """The shell script a RUN (or ONBUILD RUN, or a shell-form CMD/ENTRYPOINT) runs.

    `state` needs `.shell` (the stage's SHELL argv) and `.windows`; None means a Linux
    stage with the default shell. Windows stages and non-POSIX shells give an empty
    Script with `posix=False`: rules stay quiet rather than misread PowerShell.
    """
    if instruction.keyword == "ONBUILD" and instruction.sub_instruction is not None:
        sub = instruction.sub_instruction
        if not sub.source_lines:      # positions come from the ONBUILD line (AST untouched)
            sub = dataclasses.replace(sub, source_lines=instruction.source_lines,
                                      start_line=instruction.start_line)
        instruction = sub
    shell = list(getattr(state, "shell", None) or DEFAULT_SHELL)
    windows = bool(getattr(state, "windows", False))
    if instruction.json:
        return _exec_form(instruction, windows)
    text = " ".join(instruction.value)
    name = shell_name(shell)
    if windows or name in WINDOWS_SHELLS or name not in POSIX_SHELLS:
        return _none(text, shell)
    heredocs = instruction.heredocs
    if not heredocs:
        return parse_script(text, positions=lambda: _value_positions(instruction, text),
                            shell=shell)
    if len(heredocs) == 1 and _HEREDOC_ONLY.match(text):
        return _heredoc_script(instruction, heredocs[0], shell)
    return _with_heredoc_data(instruction, text, heredocs, shell)


_MARKER = r"(\d*)<<(-?)\s*(['\"]?)"


def _with_heredoc_data(instruction, text: str, heredocs, shell: list[str]) -> Script:
    """`RUN cat <<EOF > f`, `RUN <<EOF bash`, `RUN python3 <<EOF`: the shell runs the
    command line and the bodies are the commands' stdin.

    tree-sitter-bash misreads heredocs in several ways (a heredoc before the command word,
    `cat <<EOF > f; x`, pipes and lists after a marker), and the Dockerfile parser already
    knows the bodies: the command line is parsed with the markers blanked out, and each
    body is then given, as a `<<` Redirect, to the command holding its marker (or the
    first one after it: `<<EOF bash`).
    """
    blanked = bytearray(text.encode("utf-8", "replace"))
    markers = []
    pos = 0
    for h in heredocs:
        m = re.compile(_MARKER + re.escape(h.name) + r"\3").search(text, pos)
        if m is None:
            continue
        pos = m.end()
        start = len(text[:m.start()].encode("utf-8", "replace"))
        end = start + len(m.group(0).encode("utf-8", "replace"))
        blanked[start:end] = b" " * (end - start)
        markers.append((h, m, start, end))
    script = parse_script(text, positions=lambda: _value_positions(instruction, text),
                          shell=shell, parse_data=bytes(blanked))
    commands = [c for c in script.commands if not c.in_substitution]
    for h, m, start, end in markers:
        # the command the marker follows with nothing but words and redirects between
        # (`cat <<EOF > f`), else the first one after it (`<<EOF bash`)
        target = None
        for c in commands:
            if c.start_byte <= start:
                gap = blanked[c.end_byte:start] if c.end_byte <= start else b""
                if not any(ch in gap for ch in b";&|()\n"):
                    target = c
            elif target is None and c.start_byte >= end:
                target = c
                break
        if target is not None:
            target.redirects.append(Redirect("<<" + m.group(2), h.name, m.group(1) or None,
                                             h.content))
    return script


def _heredoc_script(instruction, heredoc, shell: list[str]) -> Script:
    body = heredoc.content
    def positions() -> Positions:
        return Positions(_body_segments(instruction, heredoc, 0) or
                         [(0, instruction.start_line + 1, 1)])

    if body.startswith("#!"):
        first = body.split("\n", 1)[0][2:].strip()
        interpreter = shell_name(first.split()) if first else ""
        if interpreter not in POSIX_SHELLS:
            return _none(body, [first], form="none")
        return parse_script(body, positions=positions, shell=first.split(), form="heredoc")
    return parse_script(body, positions=positions, shell=shell, form="heredoc")


def _exec_form(instruction, windows: bool) -> Script:
    argv = [str(a) for a in instruction.value]
    if not argv:
        return Script(text="", commands=[], posix=True, shell=[], form="exec")
    name = shell_name(argv[:1])
    if windows or name in WINDOWS_SHELLS:
        return _none(" ".join(argv), argv[:1])
    if name in POSIX_SHELLS:
        has_c, script, _ = _shell_script_arg(argv[1:])
        if has_c and script is not None:
            return parse_script(script, positions=_exec_positions(instruction, script),
                                shell=argv[:argv.index(script)], form="exec-shell")
    # a plain argv: one command, no shell involved
    import shlex  # here: only exec-form RUNs need it (~0.8 ms of startup otherwise)

    text = shlex.join(argv)
    data = text.encode("utf-8", "replace")
    first = instruction.source_lines[0] if instruction.source_lines else ""
    column = first.find("[") + 1 or 1
    source = Source(text, data, Positions.fixed(instruction.start_line, column))
    cmd = SimpleCommand(argv[0], argv[1:], [True] * len(argv), source, 0, len(data))
    return Script(text=text, commands=[cmd], posix=True, shell=[], form="exec", source=source)


def _exec_positions(instruction, script: str) -> Positions:
    """Where an exec-form string is: found verbatim (no JSON escapes) on one source line,
    else the instruction's first line."""
    lines = instruction.source_lines
    if script and "\n" not in script:
        for i, line in enumerate(lines):
            col = line.find(script)
            if col >= 0:
                return Positions([(0, instruction.start_line + i, col + 1)])
    return Positions.fixed(instruction.start_line, _value_column(instruction))


def _value_column(instruction) -> int:
    """Column of the first character after the keyword and flags on the first line."""
    lines = instruction.source_lines
    if not lines:
        return 1
    first = lines[0]
    value = instruction.value[0] if instruction.value and not instruction.json else ""
    if value:
        col = first.find(value[:20])
        if col >= 0:
            return col + 1
    return 1


def _body_segments(instruction, heredoc, offset: int) -> list[tuple[int, int, int]]:
    """Segments mapping a heredoc body, placed at `offset` of the script text, to its lines.
    A `<<-` body lost its leading tabs: each row is looked up in its source line."""
    span = heredoc.span
    first_line = span.line if span else None
    if first_line is None:
        return []
    lines = instruction.source_lines
    base = instruction.start_line
    segments = []
    pos = offset
    for row, content in enumerate(heredoc.content.split("\n")):
        line_no = first_line + row
        idx = line_no - base
        col = 1
        if heredoc.chomp and 0 <= idx < len(lines) and content:
            found = lines[idx].find(content)
            if found >= 0:
                col = found + 1
        segments.append((pos, line_no, col))
        pos += len(content) + 1
    return segments


_CONTINUATION = LazyPattern(r"[\\`][ \t]*\Z")


def _value_positions(instruction, value: str) -> Positions:
    """Map the continuation-joined value back to the source lines.

    BuildKit joins continuation lines after removing the escape character (and the blanks
    after it), and drops comment lines and empty lines inside the continuation; leading
    whitespace of continued lines is kept. Each source line is matched in turn at the
    current position of the value (allowing only whitespace in between).
    """
    start = instruction.start_line
    lines = instruction.source_lines
    if not lines or not value:
        return Positions.fixed(start, _value_column(instruction))
    skip = set()
    for h in instruction.heredocs:
        if h.span is not None:
            skip.update(range(h.span.line, h.span.end_line + 1))
    # the value starts after the keyword and the last flag (flags may be on later lines)
    first_idx, first_col = 0, 1
    last_flag = instruction.flags[-1] if instruction.flags else None
    if last_flag is not None and last_flag.span is not None:
        first_idx, first_col = last_flag.span.end_line - start, last_flag.span.end_column
    segments: list[tuple[int, int, int]] = []
    i = 0
    n = len(value)
    for idx, raw in enumerate(lines):
        if i >= n:
            break
        line_no = start + idx
        if line_no in skip or idx < first_idx:
            continue
        body = raw.rstrip()
        m = _CONTINUATION.search(raw)
        candidates = [body] if m is None else [body, raw[:m.start()]]
        if not segments:
            if raw.lstrip().startswith("#") and value[0] != "#":
                continue                      # a comment line inside the continuation
            first = value[0]
            for cand in candidates:
                s = cand.find(first, first_col if idx == first_idx else 0)
                while s >= 0:
                    if value.startswith(cand[s:]) and not cand[s].isspace():
                        segments.append((0, line_no, s + 1))
                        i = len(cand) - s
                        break
                    s = cand.find(first, s + 1)
                if segments:
                    break
            if segments or idx == first_idx:
                continue
        for cand in candidates:
            if cand and value.startswith(cand, i):
                segments.append((i, line_no, 1))
                i += len(cand)
                break
            stripped = cand.strip()
            if not stripped:
                continue
            j = value.find(stripped, i)
            if j >= 0 and not value[i:j].strip():
                lead = len(cand) - len(cand.lstrip())
                segments.append((j, line_no, lead + 1))
                i = j + len(stripped)
                break
    if not segments:
        return Positions.fixed(start, _value_column(instruction))
    return Positions(segments)


class ShellInput:
    """The exact text a POSIX shell receives for a RUN, where each character of it is in
    the Dockerfile (`positions`), and the shell that runs it (`shell`: "sh", "bash", ...
    the interpreter of a `#!` heredoc body). `shebang`: the text starts with a `#!` line
    (a heredoc script run by its interpreter)."""

    __slots__ = ("text", "_positions", "shell", "shebang")

    def __init__(self, text: str, positions, shell: str, shebang: bool = False):
        self.text = text
        self._positions = positions  # a Positions, or a callable making it when first needed
        self.shell = shell
        self.shebang = shebang

    @property
    def positions(self) -> Positions:
        if not isinstance(self._positions, Positions):
            self._positions = self._positions()
        return self._positions


def _fed_to_shell(text: str, heredocs) -> str | None:
    """The POSIX shell a single heredoc is the script of (`bash <<EOF`, `<<EOF sh -eux`:
    a shell with options only, reading its script from stdin), else None."""
    if len(heredocs) != 1:
        return None
    m = re.compile(_MARKER + re.escape(heredocs[0].name) + r"\3").search(text)
    if m is None:
        return None
    words = (text[:m.start()] + " " + text[m.end():]).split()
    if not words or shell_name(words[:1]) not in POSIX_SHELLS or words[0].startswith("-"):
        return None
    options = iter(words[1:])
    for word in options:
        if word in ("-o", "+o"):
            next(options, None)  # `-o pipefail`
        elif not word.startswith(("-", "+")) or (not word.startswith("--") and "c" in word[1:]):
            return None  # `sh -c '...'`, `bash script.sh`, redirects or more commands
    return shell_name(words[:1])


def shell_input(instruction, state=None, shell_override: str | None = None) -> ShellInput | None:
    """What the shell of a shell-form RUN (or ONBUILD RUN) runs, heredocs included, with
    its source map: None for exec form (no shell, or a JSON string whose escapes make
    positions inexact), Windows stages and shells that are not POSIX (PowerShell, cmd).

    `shell_override` replaces the SHELL in effect (hadolint's `# hadolint shell=` pragma).
    Unlike `script_of` (the command line parsed for rules, bodies as redirect data), this is
    the whole text BuildKit hands the shell: value, then each heredoc body and delimiter.
    """
    if instruction.keyword == "ONBUILD" and instruction.sub_instruction is not None:
        sub = instruction.sub_instruction
        if not sub.source_lines:
            sub = dataclasses.replace(sub, source_lines=instruction.source_lines,
                                      start_line=instruction.start_line)
        instruction = sub
    if instruction.keyword != "RUN" or instruction.json:
        return None
    if bool(getattr(state, "windows", False)):
        return None
    shell = [shell_override] if shell_override else list(getattr(state, "shell", None) or DEFAULT_SHELL)
    name = shell_name(shell)
    if name not in POSIX_SHELLS:
        return None
    text = " ".join(instruction.value)
    heredocs = instruction.heredocs
    if not heredocs:
        if not text.strip():
            return None
        return ShellInput(text, lambda: _value_positions(instruction, text), name)
    if len(heredocs) == 1 and _HEREDOC_ONLY.match(text):
        body = heredocs[0].content
        positions = lambda: Positions(_body_segments(instruction, heredocs[0], 0) or  # noqa: E731
                                      [(0, instruction.start_line + 1, 1)])
        if body.startswith("#!"):
            first = body.split("\n", 1)[0][2:].strip()
            interpreter = shell_name(first.split()) if first else ""
            if interpreter not in POSIX_SHELLS:
                return None
            return ShellInput(body, positions, interpreter, shebang=True)
        return ShellInput(body, positions, name)
    def body_positions() -> Positions:
        return Positions(_body_segments(instruction, heredocs[0], 0) or
                         [(0, instruction.start_line + 1, 1)])

    fed = _fed_to_shell(text, heredocs)
    if fed is not None:  # `RUN bash <<EOF`, `RUN <<EOF sh -e`: the body is the script
        return ShellInput(heredocs[0].content, body_positions, fed)
    parts = [text, "\n"]
    for heredoc in heredocs:
        parts += [heredoc.content, heredoc.name, "\n"]

    def positions() -> Positions:
        segments = list(_value_positions(instruction, text).segments)
        offset = len(text) + 1
        for heredoc in heredocs:
            segments += _body_segments(instruction, heredoc, offset)
            offset += len(heredoc.content) + len(heredoc.name) + 1
        segments.sort(key=lambda s: s[0])
        return Positions(segments)

    return ShellInput("".join(parts), positions, name)
