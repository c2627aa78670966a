"""The semantic model of one Dockerfile: stages, the stage graph, ARG/ENV scopes.

Follows BuildKit's Dockerfile frontend (dockerfile2llb/convert.go):
- global ARGs (before the first FROM) are the only variables a FROM sees, plus the
  automatic platform args (BUILDPLATFORM, TARGETARCH, ...: value unknown here);
- a stage's ARG without a default takes the global ARG's value; `--build-arg` values
  override declared ARGs only;
- ENV wins over an ARG of the same name when expanding;
- a stage built `FROM` an earlier stage starts from that stage's ENV, ARGs, USER,
  WORKDIR and SHELL (BuildKit appends the base stage's build args to the child's);
- ONBUILD triggers are recorded, never applied.

Nothing here raises on a parsed document, however broken.
"""

from __future__ import annotations

import ntpath
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from dlint.model.expand import MAX_EXPANSION, Expansion, expand, suggest
from dlint.model.imageref import ImageRef, parse_image_ref
from dlint.model.mount import parse_mount
from dlint.syntax.nodes import Document, Instruction

DEFAULT_SHELL = ["/bin/sh", "-c"]
DEFAULT_WINDOWS_SHELL = ["cmd", "/S", "/C"]

# Set by BuildKit for every build; their values depend on the platforms, unknown here.
AUTOMATIC_PLATFORM_ARGS = (
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
)

DEFAULT_PLATFORM = "linux/amd64"

# What a FROM may use without a global ARG declaring it (BuildKit's predefined args).
PREDEFINED_FROM_ARGS = (*AUTOMATIC_PLATFORM_ARGS, "BUILDOSVERSION", "TARGETOSVERSION",
                        "TARGETSTAGE")
# Names BuildKit's UndefinedVar check counts as defined everywhere.
_ALWAYS_DEFINED = ("BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE")

_WINDOWS_IMAGE_HINTS = ("windows", "nanoserver", "servercore", "ltsc20", "dotnet/framework")
_WINDOWS_SHELLS = ("powershell", "pwsh", "cmd")


@dataclass(eq=False)
class Stage:
    """One build stage: its FROM, its base (image or earlier stage) and its instructions."""

    index: int
    name: str | None                 # lower-cased AS name, as BuildKit keys stages
    from_instruction: Instruction
    base_text: str                   # FROM's image word as written ("python:${PY}")
    base_name: str                   # base_text expanded with the global ARGs
    base: ImageRef | None            # the external image; None when FROM names a stage
    base_stage: Stage | None         # the earlier stage FROM names, if any
    base_expansion: Expansion
    platform: str | None = None      # --platform as written
    platform_expanded: str | None = None
    instructions: list[Instruction] = field(default_factory=list)  # after FROM
    onbuild: list[Instruction] = field(default_factory=list)       # recorded only
    windows: bool = False
    raw_name: str | None = None      # AS name as written

    @property
    def is_scratch(self) -> bool:
        return self.base_stage is None and self.base_name == "scratch"

    @property
    def base_unresolved(self) -> bool:
        """FROM uses a variable with no known value (or fails to expand)."""
        return self.base_expansion.unresolved

    @property
    def root_image(self) -> ImageRef | None:
        """The external image at the bottom of the FROM chain."""
        stage: Stage | None = self
        seen = 0
        while stage is not None and stage.base_stage is not None and seen < 1000:
            stage = stage.base_stage
            seen += 1
        return stage.base if stage is not None else None

    @property
    def external_image(self) -> ImageRef | None:
        """The image FROM pulls, when known: None for a stage base, scratch, a variable
        without known value, or a reference that does not parse."""
        if self.base_stage is not None or self.is_scratch or self.base_unresolved:
            return None
        image = self.base
        return image if image is not None and image.valid else None

    def chain(self) -> Iterator[Stage]:
        """This stage, then the earlier stages it is built FROM, nearest first."""
        stage: Stage | None = self
        seen = 0
        while stage is not None and seen < 1000:
            yield stage
            stage = stage.base_stage
            seen += 1

    @property
    def label(self) -> str:
        """How messages name the stage: its name, else its index."""
        return self.name if self.name else str(self.index)

    def __repr__(self) -> str:
        return f"Stage({self.index}, {self.name!r}, base={self.base_name!r})"


