"""What flows through a script: option parsing of common tools, data fed to a command's
stdin, downloads written to stdout, programs read from stdin, shell options in effect.

Shared by the shell and security rules (pipefail, `curl | sh`, passwords fed to chpasswd,
repository files written by `echo ... >`). Everything reads the shell model (argv,
pipelines, redirects, heredoc bodies), never the raw RUN text.
"""

from __future__ import annotations

from dlint.shell.wrappers import POSIX_SHELLS, _shell_script_arg

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Iterable
    from dlint.shell.model import Script, SimpleCommand

# -- option parsing -----------------------------------------------------------------

# Short options that take a value, per tool: in a bundle (`curl -fsSLo f`) the first of
# them takes the rest of the bundle or, when it ends the bundle, the next word.
SHORT_VALUE = {
    "curl": frozenset("oOdHuXAebcFKmrTwxyYzECPQtU") - {"O"},
    "wget": frozenset("OoaePtTwUiBlDXIRAQ"),
    "tar": frozenset("fCTXbHKLNVgIF"),
    "useradd": frozenset("bcdefgGkKpuRPsZ"),
    "usermod": frozenset("cdefgGlpRPsuZ"),
    "adduser": frozenset("hgsuGkD"),       # busybox adduser
    "chpasswd": frozenset("cRPs"),
    "passwd": frozenset("nxwiRPr"),
    "ln": frozenset("St"),
}
LONG_VALUE = {
    "curl": frozenset({"--output", "--data", "--header", "--user", "--request", "--user-agent",
                       "--referer", "--cookie", "--cookie-jar", "--form", "--config",
                       "--max-time", "--range", "--upload-file", "--write-out", "--proxy",
                       "--cert", "--cacert", "--continue-at", "--ftp-port", "--quote",
                       "--telnet-option", "--proxy-user", "--output-dir", "--retry",
                       "--connect-timeout", "--data-binary", "--data-raw", "--data-urlencode",
                       "--resolve", "--retry-delay", "--retry-max-time", "--limit-rate",
                       "--interface", "--key", "--capath", "--url", "--create-file-mode"}),
    "wget": frozenset({"--output-document", "--output-file", "--append-output", "--execute",
                       "--directory-prefix", "--tries", "--timeout", "--wait", "--user-agent",
                       "--input-file", "--base", "--level", "--domains", "--user",
                       "--password", "--header", "--ca-certificate", "--progress",
                       "--post-data", "--post-file", "--method", "--body-data"}),
    "tar": frozenset({"--file", "--directory", "--files-from", "--exclude-from",
                      "--blocking-factor", "--owner", "--group", "--mode", "--transform",
                      "--strip-components", "--use-compress-program", "--exclude"}),
    "useradd": frozenset({"--base-dir", "--comment", "--home-dir", "--expiredate",
                          "--inactive", "--gid", "--groups", "--skel", "--key", "--password",
                          "--uid", "--root", "--prefix", "--shell", "--selinux-user"}),
    "usermod": frozenset({"--comment", "--home", "--expiredate", "--inactive", "--gid",
                          "--groups", "--login", "--password", "--root", "--prefix",
                          "--shell", "--uid", "--selinux-user"}),
    "chpasswd": frozenset({"--crypt-method", "--root", "--prefix", "--sha-rounds"}),
    "passwd": frozenset({"--mindays", "--maxdays", "--warndays", "--inactive", "--root",
                         "--prefix", "--repository"}),
}


