"""Install commands of package managers: which words are packages, which pin a version,
and whether the command can prompt.

One reader per package manager sees the arguments as the tool does (options and their
values skipped, local files, paths and URLs told apart from registry packages), and one
set of version tests decides what counts as a pin:

    from dlint.shell import parse_script
    from dlint.shell.packages import install_packages

    cmd, = parse_script("pip install flask==3.0 'requests>=2'").commands
    [(p.name, p.pinned) for p in install_packages(cmd)]
    # [('flask', True), ('requests', False)]

A `Package` is `pinned` True (a version, or a bounded range, is given), False (the
package manager picks the newest version at build time: `reason` says why), or None
(not a registry package: a local file, a path, an archive URL, a group; or a word whose
value is not known). Rules report only `pinned is False`: a word dlint cannot read is
never reported.

What counts as a pin (what each tool really does):
- apt-get/apt: `pkg=version` (a variable as the version counts); `.deb` files and paths
  are files; a simulation (`-s`, `--dry-run`...) installs nothing. `pkg/release` only
  selects the suite a package comes from: the version in that suite still moves with
  every update, so it is not a pin.
- apk: `pkg=1.2-r0`, fuzzy `pkg~1.2` / `pkg=~1.2` / `pkg~=1.2`, upper bounds `<`, `<=`.
  `>`/`>=` alone and `pkg@tag` (a repository tag) leave the version open.
- pip: `==`, `===`, `~=`, or any upper bound (`<`, `<=`, `>=1,<2`); `>=`/`>`/`!=` alone
  leave it open. Paths, archives, wheels, `.` and direct references (`name @ url`) are
  files; a VCS URL is pinned by `@<ref>`. With `-r`/`-c` (or PIP_CONSTRAINT /
  PIP_REQUIREMENT), or `--no-index`, the named packages may be pinned by the files or
  come only from local archives: nothing is reported.
- npm: `pkg@<version or range>`; `@latest`, `@next` and other dist-tags, `@*`, and
  `@>=x` alone move. Paths, tarballs, `file:` and URLs are files; git specs are pinned by
  `#<committish>`.
- gem: `gem:version`, or `-v`/`--version` (gem applies it to the one gem named).
- yum/dnf/zypper: `name-version[-release][.arch]` (the last `-` part starts with a digit
  or an epoch), or an operator (`=`, `<`, `<=`; `>`/`>=` alone move). `.rpm` files, paths
  and URLs are files, `@group`s and capabilities (`perl(Foo)`) are not read.
- go: `path@version`; `@latest`, `@upgrade`, `@patch` and branch names (`@master`,
  `@main`, `@HEAD`) move. `go install`/`go run` without `@` build the version the
  current module's go.mod requires (or fail outside a module): not reported; `go get`
  without a version resolves the newest one.
"""

from __future__ import annotations

from collections import namedtuple

from dlint._regex import LazyPattern
from dlint.shell import tools

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Callable, Mapping
    from dlint.shell.model import SimpleCommand

Package = namedtuple("Package", ("word", "name", "pinned", "reason"), defaults=("",))
Package.__doc__ = """One package argument of an install command.

word: str (as written, quotes removed; a value expanded from a known ARG/ENV when the
word was a variable); name: str (the package name, without version);
pinned: True | False | None (None: a file, path, URL, group, or an unknown value);
reason: str (why it is not pinned, for messages: "no version", "`>=` sets no upper bound")."""

# Install subcommands, per canonical tool.
INSTALL_SUBCOMMANDS = {
    "apt-get": frozenset({"install"}),
    "apt": frozenset({"install"}),
    "apk": frozenset({"add"}),
    "pip": frozenset({"install"}),
    "npm": frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta",
                      "isntal", "isntall", "add"}),
    "gem": frozenset({"install", "i"}),
    "yum": frozenset({"install"}),
    "dnf": frozenset({"install", "in"}),
    "zypper": frozenset({"install", "in"}),
    "go": frozenset({"install", "get", "run"}),
}

_NO_VERSION = "no version"
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz",
                     ".txz", ".tar")
