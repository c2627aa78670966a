"""What a rule sees: one file's document, model and shell commands, each built once.

Everything here is computed lazily and cached, so a file is parsed, modelled and its
RUN scripts shell-parsed at most once, however many rules ask.
"""

from __future__ import annotations

import dataclasses
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

    def uncleaned_installs(self, installs, cleans, cache_dirs,
                           tools: tuple[str, ...] = ()) -> Iterator[SimpleCommand]:
        """For each shipped RUN (see shipped_run_scripts) without a cache mount on one of
        `cache_dirs`, the first command matching `installs` that no later command of the
        same RUN matching `cleans` follows: what the package-cache cleanup rules report.
        `tools`: the canonical tool names `installs` can match (RUNs running none of them
        are skipped without looking at their commands); empty means any."""
        wanted = frozenset(tools)
        for instruction, script in self.shipped_run_scripts():
            if wanted and wanted.isdisjoint(script.tools):
                continue
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


# What a child build runs from an ONBUILD trigger: instructions that read or change files.
TRIGGER_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
# BuildKit refuses these as triggers (and a chained ONBUILD).
_NOT_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})
_PARENT = "dlint-onbuild-parent"


class ChildBuild:
    """The build of an image FROM a stage that has ONBUILD triggers, as dlint lints it:
    the document up to the end of that stage, then `FROM <that stage>` and the triggers
    as instructions of their own. Rules run on it like on any file, and see the triggers
    with the ENV, WORKDIR, USER and SHELL the child inherits; only findings inside the
    ONBUILD lines (`lines`) are kept. Trigger instructions keep their positions (on the
    ONBUILD line), so findings and fixes point at the ONBUILD text."""

    __slots__ = ("document", "lines", "keywords")

    def __init__(self, document: Document, lines: list[tuple[int, int]], keywords: set[str]):
        self.document = document
        self.lines = lines            # (start, end) of each ONBUILD instruction
        self.keywords = keywords      # the triggers' keywords

    def holds(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.lines)


def child_builds(document: Document) -> list[ChildBuild]:
    """One ChildBuild per stage with ONBUILD triggers of RUN, COPY or ADD (see ChildBuild)."""
    instructions = document.instructions
    if not any(i.keyword == "ONBUILD" for i in instructions):
        return []
    out = []
    # stage boundaries: index of each FROM
    froms = [n for n, ins in enumerate(instructions) if ins.keyword == "FROM"]
    for k, first in enumerate(froms):
        last = froms[k + 1] if k + 1 < len(froms) else len(instructions)
        body = instructions[first + 1:last]
        onbuilds = [ins for ins in body if ins.keyword == "ONBUILD"
                    and ins.sub_instruction is not None
                    and ins.sub_instruction.keyword not in _NOT_TRIGGERS]
        if not any(o.sub_instruction.keyword in TRIGGER_KEYWORDS for o in onbuilds):
            continue
        parent = instructions[first]
        value = list(parent.value)
        if len(value) >= 3 and value[1].lower() == "as":
            name = value[2]
        else:
            name = _PARENT
            parent = dataclasses.replace(parent, value=value[:1] + ["AS", name])
        child_from = Instruction(keyword="FROM", raw_keyword="FROM", start_line=0, end_line=0,
                                 value=[name], original=f"FROM {name}")
        triggers = []
        for o in onbuilds:
            sub = o.sub_instruction
            triggers.append(dataclasses.replace(
                sub, source_lines=sub.source_lines or o.source_lines,
                start_line=o.start_line, end_line=o.end_line))
        child = dataclasses.replace(
            document, instructions=[*instructions[:first], parent, *body, child_from, *triggers],
            errors=[], warnings=[])
        out.append(ChildBuild(child, [(o.start_line, o.end_line) for o in onbuilds],
                              {t.keyword for t in triggers}))
    return out