@dataclass(frozen=True, eq=False)
class Dependency:
    """Something a stage needs: a FROM base, a COPY --from or a RUN --mount source."""

    kind: str                        # "from" | "copy" | "mount"
    instruction: Instruction
    stage: Stage | None              # the stage depended on, if a stage
    image: ImageRef | None           # the external image, if not a stage
    reference: str = ""              # the expanded reference text (name, index, image)
    unresolved: bool = False         # the reference used a variable without known value


@dataclass(eq=False)
class State:
    """What is in effect just BEFORE an instruction."""

    stage: Stage | None
    env: dict[str, str]              # Dockerfile-declared ENV (not the image's own)
    args: dict[str, str | None]      # ARGs declared so far (None: no value)
    user: str | None = None          # None: the image default
    workdir: str = "/"
    shell: list[str] = field(default_factory=lambda: list(DEFAULT_SHELL))
    windows: bool = False
    escape: str = "\\"
    # Names in env/user/workdir whose values are not exactly known (they used an unknown
    # variable such as the image's $PATH or an ARG without value).
    uncertain: frozenset[str] = frozenset()
    _scope: dict[str, str | None] | None = field(default=None, repr=False)

    @property
    def scope(self) -> dict[str, str | None]:
        """Variables for expansion: ARGs, overridden by ENV of the same name."""
        if self._scope is None:
            if not self.args:
                self._scope = dict(self.env)
            else:
                scope: dict[str, str | None] = dict(self.args)
                scope.update(self.env)
                self._scope = scope
        return self._scope

    def expand(self, word: str, *, keep_unknown: bool = False) -> Expansion:
        ex = expand(word, self.scope, self.escape, windows=self.windows,
                    keep_unknown=keep_unknown)
        if self.uncertain and ex.names:
            doubtful = ex.names & self.uncertain
            if doubtful:
                ex = replace(ex, unknown=ex.unknown | doubtful)
        return ex


def _looks_windows_image(text: str) -> bool:
    low = text.lower()
    return any(h in low for h in _WINDOWS_IMAGE_HINTS)


