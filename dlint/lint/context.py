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
    from dlint.shell.packages import Package


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

    def run_scripts(self) -> Iterator[tuple[Instruction, Script]]:
        """(RUN, its script) for each RUN of every stage, build stages included, in file
        order; Windows stages and scripts that are not POSIX shell are left out."""
        for stage in self.model.stages:
            if stage.windows:
                continue
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                script = self.script(instruction)
                if script.posix:
                    yield instruction, script

    def run_commands(self, tools, shipped_only: bool = False
                     ) -> Iterator[tuple[Instruction, SimpleCommand]]:
        """(RUN, command) for every effective command (wrappers and `sh -c` looked
        through) whose canonical tool is one of `tools`, in the RUNs of every stage (only
        the shipped ones with `shipped_only`), in file order."""
        index = self._commands_by_tool
        if isinstance(tools, str):
            found = index.get(tools, [])
        else:
            found = sorted((e for t in set(tools) for e in index.get(t, ())),
                           key=lambda e: e[0])
        shipped = self._shipped_runs if shipped_only else None
        for _, instruction, command in found:
            if shipped is None or id(instruction) in shipped:
                yield instruction, command

    @cached_property
    def _commands_by_tool(self) -> dict[str, list[tuple[int, Instruction, SimpleCommand]]]:
        """Effective commands of every RUN by canonical tool, numbered in file order: the
        scripts are walked once, however many rules ask for a tool."""
        index: dict[str, list[tuple[int, Instruction, SimpleCommand]]] = {}
        n = 0
        for instruction, script in self.run_scripts():
            for command in script.effective_commands:
                index.setdefault(command.tool, []).append((n, instruction, command))
                n += 1
        return index

    @cached_property
    def _shipped_runs(self) -> set[int]:
        return {id(instruction) for instruction, _ in self.shipped_run_scripts()}

    def configured(self, instruction: Instruction, needles, paths=()) -> bool:
        """A setting made before `instruction` (or by it) in its stage or the stages it is
        built FROM: a RUN whose text holds one of `needles` (case-insensitive: a config
        line echoed into a file), or a COPY/ADD to one of `paths` (a config file whose
        content dlint cannot read). Base images are not looked into."""
        stage = self.model.stage_of(instruction)
        if stage is None:
            return False
        needles = [n.lower() for n in needles]
        for current in stage.chain():
            for ins in current.instructions:
                if ins.keyword == "RUN":
                    text = "\n".join(ins.source_lines).lower()
                    if any(n in text for n in needles):
                        return True
                elif ins.keyword in ("COPY", "ADD") and paths and ins.value:
                    if str(ins.value[-1]).startswith(tuple(paths)):
                        return True
                if ins is instruction:
                    break
        return False

    def installs(self, tools, shipped_only: bool = False
                 ) -> Iterator[tuple[Instruction, SimpleCommand, list[Package]]]:
        """(RUN, command, its package arguments) for every install command of one of
        `tools` (canonical names: "apt-get", "pip", "dnf"...) in the RUNs of every stage
        (only the shipped ones with `shipped_only`), wrappers and `sh -c` looked through.

        Package arguments are read by dlint.shell.packages.install_packages: a word holding
        a variable takes the value of the ARG/ENV in effect when it is known (and the
        script does not assign it itself); pip sees PIP_CONSTRAINT & co. set by ENV, ARG or
        on the command."""
        from dlint.shell.packages import install_packages

        cache = self._installs
        for instruction, command in self.run_commands(tools, shipped_only):
            key = id(command)
            if key not in cache:
                state = self.model.state_at(instruction)
                env = {name: value for name, value in state.scope.items() if value is not None}
                env.update((a.name, a.value) for a in command.assignments)
                cache[key] = install_packages(command, _expander(state, self.script(instruction)),
                                              env)
            packages = cache[key]
            if packages is not None:
                yield instruction, command, packages

    def unpinned_installs(self, tools) -> Iterator[tuple[SimpleCommand, str]]:
        """(command, the unpinned packages described for a message) for every install
        command of `tools` (see installs) that installs a package without a version:
        what the version-pinning rules report."""
        from dlint.shell.packages import describe_unpinned

        for _, command, packages in self.installs(tools):
            text = describe_unpinned(packages)
            if text:
                yield command, text

    def answers_prompts(self, instruction: Instruction, command: SimpleCommand) -> bool:
        """dlint.shell.packages.answers_prompts, with the RUN's ARG/ENV values."""
        from dlint.shell.packages import answers_prompts

        return answers_prompts(command, self.expander(instruction))

    def skips_recommends(self, instruction: Instruction, command: SimpleCommand) -> bool:
        """dlint.shell.packages.skips_recommends, with the RUN's ARG/ENV values."""
        from dlint.shell.packages import skips_recommends

        return skips_recommends(command, self.expander(instruction))

    def expander(self, instruction: Instruction):
        """expand(word) for the commands of a RUN: the word's value from the ARGs and ENV
        in effect, or None when a variable has no known value or the script assigns it
        (for dlint.shell.packages' install_packages, answers_prompts, skips_recommends)."""
        return _expander(self.model.state_at(instruction), self.script(instruction))

    @cached_property
    def _installs(self) -> dict[int, list[Package] | None]:
        return {}

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


def _expander(state, script):
    """expand(word) for install_packages: the word's value from the ARGs and ENV in
    effect, or None when a variable has no known value or the script assigns it."""
    def expand(word: str) -> str | None:
        expansion = state.expand(word)
        if expansion.unresolved or not expansion.names:
            return None
        text = script.text
        for name in expansion.names:
            if f"{name}=" in text or f"for {name} " in text or f"read {name}" in text:
                return None
        return expansion.value
    return expand