_RPM_VERSION = LazyPattern(r"(\d+:)?\d")
_OPERATOR = LazyPattern(r"(===|==|~=|=~|!=|<=|>=|<|>|=|~)")
_FLOATING_GO = frozenset({"latest", "upgrade", "patch", "master", "main", "head", "trunk"})
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_NPM_GIT_PREFIXES = ("git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:")


def install_packages(command: SimpleCommand, expand: Callable[[str], str | None] | None = None,
                     env: Mapping[str, str] | None = None) -> list[Package] | None:
    """The package arguments of an install command, or None when `command` is not the
    install command of a package manager read here.

    `expand(word)`: the value of a word holding an expansion, when known (None when not):
    a known value is split into words as the shell does. `env`: variables known to be set
    for the command (pip reads PIP_CONSTRAINT, PIP_REQUIREMENT, PIP_NO_INDEX)."""
    tool = command.tool
    reader = _READERS.get(tool)
    if reader is None or not command.matches(tool, INSTALL_SUBCOMMANDS[tool]):
        return None
    words = _operands(command, expand)
    return reader(command, words, env or {})


def _operands(command: SimpleCommand, expand) -> list[tuple[str, bool]]:
    """(word, known) for each positional argument after the subcommand; a word holding an
    expansion is replaced by the words of its value when `expand` knows it."""
    args = command.tool_args
    literal = command.literal[len(command.argv) - len(args):]
    known_words = {a for a, lit in zip(args, literal) if lit}
    out: list[tuple[str, bool]] = []
    for word in command.positional_args()[1:]:
        if word in known_words:
            out.append((word, True))
            continue
        value = expand(word) if expand is not None else None
        if value is None:
            out.append((word, False))
        else:
            out.extend((w, True) for w in value.split())
    return out


def _unknown(word: str) -> Package:
    return Package(word, word, None)


def _is_path(word: str) -> bool:
    return word.startswith((".", "/", "~")) or "/" in word and not word.startswith("@")


def _is_url(word: str) -> bool:
    return "://" in word


def _first_operator(word: str) -> tuple[int, str]:
    """(index, operator) of the first version operator in `word`, or (-1, "")."""
    m = _OPERATOR.search(word)
    return (m.start(), m.group(1)) if m else (-1, "")


def _bounded(spec: str) -> tuple[bool, str]:
    """(pinned, reason) for a comma-separated list of `op version` clauses: a version is
    fixed or bounded above (`==`, `===`, `~=`, `=`, `~`, `=~`, `<`, `<=`)."""
    ops = []
    for clause in spec.split(","):
        clause = clause.strip()
        if not clause:
            continue
        m = _OPERATOR.match(clause)
        ops.append(m.group(1) if m else "=")
    if any(op not in (">", ">=", "!=") for op in ops):
        return True, ""
    if not ops:
        return False, _NO_VERSION
    return False, f"`{ops[0]}` sets no upper bound"


def describe_unpinned(packages: list[Package], limit: int = 5) -> str:
    """The unpinned packages for a message: "`curl`, `git`" (up to `limit`, then "and N
    more"), each with its reason when it is not simply "no version"."""
    parts = []
    unpinned = [p for p in packages if p.pinned is False]
    for p in unpinned[:limit]:
        parts.append(f"`{p.word}`" + (f" ({p.reason})" if p.reason != _NO_VERSION else ""))
    if len(unpinned) > limit:
        parts.append(f"and {len(unpinned) - limit} more")
    return ", ".join(parts)


# -- apt ---------------------------------------------------------------------------------


_APT_SIMULATE = ("-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act")


def _apt(command, words, env) -> list[Package]:
    if command.has_flag(*_APT_SIMULATE):
        return [Package(w, w, None) for w, _ in words]       # installs nothing
    out = []
    for word, known in words:
        if not known:
            out.append(_pinned_prefix(word, "="))
        elif word.endswith(".deb") or word.startswith((".", "/", "~")):
            out.append(Package(word, word, None))
        elif "=" in word:
            out.append(Package(word, word.split("=", 1)[0], True))
        elif word.endswith("-") or any(c in word for c in "*?^$["):
            out.append(_unknown(word))      # `pkg-` removes; globs and regexes
        elif "/" in word:
            name, release = word.split("/", 1)
            out.append(Package(word, name, False, f"`/{release}` selects a release, not a version"))
        else:
            out.append(Package(word, word, False, _NO_VERSION))
    return out