def _windows_shell(argv: list[str]) -> bool:
    if not argv:
        return False
    exe = argv[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if exe.endswith(".exe"):
        exe = exe[:-4]
    return exe in _WINDOWS_SHELLS


def _mark(uncertain: set[str], key: str, doubtful: bool) -> None:
    """Record whether `key`'s value is exactly known."""
    if doubtful:
        uncertain.add(key)
    else:
        uncertain.discard(key)


def _split_arg(word: str) -> tuple[str, str | None]:
    key, sep, default = word.partition("=")
    return key, (default if sep else None)


def _platform_is_windows(platform: str | None) -> bool:
    return bool(platform) and platform.lower().startswith("windows")


class Model:
    """Built by build_model(); read-only afterwards."""

    def __init__(self, document: Document, build_args: Mapping[str, str] | None = None,
                 platform: str = DEFAULT_PLATFORM):
        self.document = document
        self.build_args: dict[str, str] = dict(build_args or {})
        # Assumed value of the automatic platform args; expansions using them stay
        # marked unresolved, since the real build may target another platform.
        self.platform = platform or DEFAULT_PLATFORM
        self.escape = document.escape or "\\"
        self.stages: list[Stage] = []
        self.global_args: dict[str, str | None] = {}
        self.global_instructions: list[Instruction] = []   # everything before the first FROM
        self._states: dict[int, State] = {}
        self._final_states: dict[int, State] = {}
        self._by_name: dict[str, Stage] = {}
        self._deps: dict[int, list[Dependency]] = {}
        self._stage_of: dict[int, Stage] = {}
        # (instruction, message) for each ARG/ENV/FROM value over MAX_EXPANSION characters,
        # left unexpanded (an "expansion bomb": each ARG doubling the previous one)
        self.too_large: list[tuple[Instruction, str]] = []
        self._build()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        doc = self.document
        first_from = next((i for i, ins in enumerate(doc.instructions) if ins.keyword == "FROM"),
                          len(doc.instructions))
        self.global_instructions = doc.instructions[:first_from]
        self._build_global_args()
        groups: list[tuple[Instruction, list[Instruction]]] = []
        for ins in doc.instructions[first_from:]:
            if ins.keyword == "FROM":
                groups.append((ins, []))
            else:
                groups[-1][1].append(ins)
        for index, (from_ins, body) in enumerate(groups):
            stage = self._make_stage(index, from_ins, body)
            self.stages.append(stage)
            if stage.name is not None:
                self._by_name.setdefault(stage.name, stage)
            for ins in body:
                self._stage_of[id(ins)] = stage
                if ins.sub_instruction is not None:
                    self._stage_of[id(ins.sub_instruction)] = stage
            self._stage_of[id(from_ins)] = stage
        for stage in self.stages:
            self._walk_stage(stage)
        for stage in self.stages:
            self._deps[id(stage)] = self._compute_dependencies(stage)

    def _build_global_args(self) -> None:
        # The automatic platform args are in scope for FROM without a declaration.
        auto = self._platform_args()
        uncertain = {k for k in auto if k not in self.build_args}
        state = State(None, {}, {}, escape=self.escape)
        for ins in self.global_instructions:
            self._states[id(ins)] = state
            if ins.keyword != "ARG":
                continue
            args = dict(self.global_args)
            for word in ins.value:
                key, default = _split_arg(word)
                if not key:
                    continue
                if key in self.build_args:
                    value: str | None = self.build_args[key]
                    uncertain.discard(key)
                elif default is not None:
                    ex = State(None, {}, {**auto, **args}, escape=self.escape,
                               uncertain=frozenset(uncertain)).expand(default)
                    value = None if self._too_large(ins, key, ex) else ex.value
                    _mark(uncertain, key, ex.unresolved)
                else:
                    value = auto.get(key)
                args[key] = value
            self.global_args = args
            state = State(None, {}, dict(args), escape=self.escape,
                          uncertain=frozenset(uncertain & set(args)))
        self._global_uncertain = frozenset(uncertain)
        self._meta_state = State(None, {}, {**auto, **self.global_args}, escape=self.escape,
                                 uncertain=self._global_uncertain)

    def _too_large(self, ins: Instruction, name: str | None, ex: Expansion) -> bool:
        """Record a value over MAX_EXPANSION characters. Its variable then holds no value
        (an ARG) or an empty one (an ENV), marked uncertain: the variables built from it do
        not grow again, and the file gets one finding per bomb."""
        if not ex.too_large:
            return False
        what = f"The value of `{name}`" if name else "The image name"
        self.too_large.append((ins, (
            f"{what} expands to more than {MAX_EXPANSION} characters (variables that "
            f"repeat each other, doubling at every step?): dlint leaves it unexpanded, "
            f"and BuildKit would spend memory and time building it.")))
        return True

    def _platform_args(self) -> dict[str, str | None]:
        """BUILDPLATFORM, TARGETARCH, ...: from build_args, else the assumed platform."""
        os_, _, rest = self.platform.partition("/")
        arch, _, variant = rest.partition("/")
        values = {"PLATFORM": self.platform, "OS": os_, "ARCH": arch, "VARIANT": variant}
        auto: dict[str, str | None] = {}
        for name in AUTOMATIC_PLATFORM_ARGS:
            prefix = "BUILD" if name.startswith("BUILD") else "TARGET"
            auto[name] = self.build_args.get(name, values[name[len(prefix):]])
        return auto

    def _make_stage(self, index: int, from_ins: Instruction, body: list[Instruction]) -> Stage:
        value = from_ins.value
        base_text = value[0] if value else ""
        raw_name = value[2] if len(value) >= 3 and value[1].lower() == "as" else None
        name = raw_name.lower() if raw_name is not None else None
        ex = self._meta_state.expand(base_text)
        self._too_large(from_ins, None, ex)
        base_name = ex.value
        base_stage = self._by_name.get(base_name.lower()) if base_name else None
        if base_stage is not None and base_stage.index >= index:
            base_stage = None
        base = None if base_stage is not None else parse_image_ref(base_name)
        platform_flag = from_ins.flag("platform")
        platform = platform_flag.value if platform_flag is not None else None
        platform_expanded = (self._meta_state.expand(platform).value
                             if platform is not None else None)
        instructions = list(body)
        onbuild = [ins for ins in body if ins.keyword == "ONBUILD"]
        windows = (
            (base_stage.windows if base_stage is not None else _looks_windows_image(base_name))
            or _platform_is_windows(platform_expanded)
            or self.escape == "`"
            or any(ins.keyword == "SHELL" and ins.json and _windows_shell(ins.value)
                   for ins in body)
        )
        return Stage(index=index, name=name, from_instruction=from_ins, base_text=base_text,
                     base_name=base_name, base=base, base_stage=base_stage,
                     base_expansion=ex, platform=platform,
                     platform_expanded=platform_expanded, instructions=instructions,
                     onbuild=onbuild, windows=windows, raw_name=raw_name)

    def _walk_stage(self, stage: Stage) -> None:
        parent = self._final_states.get(id(stage.base_stage)) if stage.base_stage else None
        windows = stage.windows
        if parent is not None:
            state = State(stage, parent.env, parent.args, parent.user, parent.workdir,
                          parent.shell, windows, self.escape, parent.uncertain)
        else:
            state = State(stage, {}, {}, None, "/",
                          list(DEFAULT_WINDOWS_SHELL if windows else DEFAULT_SHELL),
                          windows, self.escape)
        self._states[id(stage.from_instruction)] = state
        for ins in stage.instructions:
            self._states[id(ins)] = state
            if ins.sub_instruction is not None:
                self._states[id(ins.sub_instruction)] = state
            kw = ins.keyword
            if kw == "ENV":
                state = self._apply_env(state, ins)
            elif kw == "ARG":
                state = self._apply_arg(state, ins)
            elif kw == "USER":
                state = self._apply_user(state, ins)
            elif kw == "WORKDIR":
                state = self._apply_workdir(state, ins)
            elif kw == "SHELL":
                if ins.json and ins.value:
                    state = self._derive(state, shell=list(ins.value))
        self._final_states[id(stage)] = state

    def _derive(self, state: State, **changes) -> State:
        # Unchanged fields are shared, not copied: states are read-only once built.
        new = State(state.stage, state.env, state.args, state.user, state.workdir,
                    state.shell, state.windows, state.escape, state.uncertain)
        for key, value in changes.items():
            setattr(new, key, value)
        return new

    def _apply_env(self, state: State, ins: Instruction) -> State:
        env = dict(state.env)
        uncertain = set(state.uncertain)
        values = ins.value
        # Every pair expands against the ENV in effect before the instruction.
        for i in range(0, len(values) - 1, 2):
            key = state.expand(values[i]).value
            ex = state.expand(values[i + 1], keep_unknown=True)
            if not key:
                continue
            env[key] = "" if self._too_large(ins, key, ex) else ex.value
            _mark(uncertain, key, ex.unresolved)
        return self._derive(state, env=env, uncertain=frozenset(uncertain))

    def _apply_arg(self, state: State, ins: Instruction) -> State:
        args = dict(state.args)
        uncertain = set(state.uncertain)
        current = state
        for word in ins.value:
            key, default = _split_arg(word)
            if not key:
                continue
            if key in self.build_args:
                value: str | None = self.build_args[key]
                uncertain.discard(key)
            elif default is None and key in self.global_args:
                value = self.global_args[key]
                _mark(uncertain, key, key in self._global_uncertain)
            elif default is None and key in AUTOMATIC_PLATFORM_ARGS:
                value = self._meta_state.args[key]
                uncertain.add(key)
            elif default is not None:
                ex = current.expand(default)
                value = None if self._too_large(ins, key, ex) else ex.value
                _mark(uncertain, key, ex.unresolved)
            else:
                value = None
            args[key] = value
            # Later words of the same ARG see earlier ones (BuildKit dispatches them in turn).
            current = self._derive(current, args=dict(args), uncertain=frozenset(uncertain))
        return self._derive(state, args=args, uncertain=frozenset(uncertain))

    def _apply_user(self, state: State, ins: Instruction) -> State:
        if not ins.value:
            return state
        ex = state.expand(ins.value[0], keep_unknown=True)
        return self._derive(state, user=ex.value)

    def _apply_workdir(self, state: State, ins: Instruction) -> State:
        if not ins.value:
            return state
        ex = state.expand(ins.value[0], keep_unknown=True)
        return self._derive(state, workdir=_resolve_workdir(state.workdir, ex.value,
                                                            state.windows))

    def _compute_dependencies(self, stage: Stage) -> list[Dependency]:
        deps: list[Dependency] = []
        ins = stage.from_instruction
        deps.append(Dependency("from", ins, stage.base_stage, stage.base, stage.base_name,
                               stage.base_expansion.unresolved))
        for ins in stage.instructions:
            if ins.keyword == "COPY":
                flag = ins.flag("from")
                if flag is not None and flag.value:
                    deps.append(self._reference_dependency("copy", ins, flag.value, stage))
            elif ins.keyword == "RUN":
                for flag in ins.flags_named("mount"):
                    source = parse_mount(flag.value).get("from")
                    if source:
                        deps.append(self._reference_dependency("mount", ins, source, stage))
        return deps

    def _reference_dependency(self, kind: str, ins: Instruction, text: str,
                              stage: Stage) -> Dependency:
        ex = self.state_at(ins).expand(text)
        ref = ex.value
        target = self._resolve_stage_reference(ref)
        if target is stage:
            target = None  # BuildKit rejects a self-reference; do not loop on it
            return Dependency(kind, ins, None, None, ref, ex.unresolved)
        image = None if target is not None else parse_image_ref(ref)
        return Dependency(kind, ins, target, image, ref, ex.unresolved)

    def _resolve_stage_reference(self, ref: str) -> Stage | None:
        if ref.isdigit():
            i = int(ref)
            return self.stages[i] if i < len(self.stages) else None
        return self._by_name.get(ref.lower())

    # -- queries -------------------------------------------------------------------------
    def stage(self, name_or_index: str | int) -> Stage | None:
        """A stage by AS name (case-insensitive) or index (int or digit string)."""
        if isinstance(name_or_index, int):
            if 0 <= name_or_index < len(self.stages):
                return self.stages[name_or_index]
            return None
        return self._resolve_stage_reference(str(name_or_index))

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_of(self, instruction: Instruction) -> Stage | None:
        return self._stage_of.get(id(instruction))

    def dependencies(self, stage: Stage) -> list[Dependency]:
        deps = self._deps.get(id(stage))
        return list(deps) if deps is not None else []

    def reachable(self, target: str | None = None) -> list[Stage]:
        """Stages BuildKit builds for `target` (default: the last stage), in file order.

        An unknown target gives an empty list (BuildKit fails the build).
        """
        start = self.final_stage if target is None else self.stage(target)
        if start is None:
            return []
        seen = {id(start): start}
        todo = [start]
        while todo:
            current = todo.pop()
            for dep in self._deps.get(id(current), ()):
                if dep.stage is not None and id(dep.stage) not in seen:
                    seen[id(dep.stage)] = dep.stage
                    todo.append(dep.stage)
        return sorted(seen.values(), key=lambda s: s.index)

    def shipped_stages(self) -> list[Stage]:
        """Stages whose layers end up in an image someone runs, in file order: the last
        stage, every stage no other stage uses (a possible --target), and their FROM
        ancestors. Stages only read through COPY --from / RUN --mount=from are build
        stages, left out."""
        used = {id(dep.stage) for stage in self.stages for dep in self.dependencies(stage)
                if dep.stage is not None and dep.stage is not stage}
        shipped: set[int] = set()
        for stage in self.stages:
            if id(stage) in used and stage is not self.final_stage:
                continue
            while stage is not None and id(stage) not in shipped:
                shipped.add(id(stage))
                stage = stage.base_stage
        return [stage for stage in self.stages if id(stage) in shipped]

    def cache_mount_targets(self, instruction: Instruction) -> list[str]:
        """The expanded, normalised targets of a RUN's `--mount=type=cache` and
        `--mount=type=tmpfs` flags: directories whose files never reach the layer.
        Empty targets are left out."""
        targets: list[str] = []
        for flag in instruction.flags_named("mount"):
            options = parse_mount(flag.value)
            if options.get("type") not in ("cache", "tmpfs"):
                continue
            target = self.expand(options.get("target", ""), instruction).value
            if target:
                targets.append(posixpath.normpath(target))
        return targets

    def cache_mounted(self, instruction: Instruction, directories: Iterable[str]) -> bool:
        """A cache or tmpfs mount of one of `directories`, or of a parent of one."""
        targets = self.cache_mount_targets(instruction)
        return any(directory == target or directory.startswith(target.rstrip("/") + "/")
                   for directory in directories for target in targets)

    def state_at(self, instruction: Instruction) -> State:
        """The state just before `instruction` (ONBUILD triggers get their ONBUILD's)."""
        state = self._states.get(id(instruction))
        if state is None:
            state = State(None, {}, dict(self.global_args), escape=self.escape)
        return state

    def final_state(self, stage: Stage) -> State:
        """The state after a stage's last instruction."""
        state = self._final_states.get(id(stage))
        if state is None:
            state = State(stage, {}, {}, escape=self.escape, windows=stage.windows)
        return state

    def expand(self, word: str, instruction: Instruction) -> Expansion:
        """Expand a word of `instruction` as BuildKit would: FROM sees global ARGs only,
        other instructions the ARGs and ENV in effect before them."""
        if instruction.keyword == "FROM":
            return self._meta_state.expand(word)
        return self.state_at(instruction).expand(word)

    # -- what BuildKit's build checks read -----------------------------------------------
    def from_undeclared(self, stage: Stage) -> list[tuple[str, str | None]]:
        """Variables a stage's FROM uses (image word and --platform) that no global ARG
        declares and BuildKit does not predefine: (name, suggestion), sorted by name.
        BuildKit's UndefinedArgInFrom; a value-less global ARG counts as declared."""
        declared = set(self.global_args) | set(PREDEFINED_FROM_ARGS)
        names = set(stage.base_expansion.names)
        if stage.platform is not None:
            names |= self._meta_state.expand(stage.platform).names
        return [(name, suggest(name, declared)) for name in sorted(names - declared)]

    def undefined_variables(self, instruction: Instruction) -> list[tuple[str, str | None]]:
        """Variables an instruction's expanded words use that nothing declared before it,
        as BuildKit's UndefinedVar check reads them: (name, suggestion), in order, once each.

        Checked words: ENV and LABEL keys and values, COPY/ADD flags (--chown, --chmod,
        --checksum), sources, destination and unquoted heredoc bodies, WORKDIR, USER,
        VOLUME, STOPSIGNAL, RUN --mount values, ARG defaults. A name is declared by an
        earlier ENV or ARG (with or without value) of the stage or the stages it is built
        FROM. Variables of the base image's own config are unknown here: the caller
        decides what to make of the others (``Stage.is_scratch``, ``global_args``)."""
        stage = self.stage_of(instruction)
        if stage is None or instruction.keyword in ("FROM", "ONBUILD"):
            return []
        state = self.state_at(instruction)
        windows = state.windows
        fold = str.upper if windows else (lambda text: text)
        declared = {fold(k) for k in (*state.env, *state.args, *_ALWAYS_DEFINED)}
        if not windows:
            declared.add("PATH")  # every Linux image config (scratch too) has one
        env_keys = [k for k in state.scope if state.scope[k] is not None]
        if not windows:
            env_keys.append("PATH")
        found: dict[str, str | None] = {}

        def check(ex: Expansion, extra: set[str] | frozenset[str] = frozenset()) -> None:
            for name in sorted(ex.names):
                if fold(name) not in declared and fold(name) not in extra and name not in found:
                    found[name] = suggest(name, env_keys)

        kw = instruction.keyword
        if kw == "ARG":
            # Pairs apply one by one: a later default sees the earlier keys.
            extra: set[str] = set()
            env = dict(state.scope)
            for word in instruction.value:
                key, sep, default = word.partition("=")
                if sep and key not in self.build_args:
                    expansion = expand(default, env, state.escape, windows=windows)
                    check(expansion, extra)
                    env[key] = expansion.value
                extra.add(fold(key))
            return list(found.items())
        words: list[str] = []
        if kw in ("ENV", "LABEL", "VOLUME"):
            words = list(instruction.value)
        elif kw in ("WORKDIR", "USER", "STOPSIGNAL"):
            words = instruction.value[:1]
        elif kw in ("COPY", "ADD"):
            names = ("chown", "chmod", "checksum") if kw == "ADD" else ("chown", "chmod")
            words = [f.value for f in instruction.flags if f.name in names and f.value]
            heredoc = bool(instruction.heredocs)
            words += [w for w in instruction.value if not (heredoc and w.startswith("<<"))]
            for doc in instruction.heredocs:
                if doc.expand:
                    check(expand(doc.content, state.scope, state.escape, windows=windows,
                                 quotes=False))
        elif kw == "RUN":
            words = [f.value for f in instruction.flags if f.name == "mount" and f.value]
        for word in words:
            check(state.expand(word))
        return list(found.items())


def _resolve_workdir(current: str, requested: str, windows: bool) -> str:
    if not requested:
        return current
    if windows:
        if (len(requested) >= 2 and requested[1] == ":") or requested[:1] in ("\\", "/"):
            return ntpath.normpath(requested)
        return ntpath.normpath(ntpath.join(current, requested))
    if requested.startswith("$"):
        return requested  # an unresolved "$HOME/app": most likely absolute as well
    path = requested if requested.startswith("/") else posixpath.join(current or "/", requested)
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path


def build_model(document: Document, build_args: Mapping[str, str] | None = None, *,
                platform: str = DEFAULT_PLATFORM) -> Model:
    """The semantic model of a parsed document. Never raises on any parsed document.

    `build_args` are `--build-arg` values (they affect declared ARGs only); `platform`
    is the assumed build and target platform for BUILDPLATFORM, TARGETARCH, ...
    """
    return Model(document, build_args, platform)
