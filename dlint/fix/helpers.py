"""Fixes rules share, built on dlint.fix.edits: a rule wires one with a line or two.

    fix_add_flag(ctx, command, ("install",), "--no-cache-dir")     pip, apk, apt-get -y ...
    fix_append_cleanup(ctx, command, "rm -rf /var/lib/apt/lists/*") apt/yum/dnf/zypper/yarn/npm
    fix_rename_command(ctx, command, "apt-get")                     `apt` -> `apt-get`
    fix_remove_wrapper(ctx, command, "sudo")                        `sudo x` -> `x`
    fix_keyword_casing(ins, upper)                                  `run` -> `RUN`

Each returns a Fix (safe unless told otherwise) or None when the edit cannot be made
faithfully; rules then report without a fix. Package-manager cleanups are marked unsafe
when a later RUN of the file runs the same tool: it may rely on what the cleanup removes
(`apt-get install` after the lists are gone fails).

Which line each package rule needs (the pkg rules of issue 9 live on another branch):

    apt-get -y (DL3014):         fix=fix_add_flag(ctx, command, INSTALL, "-y")
    --no-install-recommends:     fix=fix_add_flag(ctx, command, ("install",),
                                      "--no-install-recommends", safe=False)
    apt -> apt-get (DL3027):     fix=fix_rename_command(ctx, command, "apt-get")
    yum/dnf/zypper -y:           fix=fix_add_flag(ctx, command, ("install", "in", "groupinstall"), "-y")
    npm cache clean:             fix=fix_append_cleanup(ctx, command, "npm cache clean --force")
"""

from __future__ import annotations

from dlint._regex import LazyPattern
from dlint.fix import edits
from dlint.lint.finding import Fix


def _instruction_of(ctx, command):
    line = command.line
    for ins in ctx.document.instructions:
        if ins.keyword == "RUN" and ins.start_line <= line <= ins.end_line:
            return ins
    return None


def _bounded(document, command, words, text):
    """Insert after the first of ``words`` inside the command's own span."""
    origin = command.origin if command.origin is not None else command
    heredoc = origin.script is not None and origin.script.form == "heredoc"
    end = (command.end_line, command.end_column)
    for token in edits.tokens(document, command.line, command.column, command.end_line,
                              heredoc=heredoc):
        if (token.line, token.column) > end:
            return None
        if token.unquoted in words:
            return edits.TextEdit(token.line, token.end_column, token.line, token.end_column,
                                  " " + text)
    return None


def fix_add_flag(ctx, command, after: tuple[str, ...], flag: str, *, safe: bool = True,
                 description: str | None = None) -> Fix | None:
    """Add ``flag`` after the first of the words ``after`` (the subcommand) of ``command``."""
    if command is None or command.in_substitution:
        return None
    edit = _bounded(ctx.document, command, after, flag)
    if edit is None:
        return None
    return Fix(description or f"Add {flag}", (edit,), safe=safe)


def fix_append_cleanup(ctx, command, cleanup: str, *, safe: bool | None = None,
                       description: str | None = None) -> Fix | None:
    """Append `` && cleanup`` at the end of the RUN holding ``command``. Safe unless a
    later RUN runs the same tool (it may need what the cleanup removes), or ``safe``."""
    ins = _instruction_of(ctx, command)
    if ins is None:
        return None
    edit = edits.append_to_run(ctx.document, ins, ctx.script(ins), cleanup)
    if edit is None:
        return None
    if safe is None:
        tool = command.unwrapped().tool
        later = [c for other, c in ctx.run_commands((tool, command.unwrapped().basename))
                 if other.start_line > ins.end_line]
        safe = not later
    if description is None:
        description = f"Append `{cleanup}` to the RUN"
        if not safe:
            description += (f" (unsafe: a later RUN runs {command.unwrapped().basename} "
                            f"and may need what this removes)")
    return Fix(description, (edit,), safe=safe)


