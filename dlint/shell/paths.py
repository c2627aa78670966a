"""Which paths a command removes, creates or names: what a rule needs to tell that a RUN
deletes files an earlier RUN put in the image.

Paths are returned as written (quotes removed; only literal words): rules resolve them
against the WORKDIR. A trailing `/`, `/*` or `/.` is dropped (`rm -rf /tmp/*` removes
what is in /tmp). Windows (PowerShell, cmd) RUNs are not parsed by tree-sitter-bash:
`windows_commands` splits their text into commands and words, enough to find
`Remove-Item`/`del` operands and `-OutFile`/`-DestinationPath` targets; it reads no
script semantics and is used only to match a path between two RUNs.
"""

from __future__ import annotations

from dlint._regex import LazyPattern

# options taking a value, per removal tool (their value is not an operand)
_RM_VALUE_OPTIONS = frozenset()
_CURL_OUT = ("-o", "--output")
_WGET_OUT = ("-O", "--output-document")
_WGET_DIR = ("-P", "--directory-prefix")


def clean_path(word: str) -> str:
    """`/tmp/*` -> `/tmp`, `/src/` -> `/src`, `./a` -> `a`; globs elsewhere are kept."""
    path = word
    while len(path) > 1 and (path.endswith("/*") or path.endswith("/.") or path.endswith("/")):
        path = path[:-2] if path.endswith(("/*", "/.")) else path[:-1]
    if path.startswith("./") and len(path) > 2:
        path = path[2:]
    return path


def _literal_positional(command, takes_value=()) -> list[str]:
    words = command.positional_args(takes_value)
    args = command.tool_args
    literal = command.literal[len(command.args) - len(args) + 1:] if command.literal else []
    # positional_args drops options; keep the words that are literal in the source
    out = []
    literal_words = {a for a, lit in zip(args, literal) if lit}
    for w in words:
        if w in literal_words and "$" not in w and "`" not in w:
            out.append(w)
    return out


def removed_paths(command) -> list[str]:
    """Paths `rm`, `rmdir`, `unlink` or `find P ... -delete` remove."""
    tool = command.tool
    if tool in ("rm", "rmdir", "unlink"):
        return [clean_path(w) for w in _literal_positional(command, _RM_VALUE_OPTIONS)]
    if tool == "find" and ("-delete" in command.args or "-exec" in command.args):
        if "-delete" in command.args or any(a in ("rm", "/bin/rm") for a in command.args):
            roots = []
            for a in command.args:
                if a.startswith("-") or a in ("(", "!"):
                    break
                roots.append(clean_path(a))
            return roots
    return []