def parse_options(tool: str, args: list[str]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(options, operands) of a command's arguments, GNU style: `-abc` bundles, `-ovalue`,
    `-o value`, `--long=value`, `--long value` (for the long options of LONG_VALUE), and
    everything after `--` an operand. Each option is ("-o", value) or ("--long", value),
    value None for a switch."""
    short_value = SHORT_VALUE.get(tool, frozenset())
    long_value = LONG_VALUE.get(tool, frozenset())
    options: list[tuple[str, str | None]] = []
    operands: list[str] = []
    i, n = 0, len(args)
    while i < n:
        a = args[i]
        i += 1
        if a == "--":
            operands.extend(args[i:])
            break
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            if eq:
                options.append((name, value))
            elif name in long_value and i < n:
                options.append((name, args[i]))
                i += 1
            else:
                options.append((name, None))
            continue
        if len(a) > 1 and a[0] == "-":
            for j in range(1, len(a)):
                ch = a[j]
                if ch in short_value:
                    if j + 1 < len(a):
                        options.append(("-" + ch, a[j + 1:]))
                    elif i < n:
                        options.append(("-" + ch, args[i]))
                        i += 1
                    else:
                        options.append(("-" + ch, None))
                    break
                options.append(("-" + ch, None))
            continue
        operands.append(a)
    return options, operands


def option_values(tool: str, args: list[str], *names: str) -> list[str | None]:
    """The values given to any of `names` (`-o`, `--output`), in order."""
    options, _ = parse_options(tool, args)
    return [v for name, v in options if name in names]


def has_option(tool: str, args: list[str], *names: str) -> bool:
    options, _ = parse_options(tool, args)
    return any(name in names for name, _ in options)


# -- downloads and interpreters ------------------------------------------------------

STDOUT_PATHS = frozenset({"-", "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"})


def downloads_to_stdout(cmd: SimpleCommand) -> bool:
    """`curl URL` (no -o/-O), `wget -O- URL`, `wget -qO - URL`: the body goes to stdout."""
    tool = cmd.basename
    if tool == "curl":
        options, operands = parse_options("curl", cmd.args)
        outputs = [v for name, v in options if name in ("-o", "--output")]
        if any(name in ("-O", "--remote-name", "--remote-name-all") for name, _ in options):
            return False
        if outputs:
            return all(v in STDOUT_PATHS for v in outputs)
        return bool(operands) or any(name == "--url" for name, _ in options)
    if tool == "wget":
        values = option_values("wget", cmd.args, "-O", "--output-document")
        return bool(values) and values[-1] in STDOUT_PATHS
    return False


INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "php"})


def interpreter_name(cmd: SimpleCommand) -> str | None:
    """"bash", "python3"... when the command is a shell or a script interpreter."""
    base = cmd.basename
    if base in POSIX_SHELLS and base != "busybox":
        return base
    if base == "busybox" and cmd.args and cmd.args[0] in POSIX_SHELLS:
        return cmd.args[0]
    if base in INTERPRETERS or (base.startswith(("python", "perl", "ruby", "php"))
                                and base.rstrip("0123456789.") in INTERPRETERS):
        return base
    return None


def reads_program_from_stdin(cmd: SimpleCommand) -> bool:
    """A shell or interpreter that runs what it reads on stdin: `sh`, `bash -s -- -x`,
    `sudo -E bash -`, `python3 -`, `perl` (no script operand, no -c / -e)."""
    name = interpreter_name(cmd)
    if name is None:
        return False
    args = cmd.args[1:] if cmd.basename == "busybox" else cmd.args
    if name in POSIX_SHELLS:
        i = 0
        while i < len(args):
            a = args[i]
            if a == "-s" or (len(a) > 1 and a[0] == "-" and a[1] != "-" and "s" in a[1:]):
                return True
            if a in ("-", "--"):
                return True
            if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
                i += 2
                continue
            if a[:1] in ("-", "+") and len(a) > 1:
                if a[0] == "-" and a[1] != "-" and "c" in a[1:]:
                    return False
                i += 1
                continue
            return False                     # a script file operand
        return True
    for a in args:
        if a == "-":
            return True
        if a in ("-c", "-e", "-E", "-m", "-r") or a.startswith(("-c", "-e", "-m")):
            return False
        if not a.startswith("-"):
            return False
    return True


def program_operand(cmd: SimpleCommand) -> tuple[str | None, bool]:
    """The word a shell/interpreter/eval/source runs as its program: the `-c` string, the
    script file operand (`bash <(curl ...)`), every word of `eval`, the file of `.`/
    `source`: (word, literal); (None, True) when there is none."""
    base = cmd.basename
    args = cmd.args
    if base in ("eval", ".", "source"):
        if not args:
            return None, True
        if base == "eval":
            return " ".join(args), all(cmd.literal[1:])
        return args[0], cmd.literal[1]
    name = interpreter_name(cmd)
    if name is None:
        return None, True
    offset = 1 if base == "busybox" else 0
    args = args[offset:]
    literal = cmd.literal[1 + offset:]
    if name in POSIX_SHELLS:
        has_c, script, has_file = _shell_script_arg(args)
        word = script if has_c else None
        if word is None and has_file:
            word = next((a for a in args if a[:1] not in ("-", "+")), None)
    else:
        word = None
        for i, a in enumerate(args):
            if a in ("-c", "-e", "-E") and i + 1 < len(args):
                word = args[i + 1]
                break
            if not a.startswith("-"):
                word = a
                break
    if word is None:
        return None, True
    index = args.index(word)
    return word, literal[index] if index < len(literal) else True


def substitutions_in(cmd: SimpleCommand, word: str) -> list[SimpleCommand]:
    """The commands run inside `$( )`, backticks or `<( )` of `word`, one of `cmd`'s
    words: commands of the same script, inside `cmd`, whose text occurs in `word`."""
    script = cmd.script
    if script is None or not word or ("$(" not in word and "`" not in word and "<(" not in word):
        return []
    out = []
    origin = cmd.origin
    for c in script.commands:
        if (c.in_substitution and c.source is origin.source
                and origin.start_byte <= c.start_byte < origin.end_byte and c.text in word):
            out.append(c.unwrapped())
    return out


# -- data fed to commands ------------------------------------------------------------

_ECHO_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "0": ""}


def _unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ECHO_ESCAPES:
            out.append(_ECHO_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def printed_text(cmd: SimpleCommand) -> tuple[str, bool] | None:
    """What `echo`/`printf`/`cat <<EOF` writes to stdout: (text, literal), literal False
    when it holds an expansion (kept as source text); None for other commands."""
    base = cmd.basename
    args = cmd.args
    literal = cmd.literal[1:]
    if base == "echo":
        i = 0
        escapes = False
        while i < len(args) and len(args[i]) > 1 and args[i][0] == "-" and \
                set(args[i][1:]) <= set("neE"):
            escapes = escapes or "e" in args[i]
            i += 1
        text = " ".join(args[i:]) + "\n"
        return (_unescape(text) if escapes or "\\n" in text else text), all(literal[i:])
    if base == "printf":
        i = 1 if args[:1] == ["--"] else 0
        if i >= len(args):
            return None
        fmt = args[i]
        rest = args[i + 1:]
        text = _unescape(fmt)
        if "%" in text:
            parts = text.split("%s")
            if len(parts) - 1 == len(rest) and "%" not in "".join(parts):
                text = "".join(p + (rest[k] if k < len(rest) else "")
                               for k, p in enumerate(parts))
            elif not rest:
                text = text.replace("%%", "%")
            else:
                return None
        return text, all(literal[i:])
    if base == "cat" and not cmd.positional_args(()):
        body = stdin_data(cmd)
        return body
    return None


def stdin_data(cmd: SimpleCommand) -> tuple[str, bool] | None:
    """The data a command reads on stdin when the script shows it: a heredoc body
    (literal unless the delimiter is unquoted and the body expands something), a here-
    string, or what `echo`/`printf`/`cat <<EOF` prints into the pipe before it."""
    for r in reversed(cmd.redirects):
        if r.fd not in (None, "0"):
            continue
        if r.op in ("<<", "<<-") and r.body is not None:
            return r.body, "$" not in r.body and "`" not in r.body
        if r.op == "<<<":
            return r.target + "\n", "$" not in r.target and "`" not in r.target
        if r.op == "<":
            return None
    before, _ = cmd.pipe_neighbours()
    if len(before) == 1:
        producer = before[0].unwrapped()
        if producer.basename in ("echo", "printf", "cat"):
            return printed_text(producer)
    return None


def written_files(cmd: SimpleCommand) -> list[tuple[str, str, bool]]:
    """(path, text, literal) for each file an `echo`/`printf`/`cat <<EOF` command writes
    with `>`, `>>` or through `| tee [-a] FILE...`."""
    printed = printed_text(cmd)
    if printed is None:
        return []
    text, literal = printed
    out = [(r.target, text, literal) for r in cmd.redirects
           if r.op in (">", ">>", ">|") and r.fd in (None, "1")]
    _, after = cmd.pipe_neighbours()
    for c in after:
        c = c.unwrapped()
        if c.basename == "tee":
            out.extend((path, text, literal) for path in c.positional_args(()))
    return out


# -- shell options -------------------------------------------------------------------


def option_enabled_by(argv: Iterable[str], option: str) -> bool:
    """`-o pipefail`, `-euo pipefail`, `-o errexit -o pipefail` in a shell's or `set`'s
    arguments."""
    words = list(argv)
    for i, w in enumerate(words[:-1]):
        if len(w) > 1 and w[0] == "-" and w[1] != "-" and w.endswith("o") and \
                words[i + 1] == option:
            return True
    return False


def option_set_before(script: Script, option: str, before: int) -> bool:
    """A `set -o OPTION` (any bundle ending in `o`) in `script` that starts before byte
    `before`, at the script's top level (not in a subshell we cannot see into)."""
    for c in script.commands:
        if c.start_byte >= before:
            break
        if c.name == "set" and not c.in_substitution and option_enabled_by(c.args, option):
            return True
    return False
