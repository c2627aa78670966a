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


class LintContext:
    def __init__(self, document: Document, display_path: str, context_dir: str | None = None,
                 settings: dict[str, Any] | None = None):
        self.document = document
        self.display_path = display_path       # the path as findings show it
        self.context_dir = context_dir         # build context, when known (cache-aware rules)
        self.settings = settings or {}         # global config ([tool.dlint] top-level keys)
        self._scripts: dict[int, Script] = {}

    @property
    def modelled(self) -> bool:
        """Whether the file is small enough to model (dlint.model.MAX_MODELLED_INSTRUCTIONS);
        a larger one only gets its syntax checked."""
        from dlint.model import MAX_MODELLED_INSTRUCTIONS

        return len(self.document.instructions) <= MAX_MODELLED_INSTRUCTIONS

    def oversized_expansions(self) -> list[tuple[Instruction, str]]:
        """(instruction, message) for each ARG/ENV/FROM value whose expansion passed
        dlint.model.MAX_EXPANSION characters and was left unexpanded."""
        return self.model.too_large if self.modelled else []

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