def fix_rename_command(ctx, command, new: str, *, safe: bool = True) -> Fix | None:
    """Replace the command's name as written (`apt` -> `apt-get`)."""
    unwrapped = command.unwrapped()
    origin = command.origin if command.origin is not None else command
    heredoc = origin.script is not None and origin.script.form == "heredoc"
    end = (command.end_line, command.end_column)
    for token in edits.tokens(ctx.document, command.line, command.column, command.end_line,
                              heredoc=heredoc):
        if (token.line, token.column) > end:
            return None
        if token.text == unwrapped.name:
            return Fix(f"Use {new}", (edits.TextEdit(token.line, token.column, token.line,
                                                     token.end_column, new),), safe=safe)
    return None


def fix_remove_wrapper(ctx, command, word: str, *, safe: bool = True) -> Fix | None:
    """Remove the wrapper word (`sudo`) in front of the command, when it takes no options."""
    origin = command.origin if command.origin is not None else command
    heredoc = origin.script is not None and origin.script.form == "heredoc"
    edit = edits.remove_word(ctx.document, command.line, command.column, command.end_line, word,
                             heredoc=heredoc)
    if edit is None:
        return None
    return Fix(f"Remove {word}", (edit,), safe=safe)


def fix_keyword_casing(ins, upper: bool) -> Fix | None:
    word = ins.raw_keyword.upper() if upper else ins.raw_keyword.lower()
    edit = edits.replace_keyword(ins, word)
    if edit is None or word == ins.raw_keyword:
        return None
    return Fix(f"Write {word}", (edit,))


# builtins whose effect a later RUN does not see today, but would once merged into it
_STATEFUL = frozenset({"cd", "pushd", "popd", "export", "set", "unset", "source", ".", "umask",
                       "alias", "shopt", "ulimit", "trap", "exec", "exit", "return",
                       "declare", "typeset", "readonly", "local", "eval", "read", "let",
                       "getopts", "shift", "hash", "mapfile", "readarray", "enable"})
# a shell variable set by a statement of its own (`DIR=/tmp/x; ...`): the model keeps no
# command for it, the merged second script would see it
_ASSIGNMENT_RE = LazyPattern(r"(?:^|[;&|(\n{]|\bthen|\bdo|\belse)\s*[A-Za-z_][A-Za-z0-9_]*(?:\[[^]]*\])?\+?=")


def fix_merge_runs(ctx, previous, ins) -> Fix | None:
    """Join ``ins`` to the RUN right above it: `RUN a` / `RUN b` -> `RUN a && \\` /
    `    b` (the second line keeps its own text after the keyword and flags). Always unsafe:
    one layer and one cache step instead of two. None when a line lies between them, their
    flags differ, a script is not plain POSIX shell form, the first changes shell state (`cd`,
    `export`, a variable `X=1`...) that
    the second would now see, or the second is more than an `&&` list (its failure would
    no longer fail the build)."""
    document = ctx.document
    if ins.start_line != previous.end_line + 1 or ins.span is None:
        return None
    if sorted(previous.flag_strings) != sorted(ins.flag_strings):
        return None  # the second RUN's flags (a mount, --network) would be dropped
    first, second = ctx.script(previous), ctx.script(ins)
    if first.form != "shell" or second.form != "shell" or ins.heredocs or previous.heredocs:
        return None
    if not first.posix or not second.posix or list(first.shell) != list(second.shell):
        return None
    if any(c.basename in _STATEFUL for c in first.commands) or _ASSIGNMENT_RE.search(first.text):
        return None
    rest = second.text.replace("&&", "")
    if any(ch in rest for ch in ";|&\n`") or "$(" in rest:
        return None
    anchor = edits.append_to_run(document, previous, first, "x")
    if anchor is None:
        return None
    words = [t for t in edits.tokens(document, ins.span.line, ins.span.column + len(ins.raw_keyword),
                                     ins.end_line)]
    body = next((t for t in words if not t.text.startswith("--")), None)
    if body is None or body.line != ins.start_line:
        return None
    eol = edits.line_ending(document, previous.end_line)
    text = f" && {document.escape}{eol}    "
    edit = edits.TextEdit(anchor.line, anchor.column, body.line, body.column, text)
    return Fix(f"Merge into the RUN on line {previous.start_line} (one layer, one cache step)",
               (edit,), safe=False)


