"""Cache keys of build steps, per builder (reference/buildkit-cache.md §1, §2, §7).

A `Plan` walks one Dockerfile the way one builder processes it and gives every
instruction a `Step`. Steps that are cache vertices get a key: a digest of their
parent's key and of named fields (argv, env, user, ...; for COPY/ADD the content of what
they select). Keys are comparable across two plans, so the cache of a BEFORE build is
simply the set of its keys: an AFTER step is cached iff its key is in that set (both
builders look up by content, not by position: E10b, identical steps in two stages).

BuildKit: FROM, RUN, COPY, ADD and WORKDIR (not "/") are vertices chained in their stage;
ENV, ARG, USER, SHELL and WORKDIR are state read by later RUNs (ENV and ARG as one ordered
env list, E38-E40); metadata never counts; `COPY --from` is keyed on the copied content
(E16b). Classic: every instruction is a step in a linear chain (global ARGs too), RUN
carries the declared ARGs as `|N K=V` (E07), heredoc bodies are dropped (E22).

The content of a path inside another stage is only known when every step of that stage
that may write it is cached or deterministic (a COPY of known content). Whether a RUN may
write a path is a textual heuristic: its script or mounts mention the path, a parent or
child of it, or its basename, or it runs in a working directory related to the path.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dlint.cache.context import FileState, clean_source, is_git_dir_path
from dlint.syntax.nodes import Document, Instruction

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUILDKIT_VERTICES = ("FROM", "RUN", "COPY", "ADD", "WORKDIR")

Select = Callable[[str], tuple[FileState, ...]]


class PredictError(Exception):
    """Input the builder would reject, or that cannot be analysed: one line for the user."""


@dataclass(frozen=True)
class Cause:
    own: str      # said on the step itself: "instruction changed"
    remote: str   # said on a later step that inherits it: "RUN on line 4 changed"


@dataclass(frozen=True)
class Unknown:
    """Content that cannot be known without building (a RUN that may write it reran).
    `condition`: what a step that reads it hangs on ("cached if /a from stage b comes out
    byte-identical")."""

    cause: Cause
    nonce: int
    condition: str = ""

    def __repr__(self) -> str:
        return f"Unknown({self.nonce})"


@dataclass
class Step:
    instruction: Instruction
    stage_label: str | None
    vertex: bool                       # makes a step (a cache lookup) under this builder
    key: str | None = None
    parent: Step | None = None         # the chain predecessor (a vertex)
    fields: dict[str, object] = field(default_factory=dict)
    cached: bool | None = None
    cause: Cause | None = None
    det: object = None                 # deterministic output (COPY/ADD/WORKDIR), for path tokens
    run_text: str = ""                 # RUN: script text and mount targets, for the write heuristic
    cwd: str = "/"
    shell: tuple = ()                  # RUN (shell form): the SHELL in effect
    dest: str | None = None            # COPY/ADD/WORKDIR: absolute path written
    vars_used: frozenset[str] = frozenset()
    env_origin: dict[str, tuple[int, bool]] = field(default_factory=dict)  # name -> (line, is ARG)
    scope: dict[str, str | None] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)   # context sources (COPY/ADD/bind mounts)
    from_refs: list[tuple[str, str]] = field(default_factory=list)  # (stage label, path) read
    # False: rebuilt only if what an earlier rerun step produces differs (`condition`).
    certain: bool = True
    condition: str | None = None
    ordinal: int = 0                   # index among the stage's steps (BEFORE counterpart)
    # COPY/ADD --link on a builder with MergeOp: this step is the copy onto scratch (keyed on
    # its own sources only); `merge` is the vertex that stacks it on the chain, the parent
    # of the next step.
    linked: bool = False
    merge: Step | None = None
    # A linked copy that stayed cached while the chain below it reran: why (for the report).
    note: str | None = None
    # --link that this builder would link but BuildKit does not (with --chmod): said in reasons.
    link_ignored: str | None = None

    @property
    def line(self) -> int:
        return self.instruction.start_line

    @property
    def keyword(self) -> str:
        return self.instruction.keyword


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def abs_path(path: str) -> str:
    """An absolute, normalized path inside an image ("//x" and "x" are "/x")."""
    return "/" + posixpath.normpath("/" + path).lstrip("/")


def _ancestors(path: str) -> list[str]:
    out = []
    path = abs_path(path)
    while path != "/":
        out.append(path)
        path = posixpath.dirname(path)
    return out


def _related(a: str, b: str) -> bool:
    """One path is the other or contains it."""
    a, b = a.rstrip("/") or "/", b.rstrip("/") or "/"
    if a == "/" or b == "/":
        return True
    return a == b or b.startswith(a + "/") or a.startswith(b + "/")


