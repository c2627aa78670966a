"""What a rule sees: one file's document, model and shell commands, each built once.

Everything here is computed lazily and cached, so a file is parsed, modelled and its
RUN scripts shell-parsed at most once, however many rules ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from dlint.syntax.nodes import Document, Instruction

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any
    from dlint.model import Model, Stage
    from dlint.shell import Script, SimpleCommand


@dataclass(frozen=True)
class LabelPair:
    """One `key=value` of a LABEL instruction, expanded as BuildKit does."""

    instruction: Instruction
    stage: Stage | None
    key: str                 # expanded, quotes removed
    value: str               # expanded, quotes removed
    key_known: bool          # the key does not hang on an unknown variable
    value_known: bool        # the value is fixed by the Dockerfile: no ARG (a build-time
                             # value, also through an ENV set from one) and no unknown
                             # variable in it


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
    def labels(self) -> list[LabelPair]:
        """Every key/value pair of every LABEL in a stage, in file order (ONBUILD LABELs
        label a child image and are left out)."""
        model = self.model
        pairs: list[LabelPair] = []
        # ENV names whose value comes from an ARG (directly or through another such ENV):
        # a build arg changes them, so a LABEL using them has no fixed value.
        from_args_after: dict[int, frozenset[str]] = {}
        for stage in model.stages:
            parent = stage.base_stage
            from_args = set(from_args_after.get(id(parent), ()) if parent is not None else ())
            for ins in stage.instructions:
                if ins.keyword not in ("ENV", "LABEL"):
                    continue
                state = model.state_at(ins)
                variable = set(state.args) | from_args
                for i in range(0, len(ins.value) - 1, 2):
                    key = state.expand(ins.value[i])
                    value = state.expand(ins.value[i + 1])
                    built = bool(value.names & variable)
                    if ins.keyword == "ENV":
                        (from_args.add if built else from_args.discard)(key.value)
                        continue
                    pairs.append(LabelPair(ins, stage, key.value, value.value,
                                           not key.unresolved,
                                           not (value.unresolved or built)))
            from_args_after[id(stage)] = frozenset(from_args)
        return pairs

    def labels_named(self, names: Iterable[str]) -> Iterator[LabelPair]:
        """The LABEL pairs whose key is one of `names` and whose value the Dockerfile
        fixes (see LabelPair.value_known): what the label-format rules check."""
        wanted = set(names)
        if not wanted:
            return
        seen: set[tuple[int, str, str]] = set()  # a pair repeated in one LABEL counts once
        for pair in self.labels:
            if pair.key_known and pair.value_known and pair.key in wanted:
                key = (id(pair.instruction), pair.key, pair.value)
                if key not in seen:
                    seen.add(key)
                    yield pair