# -- apk ---------------------------------------------------------------------------------


def _apk(command, words, env) -> list[Package]:
    out = []
    for word, known in words:
        if not known:
            out.append(_pinned_prefix(word))
        elif word.endswith(".apk") or _is_path(word) or _is_url(word):
            out.append(Package(word, word, None))
        else:
            i, _ = _first_operator(word)
            if i < 0:
                reason = "a repository tag is not a version" if "@" in word else _NO_VERSION
                out.append(Package(word, word.split("@", 1)[0], False, reason))
            else:
                pinned, reason = _bounded(word[i:])
                out.append(Package(word, word[:i].split("@", 1)[0], pinned, reason))
    return out


def _pinned_prefix(word: str, separators: str = "=<~") -> Package:
    """A word holding an unknown expansion: pinned when a version operator comes before
    the first expansion (`curl=${V}`), otherwise unknown."""
    head = word.split("$", 1)[0]
    cut = min((head.find(s) for s in separators if s in head), default=-1)
    if cut > 0:
        return Package(word, head[:cut], True)
    return _unknown(word)


# -- pip ---------------------------------------------------------------------------------

_PIP_FILE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")
def _pip(command, words, env) -> list[Package]:
    no_index = env.get("PIP_NO_INDEX", "").strip().lower()
    if (command.flag_values(*_PIP_FILE_OPTIONS) or command.has_flag(*_PIP_FILE_OPTIONS)
            or command.has_flag("--no-index") or env.get("PIP_CONSTRAINT")
            or env.get("PIP_REQUIREMENT") or (no_index and no_index not in _FALSE)):
        return [Package(w, w, None) for w, _ in words]
    out = []
    skip = 0
    for i, (word, known) in enumerate(words):
        if skip:
            skip -= 1
            continue
        if i + 1 < len(words) and words[i + 1][0] == "@":     # name @ url
            out.append(Package(word, word, None))
            skip = 2
            continue
        if not known:
            out.append(_pinned_prefix(word, "=<~"))
            continue
        out.append(_pip_word(word))
    return out


def _pip_word(word: str) -> Package:
    if word.startswith(_VCS_PREFIXES):
        rest = word.split("://", 1)[-1]
        path = rest.split("/", 1)[1] if "/" in rest else ""
        if "@" in path.split("#", 1)[0]:
            return Package(word, word, True)
        return Package(word, word, False, "a repository URL without `@<ref>` installs the "
                                          "newest commit")
    if _is_url(word) or word.startswith("file:") or _is_path(word) or "\\" in word:
        return Package(word, word, None)
    if word.lower().endswith(_ARCHIVE_SUFFIXES):
        return Package(word, word, None)
    requirement = word.split(";", 1)[0].strip()
    if "@" in requirement:                                   # name@ url
        return Package(word, requirement.split("@", 1)[0].strip(), None)
    i, _ = _first_operator(requirement)
    if i < 0:
        return Package(word, requirement, False, _NO_VERSION)
    name = requirement[:i].strip()
    pinned, reason = _bounded(requirement[i:])
    return Package(word, name, pinned, reason)


# -- npm ---------------------------------------------------------------------------------


def _npm(command, words, env) -> list[Package]:
    out = []
    for word, known in words:
        if word in ("true", "false"):
            continue        # the value of a boolean option: `--unsafe-perm true` (nopt)
        if not known:
            head = word.split("$", 1)[0]
            if "@" in head.lstrip("@"):
                out.append(Package(word, head, True))
            else:
                out.append(_unknown(word))
            continue
        out.append(_npm_word(word))
    return out