def _literal_prefix(path: str) -> str:
    parts = []
    for part in path.split("/"):
        if any(c in part for c in "*?[\\"):
            break
        parts.append(part)
    return "/".join(parts) or "/"


def _raw(ins: Instruction) -> tuple:
    return (ins.keyword, tuple(f.raw for f in ins.flags), tuple(ins.value), ins.json,
            tuple((h.name, h.content) for h in ins.heredocs))


class Plan:
    """How one builder processes one Dockerfile, with keys for every vertex.

    `reference` is the BEFORE plan when this is the AFTER one: its keys are the cache.
    """

    def __init__(self, document: Document, select: Select, *, builder: str = "buildkit",
                 build_args: Mapping[str, str] | None = None, target: str | None = None,
                 network: str = "default", reference: Plan | None = None, side: str = "AFTER"):
        from dlint.model import build_model

        from dlint.cache import BUILDERS, LINKING_BUILDERS

        if builder not in BUILDERS:
            raise PredictError(f"unknown builder {builder!r} ({', '.join(BUILDERS)})")
        self.links = builder in LINKING_BUILDERS   # --link is a real link (MergeOp)
        if document.errors:
            err = document.errors[0]
            raise PredictError(f"{side} {document.path}:{err.line}: {err.message}")
        self.document = document
        self.select = select
        self.builder = builder
        self.network = network
        self.reference = reference
        self.side = side
        self.model = build_model(document, dict(build_args or {}))
        if not self.model.stages:
            raise PredictError(f"{side} {document.path}: no FROM instruction")
        self.target = target
        target_stage = self.model.stage(target) if target is not None else self.model.final_stage
        if target_stage is None:
            raise PredictError(f"{side} {document.path}: unknown target stage {target!r}")
        if builder != "classic":
            self.processed = self.model.reachable(target)
        else:
            self.processed = self.model.stages[:target_stage.index + 1]
        self.keys: set[str] = set()
        self.children: dict[str | None, list[Step]] = {}
        self.steps: dict[int, Step] = {}           # id(instruction) -> Step
        self._stage_steps: dict[int, list[Step]] = {}
        self._stage_env: dict[int, list[tuple[str, str, int, bool]]] = {}
        self._walking: set[int] = set()
        self._nonce = 0
        self.token_causes: dict[str, Cause] = {}
        self._globals = [self._global_step(ins) for ins in self.model.global_instructions]
        for stage in self.processed:
            self._walk(stage)

    # -- results -------------------------------------------------------------------------
    def ordered_steps(self) -> list[Step]:
        """Global instructions, then every instruction of every processed stage, in
        Dockerfile order."""
        out = list(self._globals)
        for stage in sorted(self.processed, key=lambda s: s.index):
            out.extend(self._stage_steps[stage.index])
        return out

    def label(self, stage) -> str:
        return stage.name if stage.name else f"stage-{stage.index}"

    # -- helpers -------------------------------------------------------------------------
    def _global_step(self, ins: Instruction) -> Step:
        step = Step(ins, None, vertex=self.builder == "classic")
        if step.vertex:
            step.cached = True  # no image to look up yet: nothing is ever rebuilt here
        return step

    def _is_cached(self, key: str) -> bool:
        return self.reference is None or key in self.reference.keys

    def _finish(self, step: Step, parent: Step | None) -> Step:
        """Key a vertex from its parent and fields, then decide cached and why."""
        step.parent = parent
        parent_key = parent.key if parent is not None else None
        step.key = _digest(parent_key, step.keyword, sorted(step.fields.items(), key=lambda kv: kv[0]))
        self.keys.add(step.key)
        self.children.setdefault(parent_key, []).append(step)
        step.cached = self._is_cached(step.key)
        if not step.cached:
            step.cause = self._cause(step)
            self._certainty(step)
            if step.certain and parent is not None and parent.cached is False and not parent.certain:
                # It reruns whatever the uncertain step below it does: name its own change,
                # not the parent's "may have changed".
                before = self.counterpart(step)
                own = self._changed_field_cause(step, before) if before is not None else None
                step.cause = own or step.cause
        return step

    def _finish_linked(self, step: Step, parent: Step | None) -> Step:
        """A linked copy (MergeOp): the copy onto scratch is keyed without the chain, so it
        stays cached whatever reran before it; the merge that stacks its layer on the chain
        depends on both, and the next step depends on the merge (verified on the engine:
        the step after a cached linked copy reruns when anything before it reran). Returns
        the merge, which continues the chain."""
        self._finish(step, None)
        merge = Step(step.instruction, step.stage_label, vertex=True, cwd=step.cwd, scope=step.scope,
                     ordinal=step.ordinal)
        merge.fields = {"merge": step.key}
        merge.parent = parent
        merge.key = _digest(parent.key if parent is not None else None, "LINK", step.key)
        self.keys.add(merge.key)
        self.children.setdefault(parent.key if parent is not None else None, []).append(merge)
        merge.cached = self._is_cached(merge.key)
        step.merge = merge
        if merge.cached:
            return merge
        below = parent if parent is not None and parent.cached is False and parent.cause is not None else None
        if step.cached and below is not None:
            step.note = (f"--link: independent of the steps before it on this builder "
                         f"({below.cause.remote}; only the merge onto the new layers below reruns)")
        # The merge reruns for certain when either of its inputs surely changed, else it
        # is cached only if what both wait on comes out identical.
        sources = [s for s in (below, step if not step.cached else None) if s is not None]
        sure = [s for s in sources if s.certain]
        first = (sure or sources or [None])[0]
        if first is None:
            merge.cause = Cause("instruction changed", f"{step.keyword} --link on line {step.line} moved")
        else:
            merge.cause = first.cause
            merge.certain = bool(sure)
            if not sure:
                merge.condition = first.condition
                for other in sources[1:]:
                    merge.condition = both_conditions(merge.condition, other.condition)
        return merge

    def _unknown(self, cause: Cause, condition: str = "") -> Unknown:
        self._nonce += 1
        return Unknown(cause, self._nonce, condition)

    # -- certainty (issue 11): reruns that hang on what an earlier rerun produces ---------
    def _certainty(self, step: Step) -> None:
        """A rebuilt step is uncertain when its only difference from BEFORE is content
        produced by a RUN that reran (its COPY --from or bind source is an Unknown with a
        condition), or when it inherits such a rebuild from its parent unchanged."""
        unknowns = [part[-1] for key in ("content", "bind") for part in step.fields.get(key, ())
                    if isinstance(part, tuple) and part and isinstance(part[-1], Unknown)]
        conditioned = [u for u in unknowns if u.condition]
        parent = step.parent
        counterpart = self.counterpart(step)
        if conditioned and len(conditioned) == len(unknowns) and counterpart is not None and \
                self._same_except(step, counterpart, ("content", "bind"), unknown_ok=True):
            if parent is not None and parent.cached is False and parent.certain:
                return  # the chain below it surely reran: so does this step
            step.certain, step.condition = False, conditioned[0].condition
            if parent is not None and parent.cached is False and parent.condition:
                # Chained: cached only if what the parent waits on comes out identical too.
                step.condition = both_conditions(parent.condition, step.condition)
        elif parent is not None and parent.cached is False and not parent.certain and counterpart is not None \
                and self._same_except(step, counterpart, ()):
            step.certain, step.condition = False, parent.condition

    def counterpart(self, step: Step) -> Step | None:
        """The BEFORE step at the same place: same stage, same position, same keyword."""
        ref = self.reference
        if ref is None or not hasattr(ref, "_stage_steps"):
            return None
        for index, steps in ref._stage_steps.items():
            if steps and steps[0].stage_label == step.stage_label:
                if step.ordinal < len(steps) and steps[step.ordinal].keyword == step.keyword:
                    return steps[step.ordinal]
                return None
        return None

    @staticmethod
    def _same_except(step: Step, other: Step, ignored: tuple[str, ...], unknown_ok: bool = False) -> bool:
        """Own fields equal (the parent aside), except `ignored` ones; with `unknown_ok`, an
        ignored content tuple may differ only where this step has an Unknown."""
        names = set(step.fields) | set(other.fields)
        for name in names:
            a, b = step.fields.get(name), other.fields.get(name)
            if name in ignored and unknown_ok:
                if len(a or ()) != len(b or ()):
                    return False
                for x, y in zip(a or (), b or ()):
                    if x != y and not (isinstance(x, tuple) and x and isinstance(x[-1], Unknown)
                                       and x[:-1] == y[:-1]):
                        return False
                continue
            if name not in ignored and a != b:
                return False
        return True

    def _rerun_same_output(self, step: Step) -> bool:
        """A RUN that reran only because of something it cannot see (a classic metadata
        step above it, an ENV or ARG value its script never names) with the same command,
        the same files to read, and a deterministic script: its output is the BEFORE one."""
        counterpart = self.counterpart(step)
        if counterpart is None or not _deterministic(step.run_text):
            return False
        named = _script_names(step.run_text) | {"PATH", "HOME", "SHELL"}
        if any(step.scope.get(k) != counterpart.scope.get(k) for k in named):
            return False  # a variable the script names changed (classic keeps env off the RUN)
        for name in set(step.fields) | set(counterpart.fields):
            a, b = step.fields.get(name), counterpart.fields.get(name)
            if a == b:
                continue
            if name not in ("env", "args"):
                return False
            old, new = dict(b or ()), dict(a or ())
            changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
            if changed & (_script_names(step.run_text) | {"PATH", "HOME", "SHELL"}):
                return False
        # The files it reads: every rerun step above it in its chain changes no file.
        parent = step.parent
        while parent is not None and parent.cached is False:
            kw = parent.keyword
            if kw in ("COPY", "ADD", "WORKDIR", "FROM", "USER", "SHELL", "ONBUILD"):
                return False  # files, owner or shell of the RUN change
            if kw == "RUN" and not self._rerun_same_output(parent):
                return False
            parent = parent.parent
        return True

    # -- stages --------------------------------------------------------------------------
    def _stage_by_ref(self, ref: str):
        return self.model.stage(ref)

    def _walk(self, stage) -> list[Step]:
        done = self._stage_steps.get(stage.index)
        if done is not None:
            return done
        if stage.index in self._walking:
            raise PredictError(f"{self.side}: stage {self.label(stage)} depends on itself")
        self._walking.add(stage.index)
        model = self.model
        label = self.label(stage)
        classic = self.builder == "classic"
        steps: list[Step] = []
        from_ins = stage.from_instruction
        if stage.base_stage is not None:
            base_steps = self._walk(stage.base_stage)
            chain = self._last_vertex(base_steps)
            env = list(self._stage_env[stage.base_stage.index])
            step = Step(from_ins, label, vertex=classic)
            if classic:
                step.fields = {"base": ("stage", chain.key if chain else None)}
                chain = self._finish(step, None)
        else:
            env = [("PATH", DEFAULT_PATH, 0, False)]
            step = Step(from_ins, label, vertex=True)
            step.fields = {"image": stage.base_name, "platform": stage.platform_expanded}
            chain = self._finish(step, None)
        steps.append(step)
        classic_args: list[str] = []
        instructions = stage.instructions
        for i, ins in enumerate(instructions):
            state = model.state_at(ins)
            after = model.state_at(instructions[i + 1]) if i + 1 < len(instructions) else model.final_state(stage)
            kw = ins.keyword
            step = Step(ins, label, vertex=classic or kw in BUILDKIT_VERTICES, cwd=state.workdir,
                        scope=dict(state.scope), ordinal=i + 1)
            step.env_origin = {k: (line, is_arg) for k, _, line, is_arg in env}
            if kw == "ENV":
                for j in range(0, len(ins.value) - 1, 2):
                    k = state.expand(ins.value[j]).value
                    if k in after.env:
                        env = _add_env(env, k, after.env[k], ins.start_line, False)
            elif kw == "ARG":
                for word in ins.value:
                    name = word.partition("=")[0]
                    if not name:
                        continue
                    classic_args.append(name)
                    value = after.args.get(name)
                    if value is not None and name not in after.env:
                        env = _add_env(env, name, value, ins.start_line, True)
            if kw == "RUN":
                self._run_fields(step, stage, state, env, classic_args)
            elif kw in ("COPY", "ADD"):
                self._copy_fields(step, stage, state)
            elif kw == "WORKDIR":
                step.dest = after.workdir
                if classic:
                    step.fields = {"text": ("WORKDIR", after.workdir)}
                elif after.workdir in ("/", ""):
                    step.vertex = False
                else:
                    step.fields = {"mkdir": after.workdir, "user": state.user}
                step.det = ("mkdir", after.workdir, state.user)
            elif classic:
                step.fields = {"text": self._classic_text(ins, state, after)}
            if step.linked:
                chain = self._finish_linked(step, chain)
            elif step.vertex:
                chain = self._finish(step, chain)
            steps.append(step)
        self._stage_env[stage.index] = env
        self._stage_steps[stage.index] = steps
        self._walking.discard(stage.index)
        return steps

    @staticmethod
    def _last_vertex(steps: list[Step]) -> Step | None:
        for step in reversed(steps):
            if step.vertex and step.key is not None:
                return step.merge or step
        return None

    def _classic_text(self, ins: Instruction, state, after) -> tuple:
        kw = ins.keyword
        if kw == "ENV":
            return ("ENV", tuple(after.env.items()))
        if kw == "USER":
            return ("USER", after.user)
        if kw in ("LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL"):
            return (kw, tuple(state.expand(v).value for v in ins.value))
        if kw == "SHELL":
            return ("SHELL", tuple(ins.value))
        # ARG: the commit text holds the declaration only, not the passed value (E07).
        return _raw(ins)[:4]

    # -- RUN -----------------------------------------------------------------------------
    def _run_fields(self, step: Step, stage, state, env, classic_args) -> None:
        ins = step.instruction
        classic = self.builder == "classic"
        if ins.flags and classic:
            raise PredictError(f"{self.side} line {ins.start_line}: RUN --{ins.flags[0].name} "
                               "requires BuildKit (the classic builder rejects it)")
        text = ins.value[0] if (ins.value and not ins.json) else ""
        # Shell form is the shell's argv plus the text: `RUN echo hi` and
        # `RUN ["/bin/sh", "-c", "echo hi"]` are the same step (E37).
        if ins.json:
            argv: tuple = tuple(ins.value)
        else:
            argv = (*state.shell, text)
            step.shell = tuple(state.shell)
        if classic:
            # `|N K=V` of the stage's declared ARGs with a value, sorted (moby buildargs.go);
            # heredoc bodies are dropped: the classic builder runs `sh -c <<EOF` (E22).
            declared = sorted({n for n in classic_args if state.args.get(n) is not None})
            step.fields = {"argv": argv, "args": tuple((n, state.args[n]) for n in declared)}
            step.run_text = " ".join(argv)
            return
        heredocs = tuple((h.name, h.content) for h in ins.heredocs)
        mounts, bind, texts = [], [], []
        for flag in ins.flags_named("mount"):
            mount_key, content = self._mount(step, stage, state, flag.value)
            mounts.append(mount_key)
            if content is not None:
                bind.append(content)
            texts.append(str(mount_key))
        network = ins.flag("network")
        net = network.value if network is not None else "default"
        if net in ("default", "", None):
            net = self.network
        security = ins.flag("security")
        step.fields = {"argv": argv, "heredocs": heredocs,
                       "env": tuple((k, v) for k, v, _, _ in env),
                       "user": state.user, "cwd": state.workdir, "mounts": tuple(mounts),
                       "bind": tuple(bind), "network": net,
                       "security": security.value if security is not None else None}
        step.run_text = " ".join([*argv, *(h[1] for h in heredocs), *texts])

    def _mount(self, step: Step, stage, state, value: str | None):
        from dlint.model.mount import parse_mount

        options = {k: state.expand(v).value for k, v in parse_mount(value).items()}
        kind = options.get("type", "bind")
        target = options.get("target", "")
        if kind == "cache":
            # id and sharing are not part of the key (E20d); the target is (E20e).
            return ("cache", tuple(sorted((k, v) for k, v in options.items() if k not in ("id", "sharing")))), None
        if kind in ("secret", "ssh"):
            # The secret's value never counts (E21).
            return (kind, tuple(sorted((k, v) for k, v in options.items()))), None
        if kind == "tmpfs":
            return (kind, tuple(sorted(options.items()))), None
        source = options.get("source", "")
        ref = options.get("from")
        key = (kind, tuple(sorted(options.items())))
        if ref:
            src_stage = self._stage_by_ref(ref)
            if src_stage is not None:
                path = abs_path(source)
                step.from_refs.append((self.label(src_stage), path))
                return key, ("stage", path, self._path_token(src_stage, path))
            return key, ("image", ref)
        step.sources.append(clean_source(source))
        return key, ("context", clean_source(source), self.select(source))

    # -- COPY / ADD ----------------------------------------------------------------------
    def _copy_fields(self, step: Step, stage, state) -> None:
        ins = step.instruction
        classic = self.builder == "classic"
        kw = ins.keyword
        if classic and ins.flag("chmod") is not None:
            raise PredictError(f"{self.side} line {ins.start_line}: {kw} --chmod requires BuildKit "
                               "(the classic builder rejects it)")
        if classic and ins.heredocs:
            raise PredictError(f"{self.side} line {ins.start_line}: {kw} <<heredoc fails under the "
                               "classic builder (no source files were specified)")
        names: set[str] = set()

        def ex(word: str) -> str:
            e = state.expand(word)
            names.update(e.names)
            return e.value

        words = list(ins.value)
        if len(words) < 2:
            raise PredictError(f"{self.side} line {ins.start_line}: {kw} needs a source and a destination")
        dest = ex(words[-1])
        if not dest.startswith("/"):
            dest = posixpath.join(state.workdir or "/", dest) + ("/" if dest.endswith("/") or dest in (".", "./") else "")
        step.dest = dest
        # --link is ignored by classic and degrades to a plain copy on Docker Engine's default
        # image store (no MergeOp, E18); with MergeOp (buildkit-container) the copy is made
        # onto scratch, unless --chmod is given (BuildKit's dockerfile2llb falls back then,
        # verified on the engine: L02).
        flags = tuple(sorted((f.name, ex(f.value) if f.value else f.value)
                             for f in ins.flags if f.name not in ("from", "link")))
        link = ins.flag("link")
        if self.links and link is not None and (link.value is None or link.value.lower() in ("", "true")) \
                and ins.flag("chmod") is not None:
            step.link_ignored = "--link has no effect with --chmod: a plain copy"
        elif self.links and link is not None and (link.value is None or link.value.lower() in ("", "true")):
            step.linked = True
            chown = ins.flag("chown")
            owner = ex(chown.value) if chown is not None and chown.value else ""
            if owner and not all(part.isdigit() or part == "root" for part in owner.split(":")):
                raise PredictError(
                    f"{self.side} line {ins.start_line}: {kw} --link --chown={owner} fails on a builder with "
                    "MergeOp (\"invalid user index: -1\": a linked copy has no /etc/passwd to look the "
                    "name up in); use a numeric uid:gid")
        heredocs = {h.name: h.content for h in ins.heredocs}
        from_flag = ins.flag("from")
        sources = []
        if from_flag is not None and from_flag.value:
            ref = ex(from_flag.value)
            src_stage = self._stage_by_ref(ref)
            for word in words[:-1]:
                path = abs_path(ex(word))
                if src_stage is not None:
                    step.from_refs.append((self.label(src_stage), path))
                    token = self._path_token(src_stage, path)
                else:
                    token = ("image", ref)
                sources.append((posixpath.basename(path), token))
        else:
            for word in words[:-1]:
                if word.startswith("<<") and word[2:].lstrip("-").strip("'\"") in heredocs:
                    name = word[2:].lstrip("-").strip("'\"")
                    sources.append(("heredoc", name, heredocs[name]))
                    continue
                src = ex(word)
                if kw == "ADD" and ("://" in src or src.startswith("git@")):
                    # A URL's content is unknown here: assumed unchanged while the URL is.
                    sources.append(("url", src))
                    continue
                step.sources.append(clean_source(src))
                sources.append((posixpath.basename(clean_source(src)), self.select(src)))
        step.vars_used = frozenset(names)
        op = (kw, flags, dest)
        step.fields = {"op": op, "content": tuple(sources)}
        if step.linked:
            step.fields["platform"] = stage.platform_expanded  # the copy onto scratch keeps it
        if any(isinstance(s[-1], Unknown) for s in sources):
            step.det = next(s[-1] for s in sources if isinstance(s[-1], Unknown))
        else:
            step.det = (op, tuple(sources))

    # -- content of a path inside a stage --------------------------------------------------
    def _path_token(self, stage, path: str) -> object:
        """What determines the content of `path` at the end of `stage`: a digest when it
        is known to equal the same computation in another plan, an Unknown otherwise."""
        steps = self._walk(stage)
        prefix = _literal_prefix(path)
        if stage.base_stage is not None:
            parts: list[object] = [("stage-base", self._path_token(stage.base_stage, path))]
        else:
            parts = [("image", stage.base_name, stage.platform_expanded)]
        for step in steps[1:]:
            if not step.vertex or not self._may_write(step, prefix):
                continue
            if step.keyword == "RUN":
                if not step.cached:
                    if self._rerun_same_output(step):
                        # Same output as BEFORE's: the token BEFORE computed for it.
                        parts.append(("run", self.counterpart(step).key))
                        continue
                    return self._unknown(Cause(
                        f"copied path {path} may have changed: RUN on line {step.line} "
                        f"(stage {step.stage_label}) reran",
                        f"path {path} of stage {step.stage_label} may have changed: RUN on "
                        f"line {step.line} reran"),
                        f"cached if {path} from stage {step.stage_label} comes out byte-identical "
                        f"(RUN on line {step.line} reran)")
                parts.append(("run", step.key))
            else:
                if isinstance(step.det, Unknown):
                    return step.det
                parts.append(step.det)
        for part in parts:
            if isinstance(part, tuple) and part and isinstance(part[-1], Unknown):
                return part[-1]
        token = _digest(tuple(parts))
        rebuilt = next((s for s in steps[1:] if s.vertex and s.cached is False and s.cause is not None
                        and self._may_write(s, prefix)), None)
        if rebuilt is not None:
            self.token_causes.setdefault(token, Cause(
                f"{path} in stage {rebuilt.stage_label} changed: {rebuilt.cause.remote}",
                f"{path} in stage {rebuilt.stage_label} changed: {rebuilt.cause.remote}"))
        return token

    @staticmethod
    def _may_write(step: Step, path: str) -> bool:
        if step.keyword in ("COPY", "ADD", "WORKDIR"):
            return step.dest is not None and _related(step.dest, path)
        if step.keyword != "RUN":
            return False
        if path == "/":
            return True
        text = step.run_text
        if any(p in text for p in _ancestors(path)):
            return True
        base = posixpath.basename(path)
        if base and base in text:
            return True
        return step.cwd not in ("/", "") and _related(step.cwd, path)

    # -- why a step reruns ----------------------------------------------------------------
    def _cause(self, step: Step) -> Cause:
        parent = step.parent
        classic = self.builder == "classic"
        if parent is not None and parent.cached is False and parent.cause is not None:
            root = parent.cause.remote
            if step.link_ignored:
                return Cause(f"{root} ({step.link_ignored})", root)
            if classic:
                return Cause(f"previous step rebuilt (classic builder: linear chain): {root}",
                             parent.cause.remote)
            return Cause(root, root)
        where = f"{step.keyword} on line {step.line}"
        siblings = self.reference.children.get(parent.key if parent else None, []) if self.reference else []
        same = [s for s in siblings if s.keyword == step.keyword]
        if step.keyword == "FROM":
            return Cause("base image changed", f"base image changed (FROM on line {step.line})")
        if not same:
            return Cause("instruction added or moved", f"{where} added or moved")
        counterpart = self.counterpart(step) if step.linked else None
        before = next((s for s in same if s is counterpart), None) or \
            next((s for s in same if s.stage_label == step.stage_label), same[0])
        return self._changed_field_cause(step, before) or Cause("instruction changed", f"{where} changed")

    def _changed_field_cause(self, step: Step, before: Step) -> Cause | None:
        """The cause named by the first field in which `step` differs from `before`."""
        where = f"{step.keyword} on line {step.line}"
        for name in ("argv", "heredocs", "op", "text", "args", "env", "user", "cwd",
                     "mkdir", "mounts", "network", "security", "bind", "content", "base"):
            if name not in step.fields and name not in before.fields:
                continue
            old, new = before.fields.get(name), step.fields.get(name)
            if old == new:
                continue
            return self._field_cause(name, old, new, step, before, where)
        return None

    def _field_cause(self, name: str, old, new, step: Step, before: Step, where: str) -> Cause:
        if name in ("op", "text", "argv", "mkdir") and _raw(step.instruction) == _raw(before.instruction):
            cause = self._variable_cause(step, before, where)
            if cause is not None:
                return cause
        if name == "argv" and step.shell != before.shell and _raw(step.instruction) == _raw(before.instruction):
            line = self._last_line(step, "SHELL")
            return _same(f"SHELL changed ({'line ' + str(line) if line else 'default shell'})")
        if name == "args":
            old_d, new_d = dict(old or ()), dict(new or ())
            for k in sorted(set(old_d) | set(new_d)):
                if old_d.get(k) != new_d.get(k):
                    return _same(f"build arg {k} changed (declared on line {self._declared(step, k)})")
        if name == "env":
            return self._env_cause(dict(old or ()), dict(new or ()), step)
        if name == "user":
            return _same(f"USER changed (line {self._last_line(step, 'USER')})")
        if name == "cwd":
            return _same(f"WORKDIR changed (line {self._last_line(step, 'WORKDIR')})")
        if name == "content":
            return _content_cause(old, new, where, self.token_causes)
        if name == "bind":
            return _content_cause(old, new, where, self.token_causes, what="bind-mount source")
        return Cause("instruction changed", f"{where} changed")

    def _env_cause(self, old: dict, new: dict, step: Step) -> Cause:
        for k in list(new) + [k for k in old if k not in new]:
            if old.get(k) != new.get(k):
                line, is_arg = step.env_origin.get(k, (0, False))
                if is_arg or (k not in new and k in step.scope):
                    return _same(f"build arg {k} changed (declared on line {line or self._declared(step, k)})")
                if k not in new:
                    return _same(f"ENV {k} removed")
                return _same(f"ENV {k} changed (line {line})")
        return _same("ENV order changed")

    def _variable_cause(self, step: Step, before: Step, where: str) -> Cause | None:
        for k in sorted(step.vars_used | set(_names_in(step.instruction))):
            if step.scope.get(k) != before.scope.get(k):
                line, is_arg = step.env_origin.get(k, (0, True))
                if k in step.env_origin and not is_arg:
                    return _same(f"ENV {k} changed (line {line})")
                return _same(f"build arg {k} changed (declared on line {self._declared(step, k)})")
        return None

    def _declared(self, step: Step, name: str) -> int:
        line = 0
        for ins in self.document.instructions:
            if ins.start_line > step.line:
                break
            if ins.keyword == "ARG" and any(w.partition("=")[0] == name for w in ins.value):
                line = ins.start_line
        return line

    def _last_line(self, step: Step, keyword: str) -> int:
        line = 0
        for ins in self.document.instructions:
            if ins.start_line >= step.line:
                break
            if ins.keyword == "FROM":
                line = 0
            if ins.keyword == keyword:
                line = ins.start_line
        return line


