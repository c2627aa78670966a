"""What a rule sees: one file's document, model and shell commands, each built once.

Everything here is computed lazily and cached, so a file is parsed, modelled and its
RUN scripts shell-parsed at most once, however many rules ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from dlint.syntax.nodes import Comment, Document, Instruction

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any
    from dlint.model import Model
    from dlint.cache.context import IgnoreMatcher
    from dlint.shell import Script, SimpleCommand


class LintContext:
    def __init__(self, document: Document, display_path: str, context_dir: str | None = None,
                 settings: dict[str, Any] | None = None):
        self.document = document
        self.display_path = display_path       # the path as findings show it
        self.context_dir = context_dir         # build context, when known (cache-aware rules)
        self.settings = settings or {}         # global config ([tool.dlint] top-level keys)
        self._scripts: dict[int, Script] = {}

    @cached_property
    def model(self) -> Model:
        from dlint.model import build_model

        return build_model(self.document)

    def script(self, instruction: Instruction) -> Script:
        """The shell script of a RUN (shell form, `sh -c` exec form, heredoc bodies).

        Windows stages (SHELL powershell/cmd, Windows base image) give an empty script
        marked `posix=False`: rules then stay quiet instead of misreading PowerShell.
        """
        key = id(instruction)
        script = self._scripts.get(key)
        if script is None:
            from dlint.shell import script_of

            script = script_of(instruction, self.model.state_at(instruction))
            self._scripts[key] = script
        return script

    def uncleaned_installs(self, installs, cleans, cache_dirs) -> Iterator[SimpleCommand]:
        """For each shipped RUN (see shipped_run_scripts) without a cache mount on one of
        `cache_dirs`, the first command matching `installs` that no later command of the
        same RUN matching `cleans` follows: what the package-cache cleanup rules report."""
        for instruction, script in self.shipped_run_scripts():
            if self.model.cache_mounted(instruction, cache_dirs):
                continue
            for command in script.unfollowed(installs, cleans)[:1]:
                yield command

    @cached_property
    def _comments_by_line(self) -> dict[int, Comment]:
        directives = {d.line for d in self.document.directives}
        return {c.line: c for c in self.document.comments if c.line not in directives}

    def comments_above(self, instruction: Instruction) -> list[Comment]:
        """The comment lines right above an instruction, top to bottom, as BuildKit's
        parser attaches them (PrevComment): back to the previous instruction, a bare `#`
        line ending them; parser directives are not comments. Blank lines in between do
        not end them (the caller checks `Comment.line` when adjacency matters)."""
        comments = self._comments_by_line
        if not comments:
            return []
        lines = self.document.lines
        out: list[Comment] = []
        line = instruction.start_line - 1
        while line >= 1:
            comment = comments.get(line)
            if comment is not None:
                if not comment.text:
                    break
                out.append(comment)
            elif lines[line - 1].strip():
                break  # an instruction (or its continuation)
            line -= 1
        out.reverse()
        return out

    def expose_specs(self) -> Iterator[tuple[Instruction, str, bool]]:
        """(EXPOSE, one port spec, certain) for every EXPOSE of every stage, in file order:
        each word expanded and split on whitespace as BuildKit's dispatchExpose does.
        `certain` is False when the word used a variable whose value is not known here
        (an unknown variable expands to nothing, as in BuildKit)."""
        model = self.model
        for stage in model.stages:
            for instruction in stage.instructions:
                if instruction.keyword != "EXPOSE":
                    continue
                state = model.state_at(instruction)
                for word in instruction.value:
                    expansion = state.expand(word)
                    certain = not expansion.unresolved
                    for spec in expansion.words if expansion.error is None else ():
                        yield instruction, spec, certain

    @cached_property
    def dockerignore(self) -> IgnoreMatcher | None:
        """The `.dockerignore` of the build context as the docker CLI picks it
        (`<Dockerfile>.dockerignore` next to the Dockerfile first, then `.dockerignore`
        at the context root), as a matcher with its `patterns`. None without a known
        context or without an ignore file."""
        if self.context_dir is None:
            return None
        import os

        from dlint.cache.context import IgnoreMatcher, read_dockerignore

        name = os.path.basename(self.document.path or self.display_path or "Dockerfile")
        for candidate in (name + ".dockerignore", ".dockerignore"):
            path = os.path.join(self.context_dir, candidate)
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            return IgnoreMatcher(read_dockerignore(text))
        return None

    def shipped_run_scripts(self) -> Iterator[tuple[Instruction, Script]]:
        """(RUN, its script) for each RUN whose layer ships (`Model.shipped_stages()`), in
        file order; Windows stages and scripts that are not POSIX shell are left out."""
        for stage in self.model.shipped_stages():
            if stage.windows:
                continue
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                script = self.script(instruction)
                if script.posix:
                    yield instruction, script