def fix_remove_sudo(ctx, command) -> Fix | None:
    """Drop a plain `sudo` (no options) in front of a command that already runs as root.
    Unsafe: sudo resets the environment (env_reset, secure_path), so the command may now
    see ENV variables and a PATH it did not see before."""
    origin = command.origin if command.origin is not None else command
    argv = origin.argv
    if not argv or argv[0].rsplit("/", 1)[-1] != "sudo" or len(argv) < 2 or argv[1].startswith("-"):
        return None
    fix = fix_remove_wrapper(ctx, origin, argv[0], safe=False)
    if fix is None:
        return None
    return Fix("Remove sudo (unsafe: sudo reset the environment the command saw)", fix.edits,
               safe=False)


def fix_pipefail_shell(ctx, ins, script) -> Fix | None:
    """`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` above the RUN (`/bin/ash` on an
    Alpine or BusyBox base, where bash is usually missing), above the comments and pragmas
    of the RUN. Unsafe: the SHELL applies to every later RUN, CMD and ENTRYPOINT of the
    stage and of stages built FROM it, and the build fails if the image has no such shell.
    Only when the RUN uses the default shell (`/bin/sh -c`)."""
    if list(script.shell) != ["/bin/sh", "-c"] or script.form not in ("shell", "heredoc"):
        return None
    stage = ctx.model.stage_of(ins)
    shell = "/bin/bash"
    if stage is not None:
        root = stage.root_image
        name = (root.name if root is not None else "") or ""
        if "alpine" in name or "busybox" in name:
            shell = "/bin/ash"
    keyword = "shell" if ins.raw_keyword.islower() else "SHELL"
    edit = edits.insert_line_before(ctx.document, ins, f'{keyword} ["{shell}", "-o", "pipefail", "-c"]',
                                    ctx.comments_above(ins))
    if edit is None:
        return None
    return Fix(f"Add SHELL [\"{shell}\", \"-o\", \"pipefail\", \"-c\"] before the RUN (unsafe: it "
               f"applies to every later RUN, CMD and ENTRYPOINT of the stage and needs {shell})",
               (edit,), safe=False)


def fix_copy_manifests_first(ctx, copy, run, manifests: list[str], description: str) -> Fix | None:
    """The cache-busting-copy reordering, as text: where ``copy`` (`COPY . .`) was, a COPY
    of just the ``manifests`` (same flags, same destination); the COPY itself moves to
    right after ``run`` (the install), whole lines, comments and continuations as written.
    Manifests after the first are written as one-character globs (`yarn.loc[k]`) unless
    the build context shows they exist: BuildKit lets a COPY wildcard match nothing, so
    a missing lock file does not break the build.

    Always unsafe: the install no longer sees the rest of the sources, and files the
    install writes under the destination can be overwritten by the COPY that now follows
    it. None when the COPY has heredocs or a pragma above it (it must keep pointing at
    it), another COPY/ADD stands between it and the install, or a destination or
    manifest is not a plain path (or a manifest is in a folder)."""
    import os

    document = ctx.document
    if copy.span is None or run.span is None or copy.heredocs:
        return None
    if any("dlint" in c.text.lower() or "hadolint" in c.text.lower() for c in ctx.comments_above(copy)):
        return None  # a pragma: it must keep pointing at this COPY
    # another COPY/ADD between them: moving this one past it would swap their order (the
    # later one moves first, in an earlier round, and this one then follows it)
    if any(i.keyword in ("COPY", "ADD") and copy.end_line < i.start_line < run.start_line
           for i in document.instructions):
        return None
    dest = copy.value[-1] if copy.value else ""
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+@")
    # a manifest in a folder would land in the destination itself: not where it was
    if not dest or not set(dest) <= plain or any(not set(m) <= plain or "/" in m
                                                 or m.startswith(".") for m in manifests):
        return None
    if any(not set(f.raw) <= plain | set("=,:") for f in copy.flags):
        return None
    names = []
    for i, manifest in enumerate(manifests):
        exists = None
        if ctx.context_dir:
            exists = os.path.exists(os.path.join(ctx.context_dir, manifest))
        if exists is False and i:
            continue
        if i and exists is None and len(manifest) > 1:
            manifest = f"{manifest[:-1]}[{manifest[-1]}]"
        names.append(manifest)
    # `COPY . /app` fills the folder /app: the manifests go into it, never become it
    target = dest if dest.endswith("/") else dest + "/"
    eol = edits.line_ending(document, copy.start_line)
    lines = document.text.split("\n")
    copy_text = "\n".join(lines[copy.start_line - 1:copy.end_line])  # "\r" kept on each line
    if not copy_text.endswith("\r") and eol == "\r\n":
        copy_text += "\r"
    run_last = lines[run.end_line - 1] if run.end_line <= len(lines) else ""
    changes = []
    if names:
        flags = "".join(f"{f.raw} " for f in copy.flags)
        first = document.lines[copy.start_line - 1]
        indent = first[: len(first) - len(first.lstrip(" \t"))]
        manifest_copy = f"{indent}{copy.raw_keyword} {flags}{' '.join(names)} {target}"
        changes.append(edits.TextEdit(copy.start_line, 1, copy.end_line + 1, 1, manifest_copy + eol))
    else:
        changes.append(edits.TextEdit(copy.start_line, 1, copy.end_line + 1, 1, ""))
    if run.end_line >= len(document.lines) and not document.text.endswith("\n"):
        insertion = eol + copy_text.rstrip("\r")
        changes.append(edits.TextEdit(run.end_line, len(run_last) + 1, run.end_line,
                                      len(run_last) + 1, insertion))
    else:
        changes.append(edits.TextEdit(run.end_line + 1, 1, run.end_line + 1, 1, copy_text + "\n"))
    return Fix(description, tuple(changes), safe=False)