# Scripts whose output differs from run to run, or with what they fetch (right before many:
# a wrong "identical" costs more than an "uncertain").
_NONDETERMINISTIC = None


def _deterministic(text: str) -> bool:
    global _NONDETERMINISTIC
    import re

    if _NONDETERMINISTIC is None:
        _NONDETERMINISTIC = re.compile(
            r"(?<![\w.-])(curl|wget|fetch|apt-get|apt|aptitude|apk|yum|dnf|dnf5|microdnf|zypper|pacman|"
            r"pip|pip3|pipx|uv|poetry|pipenv|conda|mamba|npm|npx|yarn|pnpm|bun|go|cargo|gem|bundle|"
            r"composer|mvn|gradle|gradlew|dotnet|nuget|git|svn|hg|date|mktemp|uuidgen|shuf|od|"
            r"openssl|rsync|scp|ssh|nc|ncat|sleep|hostname)(?![\w.-])|RANDOM|SRANDOM|urandom|/dev/random|"
            r"random|\$\(|`")
    return _NONDETERMINISTIC.search(text) is None


def _script_names(text: str) -> set[str]:
    import re

    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def _names_in(ins: Instruction) -> list[str]:
    import re

    text = " ".join([*ins.value, *(f.value or "" for f in ins.flags)])
    return re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text)


