"""What a rule sees: one file's document, model and shell commands, each built once.

Everything here is computed lazily and cached, so a file is parsed, modelled and its
RUN scripts shell-parsed at most once, however many rules ask.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from functools import cached_property

from dlint._record import FrozenRecord
from dlint.syntax.nodes import Comment, Document, Instruction

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any
    from dlint.model import Model, Stage
    from dlint.cache.context import IgnoreMatcher
    from dlint.lint.build_context import BuildContext
    from dlint.shell import Script, SimpleCommand
    from dlint.shell.shellcheck import Comment
    from dlint.shell.packages import Package


class ContextSource(FrozenRecord):
    """One COPY/ADD source read from the build context (LintContext.context_sources).

    instruction, stage; word (as written); path (expanded and cleaned, "" is the context
    root); wildcard (holds `*`, `?` or `[`)."""

    _fields = ("instruction", "stage", "word", "path", "wildcard")

    def __init__(self, instruction: Instruction, stage: Stage, word: str, path: str, wildcard: bool):
        setattr_ = object.__setattr__
        setattr_(self, "instruction", instruction)
        setattr_(self, "stage", stage)
        setattr_(self, "word", word)
        setattr_(self, "path", path)
        setattr_(self, "wildcard", wildcard)


class LabelPair(FrozenRecord):
    """One `key=value` of a LABEL instruction, expanded as BuildKit does.

    A FrozenRecord, not a frozen @dataclass: creating a dataclass costs ~1-3 ms at import,
    on every `dlint check`."""

    _fields = ("instruction", "stage", "key", "value", "key_known", "value_known")

    instruction: Instruction
    stage: Stage | None
    key: str                 # expanded, quotes removed
    value: str               # expanded, quotes removed
    key_known: bool          # the key does not hang on an unknown variable
    value_known: bool        # the value is fixed by the Dockerfile: no ARG (a build-time
                             # value, also through an ENV set from one) and no unknown
                             # variable in it

    def __init__(self, instruction: Instruction, stage: Stage | None, key: str, value: str,
                 key_known: bool, value_known: bool):
        setattr_ = object.__setattr__
        setattr_(self, "instruction", instruction)
        setattr_(self, "stage", stage)
        setattr_(self, "key", key)
        setattr_(self, "value", value)
        setattr_(self, "key_known", key_known)
        setattr_(self, "value_known", value_known)


class LintContext:
    def __init__(self, document: Document, display_path: str, context_dir: str | None = None,
                 settings: dict[str, Any] | None = None, *, context_explicit: bool = False,
                 dockerfile_path: str | None = None, shared: dict | None = None,
                 build_args: dict[str, str] | None = None):
        self.document = document
        self.display_path = display_path       # the path as findings show it
        self.context_dir = context_dir         # build context, when known (cache-aware rules)
        # the context was named (--context, config `contexts`, compose), not defaulted to
        # the Dockerfile's folder
        self.context_explicit = context_explicit
        self.dockerfile_path = dockerfile_path  # on disk, when read from a file
        self._shared = shared if shared is not None else {}  # per-run cache (BuildContexts)
        self.build_args = build_args or {}     # --build-arg values (from a compose file)
        self.settings = settings or {}         # global config ([tool.dlint] top-level keys)
        # the file's ignore pragmas and what they suppressed (dlint.lint.suppress.Pragmas),
        # set by the engine for the rules that read them (Rule.reads_pragmas); else None
        self.pragmas = None
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

        return build_model(self.document, self.build_args or None)

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

    def platform_flags(self) -> Iterator[tuple[Stage, Instruction, Any]]:
        """(stage, its FROM, the `--platform` value expanded at that FROM) for every stage
        whose FROM has `--platform`, in file order: what the platform rules read."""
        model = self.model
        for stage in model.stages:
            if stage.platform is not None:
                instruction = stage.from_instruction
                yield stage, instruction, model.expand(stage.platform, instruction)

    @cached_property
    def _ignore_file(self) -> str | None:
        if self.context_dir is None:
            return None
        import os

        path = self.dockerfile_path or os.path.join(
            self.context_dir, os.path.basename(self.document.path or self.display_path or "Dockerfile"))
        return _find_ignore_file(self.context_dir, path)

    @cached_property
    def dockerignore(self) -> IgnoreMatcher | None:
        """The `.dockerignore` of the build context as the docker CLI picks it
        (`<Dockerfile>.dockerignore` next to the Dockerfile first, then `.dockerignore`
        at the context root), as a matcher with its `patterns`. None without a known
        context or without an ignore file."""
        path = self._ignore_file
        if path is None:
            return None
        from dlint.cache.context import IgnoreMatcher, read_dockerignore

        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            return None
        return IgnoreMatcher(read_dockerignore(text))

    @cached_property
    def build_context(self) -> BuildContext | None:
        """The build context folder as COPY/ADD sources see it (dlint.lint.build_context),
        shared by every file of the run with the same context and ignore file; None
        without a context (stdin) or when the folder cannot be read. Nothing is listed
        until a rule asks a question."""
        if self.context_dir is None:
            return None
        import os

        key = ("build-context", os.path.abspath(self.context_dir), self._ignore_file)
        found = self._shared.get(key)
        if found is None:
            from dlint.cache.context import ContextError
            from dlint.lint.build_context import BuildContext

            try:
                found = BuildContext(self.context_dir, self.dockerignore, self.context_explicit)
            except ContextError:
                found = False
            else:
                found.ignore_path = self._ignore_file
            self._shared[key] = found
        return found or None

    def context_sources_by_copy(self, shipped_only: bool = False) -> list[list[ContextSource]]:
        """context_sources() grouped by their COPY/ADD, in file order (only the stages
        whose files ship, with `shipped_only`); empty without a readable build context:
        the walk the context rules share."""
        sources = list(self.context_sources())
        if not sources or self.build_context is None:
            return []
        shipped = {id(stage) for stage in self.model.shipped_stages()} if shipped_only else None
        groups: dict[int, list[ContextSource]] = {}
        for source in sources:
            if shipped is None or id(source.stage) in shipped:
                groups.setdefault(id(source.instruction), []).append(source)
        return list(groups.values())

    def context_sources(self) -> Iterator[ContextSource]:
        """Every COPY/ADD source read from the build context, in file order: not
        `COPY --from`, not URLs or git sources, not heredocs, not in Windows stages, and
        not depending on an ARG the run does not set (a build arg could change it). Paths are cleaned as
        BuildKit resolves them ("" is the context root)."""
        from dlint.cache.context import _has_magic, clean_source

        model = self.model
        for stage in model.stages:
            if stage.windows:
                continue
            for ins in stage.instructions:
                if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
                    continue
                words = ins.value[:-1]
                if ins.heredocs:
                    words = [w for w in words if not w.startswith("<<")]
                state = model.state_at(ins)
                for word in words:
                    expansion = state.expand(word)
                    if (expansion.unresolved or expansion.error is not None
                            or any(n in state.args and n not in self.build_args for n in expansion.names)):
                        continue  # a build arg could change it
                    value = expansion.value
                    low = value.lower()
                    if "://" in low or low.startswith("git@"):
                        continue
                    path = clean_source(value)
                    yield ContextSource(ins, stage, word, path, _has_magic(path))

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
        return self.run_scripts(shipped_only=True)

    def run_scripts(self, shipped_only: bool = False) -> Iterator[tuple[Instruction, Script]]:
        """(RUN, its script) for each RUN of every stage (only shipped ones with
        `shipped_only`), in file order; Windows stages and scripts that are not POSIX
        shell are left out."""
        stages = self.model.shipped_stages() if shipped_only else self.model.stages
        for stage in stages:
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

    def run_commands(self, names, shipped_only: bool = False) -> list[tuple[Instruction, SimpleCommand]]:
        """(RUN, effective command) for the commands of every RUN (see run_scripts) named
        by `names` (one name or several), in file order, each command once. A command is
        found by its canonical tool (`pip` finds pip3.11 and `python -m pip`, `dnf` finds
        microdnf: dlint.shell.tools) and by its basename; a wrapper's name finds the
        commands it wraps (`"sudo"` finds `apt-get` in `sudo apt-get ...`), and `"="` finds
        commands with `NAME=value` assignments. With `shipped_only`, only RUNs whose layer
        ships. Built once per file from one pass over the scripts, so a rule asking for
        commands the file does not run costs nothing."""
        if isinstance(names, str):
            names = (names,)
        index = self._command_index
        hits = []
        seen = set()
        for name in names:
            for entry in index.get(name, ()):
                if (shipped_only and not entry[3]) or id(entry[2]) in seen:
                    continue
                seen.add(id(entry[2]))
                hits.append(entry)
        if len(names) > 1:
            hits.sort(key=lambda e: e[0])
        return [(entry[1], entry[2]) for entry in hits]

    @cached_property
    def _command_index(self) -> dict[str, list[tuple[int, Instruction, SimpleCommand, bool]]]:
        index: dict[str, list[tuple[int, Instruction, SimpleCommand, bool]]] = {}
        shipped = {id(stage) for stage in self.model.shipped_stages()}
        seq = 0
        for stage in self.model.stages:
            if stage.windows:
                continue
            ships = id(stage) in shipped
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                script = self.script(instruction)
                if not script.posix:
                    continue
                for command in script.effective_commands:
                    entry = (seq, instruction, command, ships)
                    seq += 1
                    keys = {command.tool, command.basename, *command.wrappers}
                    if command.assignments:
                        keys.add("=")
                    for key in keys:
                        index.setdefault(key, []).append(entry)
        return index

    def busybox_base(self, instruction: Instruction) -> bool:
        """Whether the stage of `instruction` is built on an Alpine or BusyBox image (by
        name: `alpine`, `python:3.12-alpine`, `busybox:1.36`), where /bin/sh is BusyBox
        ash and the usual tools are BusyBox applets."""
        stage = self.model.stage_of(instruction)
        image = stage.root_image if stage is not None else None
        text = image.text.lower() if image is not None else ""
        return "alpine" in text or "busybox" in text

    def busybox_wget(self, instruction: Instruction, command: SimpleCommand) -> bool:
        """Whether the `wget` run by `command` is BusyBox's: the stage is built on an
        Alpine or BusyBox image and no `apk add ... wget` ran before it in the stage (or
        the stages it is built FROM)."""
        if not self.busybox_base(instruction):
            return False
        stage = self.model.stage_of(instruction)
        chain = {id(s) for s in stage.chain()}
        for ins, apk in self.run_commands(("apk",)):
            if (id(self.model.stage_of(ins)) in chain and apk.line <= command.line
                    and apk.matches("apk", "add") and "wget" in apk.positional_args()[1:]):
                return False
        return True

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

    def shellcheck_complete(self) -> bool:
        """Whether ShellCheck checked every RUN script of the file (false when it is
        missing or failed, and `shellcheck_comments` misses what it would have said)."""
        return all(script.comments_known() for script in self.shellcheck_scripts)

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

    def comments_known(self) -> bool:
        return self.checker.result(self.key) is not None

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


def _find_ignore_file(context_dir: str, dockerfile: str) -> str | None:
    """The ignore file the docker CLI uses: `<Dockerfile path>.dockerignore` (next to
    the Dockerfile; a bare name is taken in the context root) first, then `.dockerignore`
    at the context root."""
    import os

    for candidate in (dockerfile + ".dockerignore", ".dockerignore"):
        path = os.path.join(context_dir, candidate)
        if os.path.isfile(path):
            return path
    return None