def _url_basename(url: str) -> str | None:
    if "://" not in url:
        return None
    tail = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def created_paths(command) -> list[tuple[str, bool]]:
    """(path, tree) for each path a command writes: mkdir/touch operands, `>`/`>>`
    targets, cp/mv/ln/install destinations, curl/wget downloads, and trees it fills
    (tree=True: whatever is inside came from it): `git clone` checkouts, `unzip -d`,
    `tar -C`."""
    tool = command.tool
    out: list[str] = []
    trees: list[str] = []
    for r in command.redirects:
        if r.op in (">", ">>", ">|", "&>", "&>>") and r.target and "$" not in r.target \
                and not r.target.startswith("/dev/") and not r.target.isdigit():
            out.append(clean_path(r.target))
    if tool in ("mkdir", "touch"):
        out += [clean_path(w) for w in _literal_positional(command, ("-m", "--mode"))]
    elif tool in ("cp", "mv", "ln", "install"):
        words = _literal_positional(command, ("-t", "--target-directory", "-m", "--mode", "-o",
                                              "--owner", "-g", "--group", "-S", "--suffix"))
        if len(words) >= 2:
            out.append(clean_path(words[-1]))
    elif tool == "curl":
        out += [clean_path(v) for v in command.flag_values(*_CURL_OUT) if "$" not in v]
        args = command.tool_args
        # bundled short options ending in -o take the next word: `curl -fsSLo f URL`
        out += [clean_path(args[i + 1]) for i, a in enumerate(args[:-1])
                if len(a) > 2 and a[0] == "-" and a[1] != "-" and a.endswith("o")
                and a[1:].isalpha() and "$" not in args[i + 1]]
        if command.has_flag("-O", "--remote-name", "--remote-name-all"):
            out += [b for b in map(_url_basename, command.tool_args) if b]
    elif tool == "wget":
        named = [clean_path(v) for v in command.flag_values(*_WGET_OUT) if "$" not in v]
        out += named
        if not named:
            prefix = next(iter(command.flag_values(*_WGET_DIR)), None)
            for b in filter(None, map(_url_basename, command.tool_args)):
                out.append(f"{clean_path(prefix)}/{b}" if prefix else b)
    elif tool == "git":
        words = _literal_positional(command, ("-b", "--branch", "--depth", "-c", "-C",
                                              "--origin", "-o", "--reference", "--config",
                                              "--filter", "-j", "--jobs"))
        if words[:1] == ["clone"] and len(words) >= 2:
            if len(words) >= 3:
                trees.append(clean_path(words[2]))
            else:
                name = words[1].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
                trees.append(name[:-4] if name.endswith(".git") else name)
    elif tool == "unzip":
        trees += [clean_path(v) for v in command.flag_values("-d") if "$" not in v]
    elif tool == "tar":
        trees += [clean_path(v) for v in command.flag_values("-C", "--directory") if "$" not in v]
    return [(p, False) for p in out if p] + [(p, True) for p in trees if p]


_WIN_SPLIT = LazyPattern(r"\s*(?:;|&&|\|\||\||\r?\n)\s*")
_WIN_REMOVERS = frozenset({"remove-item", "ri", "rm", "del", "erase", "rmdir", "rd", "rmd"})
_WIN_CREATE_FLAGS = frozenset({"-outfile", "-destinationpath", "-destination"})


def windows_commands(text: str) -> list[list[str]]:
    """A PowerShell or cmd RUN's text as commands of words (quotes stripped): a plain
    split on `;`, `&&`, `||`, `|` and newlines, then on blanks. Not a parser."""
    commands = []
    for part in _WIN_SPLIT.split(text.replace("`\n", " ").replace("^\n", " ")):
        words = [w.strip(",").strip("'\"") for w in part.split()]
        if words:
            commands.append(words)
    return commands


def windows_removed(words: list[str]) -> list[str]:
    if not words or words[0].lower() not in _WIN_REMOVERS:
        return []
    out = []
    args = words[1:]
    i = 0
    while i < len(args):
        a = args[i]
        low = a.lower()
        if low in ("-path", "-literalpath"):
            if i + 1 < len(args):
                out.append(args[i + 1])
            i += 2
            continue
        if a.startswith(("-", "/")) and not (a.startswith("/") and len(a) > 3):
            i += 1
            continue
        out.append(a)
        i += 1
    return [w.rstrip("\\/").rstrip("*").rstrip("\\/") or w for w in out if "$" not in w]


def windows_created(words: list[str]) -> list[tuple[str, bool]]:
    """(path, tree) written by a Windows command: `-OutFile`, `-Destination` targets,
    `New-Item`/`mkdir` operands; `-DestinationPath` (Expand-Archive) fills a tree."""
    out = []
    for i, w in enumerate(words[:-1]):
        low = w.lower()
        if low in _WIN_CREATE_FLAGS:
            out.append((words[i + 1], low == "-destinationpath"))
    if words and words[0].lower() in ("new-item", "mkdir", "md", "ni"):
        out += [(w, False) for w in words[1:] if not w.startswith("-") and "$" not in w][:1]
    return [(w, tree) for w, tree in out if "$" not in w]