def both_conditions(first: str | None, second: str | None) -> str | None:
    """Two "cached if ..." conditions that must both hold, as one."""
    if not first or not second or first == second:
        return first or second
    return f"{first} and {second.removeprefix('cached if ')}"


def _same(text: str) -> Cause:
    return Cause(text, text)


def _add_env(env: list, key: str, value: str, line: int, is_arg: bool) -> list:
    """BuildKit's env list: a re-set name keeps its place (E39, E40)."""
    out = list(env)
    for i, (k, _, _, _) in enumerate(out):
        if k == key:
            out[i] = (key, value, line, is_arg)
            return out
    out.append((key, value, line, is_arg))
    return out


def _content_cause(old, new, where: str, token_causes: dict, what: str = "file") -> Cause:
    """The first difference between two COPY/ADD/bind content tuples."""
    for a, b in zip(old or (), new or ()):
        if a == b:
            continue
        token_a, token_b = a[-1], b[-1]
        if isinstance(token_b, Unknown):
            c = token_b.cause
            return Cause(c.own, f"{c.own} ({where})")
        if isinstance(token_b, tuple) and isinstance(token_a, tuple) and all(
                isinstance(s, FileState) for s in (*token_a, *token_b)):
            text = _file_diff(token_a, token_b, what)
            return Cause(text, f"{text} ({where})")
        if isinstance(token_b, str) and isinstance(token_a, str):
            known = token_causes.get(token_b)
            text = known.own if known else "copied files changed in the source stage"
            return Cause(text, f"{text} ({where})")
        break
    if len(old or ()) != len(new or ()):
        return Cause("instruction changed", f"{where} changed")
    return Cause(f"{what} content changed", f"{what} content changed ({where})")


GIT_DIR_CHANGED = "`.git` changes with every commit; add it to .dockerignore"


def _file_diff(old: tuple[FileState, ...], new: tuple[FileState, ...], what: str) -> str:
    a = {s.path: s for s in old}
    b = {s.path: s for s in new}
    for path in sorted(set(a) | set(b)):
        x, y = a.get(path), b.get(path)
        if x == y:
            continue
        if is_git_dir_path(path):
            return GIT_DIR_CHANGED
        shown = path or "."
        noun = "directory" if (y or x).kind == "dir" else what
        if x is None:
            return f"{noun} {shown} added"
        if y is None:
            return f"{noun} {shown} removed"
        if x.digest == y.digest and x.kind == y.kind:
            return f"mode of {shown} changed ({x.mode:o} -> {y.mode:o})"
        return f"{noun} {shown} changed"
    return f"{what} content changed"
