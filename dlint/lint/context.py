"""What a rule sees: one file's document, model and shell commands, each built once.

Everything here is computed lazily and cached, so a file is parsed, modelled and its
RUN scripts shell-parsed at most once, however many rules ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from dlint.syntax.nodes import Document, Instruction

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any
    from dlint.model import Model
    from dlint.shell import Script, SimpleCommand
    from dlint.shell.shellcheck import Comment


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

    @cached_property
    def shellcheck_scripts(self) -> list[CheckedScript]:
        """Every shell-form RUN and ONBUILD RUN of the file, in all stages, as ShellCheck
        checks it (see dlint.shell.shellcheck), handed to the process-wide ShellCheck
        runner on first use; the results are collected by `shellcheck_comments`."""
        from dlint.lint.suppress import shell_pragmas
        from dlint.shell.run import shell_input
        from dlint.shell.shellcheck import checked_text, runner

        pragmas = shell_pragmas(self.document)
        checker = runner()
        out: list[CheckedScript] = []
        override: str | None = None
        events = sorted([(i.start_line, 1, i) for i in self.document.instructions]
                        + [(line, 0, name) for line, name in pragmas], key=lambda e: e[:2])
        for _, kind, item in events:
            if kind == 0:
                override = item
                continue
            instruction = item
            keyword = instruction.keyword
            if keyword in ("FROM", "SHELL"):
                override = None
                continue
            if keyword != "RUN" and not (keyword == "ONBUILD" and instruction.sub_instruction is not None
                                         and instruction.sub_instruction.keyword == "RUN"):
                continue
            state = self.model.state_at(instruction)
            source = shell_input(instruction, state, override)
            if source is None:
                continue
            text = checked_text(source.text, source.shell, self._declared(state), source.shebang)
            if text is None:
                continue
            out.append(CheckedScript(instruction, source, checker, checker.submit(text)))
        return out

    @staticmethod
    def _declared(state) -> dict[str, str | None]:
        """What ShellCheck is told about the variables of a RUN: ARG/ENV in scope with their
        value when it is exactly known, BuildKit's proxy ARGs (values unknown)."""
        from dlint.model.model import AUTOMATIC_PLATFORM_ARGS
        from dlint.shell.shellcheck import PROXY_ARGS

        declared: dict[str, str | None] = dict.fromkeys(PROXY_ARGS)
        uncertain = state.uncertain
        for name, value in state.scope.items():
            # a platform ARG's value varies with the platform, but is always one word
            known = name not in uncertain or name in AUTOMATIC_PLATFORM_ARGS
            declared[name] = value if known else None
        return declared

    def shellcheck_comments(self) -> Iterator[tuple[Instruction, Any, tuple[int, int, int, int]]]:
        """(RUN, ShellCheck comment, (line, column, end_line, end_column) in the file) for
        every comment ShellCheck makes on the file's scripts; nothing when ShellCheck is
        missing or failed (it said so on stderr)."""
        for script in self.shellcheck_scripts:
            for comment in script.comments():
                yield script.instruction, comment, script.span(comment)


class CheckedScript:
    """One RUN's script as handed to ShellCheck, and how its comments map back."""

    __slots__ = ("instruction", "source", "checker", "key", "_starts")

    def __init__(self, instruction: Instruction, source, checker, key: str):
        self.instruction = instruction
        self.source = source        # dlint.shell.run.ShellInput
        self.checker = checker
        self.key = key
        self._starts: list[int] | None = None

    def comments(self) -> list:
        return self.checker.result(self.key) or []

    def _offset(self, line: int, column: int, exclusive: bool = False) -> int:
        """Character offset in the script of a (line, column) of the checked file."""
        from dlint.shell.shellcheck import PROLOGUE_LINES

        text = self.source.text
        if self._starts is None:
            starts = [0]
            pos = text.find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = text.find("\n", pos + 1)
            self._starts = starts
        row = min(max(line - PROLOGUE_LINES, 1), len(self._starts)) - 1
        start = self._starts[row]
        end = self._starts[row + 1] - 1 if row + 1 < len(self._starts) else len(text)
        last = len(text) if exclusive else max(len(text) - 1, 0)
        return max(0, min(start + max(column, 1) - 1, end if exclusive else max(end - 1, start), last))

    def span(self, comment) -> tuple[int, int, int, int]:
        start = self._offset(comment.line, comment.column)
        # ShellCheck's end column is exclusive; dlint's is inclusive
        end = self._offset(comment.end_line, comment.end_column, exclusive=True) - 1
        positions = self.source.positions
        line, column = positions.point(start)
        end_line, end_column = positions.point(max(end, start))
        return line, column, end_line, end_column