def _npm_word(word: str) -> Package:
    if word.startswith(_NPM_GIT_PREFIXES) or (
            "/" in word and not word.startswith(("@", ".", "/", "~")) and ":" not in word
            and "@" not in word):
        if "#" in word:
            return Package(word, word, True)
        return Package(word, word, False, "a git repository without `#<commit>` installs "
                                          "the newest commit")
    if (_is_url(word) or word.startswith(("file:", ".", "/", "~"))
            or word.endswith((".tgz", ".tar.gz", ".tar"))):
        return Package(word, word, None)
    at = word.find("@", 1)                                # `@scope/pkg@1.0`
    if at < 0:
        return Package(word, word, False, _NO_VERSION)
    name, spec = word[:at], word[at + 1:]
    if spec.startswith("npm:"):                           # alias: `a@npm:b@1.0`
        inner = _npm_word(spec[4:])
        return Package(word, name, inner.pinned, inner.reason)
    spec = spec.strip()
    if spec in ("", "*", "x", "X") or not any(c.isdigit() for c in spec):
        tag = spec or "*"
        return Package(word, name, False, f"`@{tag}` is a tag that moves")
    clauses = spec.replace("||", ",").split()
    if all(c.startswith((">", "!")) for c in clauses):
        return Package(word, name, False, f"`{clauses[0][:2].rstrip('0123456789')}` sets "
                                          "no upper bound")
    return Package(word, name, True)


# -- gem ---------------------------------------------------------------------------------


def _gem(command, words, env) -> list[Package]:
    if command.flag_values("-v", "--version") or command.has_flag("-v", "--version"):
        return [Package(w, w, True) for w, _ in words]
    if command.flag_values("-g", "--file") or command.has_flag("-g", "--file"):
        return [Package(w, w, None) for w, _ in words]      # from a Gemfile
    out = []
    for word, known in words:
        if not known:
            out.append(_pinned_prefix(word, ":"))
        elif word.endswith(".gem") or _is_path(word) or _is_url(word):
            out.append(Package(word, word, None))
        elif ":" in word:
            name, version = word.split(":", 1)
            out.append(Package(word, name, bool(version), "" if version else _NO_VERSION))
        else:
            out.append(Package(word, word, False, _NO_VERSION))
    return out


# -- yum, dnf, zypper ----------------------------------------------------------------------


def _rpm(command, words, env) -> list[Package]:
    if command.tool == "zypper":
        kinds = command.flag_values("-t", "--type")
        if kinds and kinds[-1] != "package":
            return [Package(w, w, None) for w, _ in words]   # patterns, patches, products
    out = []
    for word, known in words:
        if not known:
            head = word.split("$", 1)[0]
            if head.endswith("-") or any(c in head for c in "=<"):
                out.append(Package(word, head.rstrip("-"), True))
            else:
                out.append(_unknown(word))
        elif (word.endswith(".rpm") or _is_path(word) or _is_url(word)
              or word.startswith("@") or "(" in word):
            out.append(Package(word, word, None))
        else:
            out.append(_rpm_word(word))
    return out


def _rpm_word(word: str) -> Package:
    i, _ = _first_operator(word)
    if i >= 0:
        pinned, reason = _bounded(word[i:].replace(" ", ""))
        return Package(word, word[:i].strip(), pinned, reason)
    parts = word.split("-")
    if len(parts) > 1 and _RPM_VERSION.match(parts[-1]):
        # name-version[-release][.arch]: the name ends before the run of parts that start
        # with a digit (or an epoch) at the end of the word
        k = len(parts) - 1
        while k > 1 and _RPM_VERSION.match(parts[k - 1]):
            k -= 1
        return Package(word, "-".join(parts[:k]), True)
    return Package(word, word, False, _NO_VERSION)


# -- go ----------------------------------------------------------------------------------


def _go(command, words, env) -> list[Package]:
    sub = command.subcommands()[0]
    if sub == "run":
        words = words[:1]                                # the rest are the program's args
    out = []
    for word, known in words:
        if not known:
            head = word.split("$", 1)[0]
            out.append(Package(word, head, True) if "@" in head else _unknown(word))
            continue
        path, at, version = word.partition("@")
        first = path.split("/", 1)[0]
        if (path.startswith((".", "/")) or "." not in first or path.endswith(".go")):
            out.append(Package(word, path, None))           # local or standard packages
        elif not at:
            if sub == "get":
                out.append(Package(word, path, False, _NO_VERSION))   # resolves the newest
            else:
                out.append(Package(word, path, None))       # go.mod decides
        elif version.lower() in _FLOATING_GO:
            out.append(Package(word, path, False, f"`@{version}` moves"))
        else:
            out.append(Package(word, path, True))
    return out


_READERS = {
    "apt-get": _apt, "apt": _apt, "apk": _apk, "pip": _pip, "npm": _npm, "gem": _gem,
    "yum": _rpm, "dnf": _rpm, "zypper": _rpm, "go": _go,
}


