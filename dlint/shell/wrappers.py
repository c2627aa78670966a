"""Commands that run another command: `sudo`, `env`, `xargs`, ... and `sh -c "script"`.

Each wrapper is described by the options that take a value (so `sudo -u app cmd` skips
`app`) and how many operands come before the wrapped command (`timeout 10 cmd`).
"""

from __future__ import annotations

from dlint.shell.model import Assignment, SimpleCommand

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "lksh", "oksh",
                          "posh", "yash", "rbash", "busybox"})
MAX_DEPTH = 4

# name -> (options taking a value, operands before the command, options that stop the
# unwrapping because the wrapper then does something else)
_WRAPPERS: dict[str, tuple[frozenset[str], int, frozenset[str]]] = {
    "sudo": (frozenset({"-u", "--user", "-g", "--group", "-p", "--prompt", "-C",
                        "--close-from", "-D", "--chdir", "-r", "--role", "-t", "--type",
                        "-U", "--other-user", "-T", "--command-timeout", "-h", "--host"}),
             0, frozenset({"-l", "--list", "-v", "--validate", "-k", "-K", "-e", "--edit",
                           "-V", "--version"})),
    "doas": (frozenset({"-u", "-C"}), 0, frozenset()),
    "gosu": (frozenset(), 1, frozenset()),
    "su-exec": (frozenset(), 1, frozenset()),
    "chroot": (frozenset({"--userspec", "--groups"}), 1, frozenset()),
    "env": (frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}), 0,
            frozenset()),
    "command": (frozenset(), 0, frozenset({"-v", "-V"})),
    "builtin": (frozenset(), 0, frozenset()),
    "exec": (frozenset({"-a"}), 0, frozenset()),
    "nice": (frozenset({"-n", "--adjustment"}), 0, frozenset()),
    "ionice": (frozenset({"-c", "--class", "-n", "--classdata", "-p", "--pid"}), 0,
               frozenset()),
    "nohup": (frozenset(), 0, frozenset()),
    "setsid": (frozenset(), 0, frozenset()),
    "time": (frozenset({"-f", "--format", "-o", "--output"}), 0, frozenset()),
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1, frozenset()),
    "stdbuf": (frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}), 0, frozenset()),
    "xargs": (frozenset({"-I", "-L", "-l", "-n", "-P", "-s", "-d", "-E", "-e", "-a",
                         "--arg-file", "--delimiter", "--max-args", "--max-lines",
                         "--max-procs", "--max-chars", "--eof", "--replace",
                         "--process-slot-var"}), 0, frozenset()),
    "unbuffer": (frozenset(), 0, frozenset()),
    "eatmydata": (frozenset(), 0, frozenset()),
    "tini": (frozenset({"-s", "-p", "-e"}), 0, frozenset()),
    "dumb-init": (frozenset(), 0, frozenset()),
}


def _is_assignment(word: str) -> bool:
    eq = word.find("=")
    return eq > 0 and (word[:eq].replace("_", "a").isalnum()) and not word[0].isdigit()


def unwrap(cmd: SimpleCommand) -> SimpleCommand:
    current = cmd
    for _ in range(8):
        inner = _unwrap_once(current)
        if inner is None:
            return current
        current = inner
    return current


def _unwrap_once(cmd: SimpleCommand) -> SimpleCommand | None:
    base = cmd.basename
    if base == "busybox" and cmd.args and cmd.args[0] not in POSIX_SHELLS:
        return _derive(cmd, 0, (), "busybox")
    spec = _WRAPPERS.get(base)
    if spec is None:
        return None
    takes_value, operands, stoppers = spec
    args = cmd.args
    n = len(args)
    i = 0
    assignments: list[Assignment] = []
    while i < n:
        a = args[i]
        if a == "--":
            i += 1
            break
        if len(a) > 1 and a[0] == "-":
            if a in stoppers:
                return None
            if a in takes_value:
                i += 2
                continue
            if base == "nice" and a[1:].isdigit():       # nice -10 cmd
                i += 1
                continue
            i += 1
            continue
        break
    if base in ("env", "sudo"):
        while i < n and _is_assignment(args[i]):
            name, _, value = args[i].partition("=")
            assignments.append(Assignment(name, value, cmd.literal[i + 1]))
            i += 1
    i += operands
    if i >= n:
        return None
    return _derive(cmd, i, assignments, base)


def _derive(cmd: SimpleCommand, index: int, assignments, wrapper: str) -> SimpleCommand:
    """The command made of args[index:], keeping cmd's position, redirects and context."""
    inner = SimpleCommand(cmd.args[index], cmd.args[index + 1:], cmd.literal[index + 1:],
                          cmd.source, cmd.start_byte, cmd.end_byte)
    inner.assignments = [*cmd.assignments, *assignments]
    inner.redirects = cmd.redirects
    inner.pipeline = cmd.pipeline
    inner.pipeline_index = cmd.pipeline_index
    inner.negated = cmd.negated
    inner.background = cmd.background
    inner.in_substitution = cmd.in_substitution
    inner.anchor = cmd.anchor
    inner.wrappers = (*cmd.wrappers, wrapper)
    inner.origin = cmd.origin
    inner.script = cmd.script
    return inner


def _shell_script_arg(args: list[str]) -> tuple[bool, str | None, bool]:
    """(has -c, the -c script or None, has a script file operand) for sh/bash args."""
    has_c = False
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        if a == "--":
            i += 1
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if len(a) > 1 and a[0] in "-+":
            if a[0] == "-" and a[1] != "-" and "c" in a[1:]:
                has_c = True
            i += 1
            continue
        break
    if i < n:
        return has_c, (args[i] if has_c else None), not has_c
    return has_c, None, False


def inner_script(cmd: SimpleCommand, depth: int = 0):
    """The Script a shell command runs: `sh -c "..."`, `su -c "..."`, `bash <<EOF`."""
    from dlint.shell.parse import parse_script

    base = cmd.basename
    args = cmd.args
    text = None
    shell_name = base
    if base == "busybox" and args and args[0] in POSIX_SHELLS:
        shell_name = args[0]
        args = args[1:]
    if shell_name in POSIX_SHELLS and shell_name != "busybox":
        has_c, text, has_file = _shell_script_arg(args)
        if text is None and not has_c and not has_file:
            # the shell reads its script from stdin: a heredoc gives it
            for r in cmd.redirects:
                if r.op in ("<<", "<<-") and r.body is not None and r.fd in (None, "0"):
                    text = r.body
                elif r.op == "<<<" and r.fd in (None, "0"):
                    text = r.target
    elif base == "su":
        values = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-c", "--command")]
        values += [a.split("=", 1)[1] for a in args if a.startswith("--command=")]
        if values:
            text = values[-1]
            shell_name = "sh"
    if text is None:
        return None
    script = parse_script(text, shell=[shell_name, "-c"], form="shell-string")
    anchor = cmd.anchor or cmd
    for c in script.commands:
        c.anchor = anchor
    return script


def effective_commands(commands: list[SimpleCommand], depth: int) -> list[SimpleCommand]:
    out: list[SimpleCommand] = []
    for cmd in commands:
        real = cmd.unwrapped()
        out.append(real)
        if depth >= MAX_DEPTH:
            continue
        base = real.basename
        if base in POSIX_SHELLS or base == "su":
            script = real.inner_script()
            if script is not None:
                out.extend(effective_commands(script.commands, depth + 1))
    return out