def fix_stage_index_reference(ctx, ins) -> Fix | None:
    """`COPY --from=0` (and `RUN --mount=from=0`) -> the stage's name: safe for COPY when
    the stage is named (BuildKit resolves both to the same stage; NOT for a mount, whose
    number BuildKit takes as an image name: the caller marks that unsafe); when it is not, an unsafe fix also
    names it (`FROM golang AS stage-0`): a name can collide with an image or with a
    `--target` someone uses. The name is written in lowercase (BuildKit matches stage names
    case-insensitively), so it agrees with stage-name-casing's rename when both fix in the
    same round. Reported by DF230 copy-from-stage-index."""
    model = ctx.model
    changes = []
    named = True
    new_names: dict[int, str] = {}
    for flag in ins.flags:
        if flag.span is None or flag.value is None or flag.span.line != flag.span.end_line:
            continue
        if flag.name == "from" and flag.value.isdigit():
            pairs = [(flag.raw.find("=") + 1, flag.value)]
        elif flag.name == "mount":
            pairs = [(at + len("from="), value) for at, key, value in edits._csv_fields(flag.raw)
                     if key == "from" and value.isdigit()]
        else:
            continue
        for at, value in pairs:
            stage = model.stage(int(value))
            if stage is None or at <= 0:
                return None
            name = (stage.raw_name or "").lower()
            if not name:
                named = False
                name = new_names.setdefault(stage.index, f"stage-{stage.index}")
                if model.stage(name) is not None:
                    return None
            column = flag.span.column + at
            changes.append(edits.TextEdit(flag.span.line, column, flag.span.line,
                                          column + len(value), name))
    if not changes:
        return None
    for index, name in new_names.items():
        from_ins = model.stages[index].from_instruction
        if from_ins.span is None or len(from_ins.value) != 1:
            return None
        words = [t for t in edits.tokens(ctx.document, from_ins.span.line,
                                         from_ins.span.column + len(from_ins.raw_keyword),
                                         from_ins.end_line)]
        last = words[-1] if words else None
        if last is None:
            return None
        keyword = "as" if from_ins.raw_keyword.islower() else "AS"
        changes.append(edits.TextEdit(last.line, last.end_column, last.line, last.end_column,
                                      f" {keyword} {name}"))
    if named:
        return Fix("Refer to the stage by its name", tuple(changes))
    return Fix("Name the stage and refer to it by name (unsafe: a new stage name)",
               tuple(changes), safe=False)