# -- prompts and recommends ----------------------------------------------------------------

_FALSE = ("false", "0", "no", "off")
_TRUE = ("true", "1", "yes", "on")


def _options(command: SimpleCommand, expand) -> list[str] | None:
    """The command's own arguments with words holding an expansion replaced by their
    known value (split into words); None when one of them is unknown: it may hold the
    option asked about (`apt-get install $APT_OPTS curl`)."""
    args = command.tool_args
    literal = command.literal[len(command.argv) - len(args):]
    out: list[str] = []
    for word, known in zip(args, literal):
        if known:
            out.append(word)
            continue
        value = expand(word) if expand is not None else None
        if value is None:
            return None
        out.extend(value.split())
    return out


def answers_prompts(command: SimpleCommand, expand: Callable[[str], str | None] | None = None
                    ) -> bool:
    """True when the command does not stop at a confirmation prompt: apt-get/apt `-y`,
    `--yes`, `--assume-yes`, quiet level 2 (`-qq`, `-q=2`), `-o APT::Get::Assume-Yes=true`;
    yum/dnf `-y`, `--assumeyes`, `--setopt=assumeyes=1`; zypper `-n`/`--non-interactive`
    before the subcommand or `-y`/`--no-confirm`; microdnf never prompts. A command fed by
    a pipe (`yes | apt-get install ...`) gets its answers from it. An argument holding a
    variable of unknown value (`expand`, as for install_packages) may be `-y`: True."""
    tool = command.tool
    if command.pipe_neighbours()[0] or command.basename == "microdnf":
        return True
    args = _options(command, expand)
    if args is None:
        return True
    if tool in ("apt-get", "apt"):
        if tools.has_flag(tool, args, ("-y", "--yes", "--assume-yes", *_APT_SIMULATE)):
            return True
        if _quiet_level(args) >= 2:
            return True
        return _apt_option(args, "apt::get::assume-yes") in _TRUE
    if tool in ("yum", "dnf"):
        if tools.has_flag(tool, args, ("-y", "--assumeyes")):
            return True
        return any(v.replace(" ", "").lower().startswith(tuple(f"assumeyes={t}" for t in _TRUE))
                   for v in tools.flag_values(args, ("--setopt",)))
    if tool == "zypper":
        if tools.has_flag(tool, args, ("-y", "--no-confirm", "--non-interactive")):
            return True
        positional = tools.positional(args, tools.VALUE_OPTIONS.get(tool, ()))
        head = args[:args.index(positional[0])] if positional else args
        return any(a == "-n" or (a.startswith("-") and not a.startswith("--") and "n" in a[1:]
                                 and a[1:].isalpha()) for a in head)
    return True


def _quiet_level(args: list[str]) -> int:
    level = 0
    for a in args:
        if a == "--":
            break
        if a.startswith(("--quiet=", "-q=")):
            value = a.split("=", 1)[1]
            level = max(level, int(value)) if value.isdigit() else level
        elif a == "--quiet":
            level += 1
        elif a.startswith("-") and not a.startswith("--") and a[1:].isalpha():
            level += a.count("q")
    return level


def _apt_option(args: list[str], key: str) -> str:
    """The value given to an apt configuration key with `-o key=value` ("" if none)."""
    value = ""
    for option in tools.flag_values(args, ("-o", "--option")):
        name, _, v = option.partition("=")
        if name.strip().lower() == key:
            value = v.strip().strip("\"'").lower()
    return value


def skips_recommends(command: SimpleCommand, expand: Callable[[str], str | None] | None = None
                     ) -> bool:
    """apt-get/apt install told not to install Recommends: `--no-install-recommends`,
    `--install-recommends=no`, or `-o APT::Install-Recommends=false`. An argument holding
    a variable of unknown value may be that option: True."""
    args = _options(command, expand)
    if args is None:
        return True
    if tools.has_flag(command.tool, args, ("--no-install-recommends", *_APT_SIMULATE)):
        return True
    if any(v.lower() in _FALSE for v in tools.flag_values(args, ("--install-recommends",))):
        return True
    return _apt_option(args, "apt::install-recommends") in _FALSE
