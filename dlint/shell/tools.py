"""Package managers and build tools: name aliases, options that take a value, flag tests.

Kept deliberately small: what the cleanup, pinning and hadolint-parity rules need. Add a
tool or an option here rather than special-casing it in a rule.
"""

from __future__ import annotations

from dlint._regex import LazyPattern

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Iterable

# basename -> canonical tool name (anything not listed is its own canonical name)
ALIASES = {
    "pip3": "pip", "microdnf": "dnf", "bundler": "bundle", "mvnw": "mvn", "gradlew": "gradle",
    "composer.phar": "composer", "yarnpkg": "yarn", "apt-get": "apt-get",
}
_PIP = LazyPattern(r"pip\d*(\.\d+)*\Z")
_PYTHON = LazyPattern(r"python\d*(\.\d+)*\Z")
# python options that take a value (before -m)
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "-c"})

_APT = frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release",
                  "--default-release"})
_RPM = frozenset({
    "-c", "--config", "--installroot", "--enablerepo", "--disablerepo", "--repo", "--repoid",
    "-x", "--exclude", "--releasever", "--setopt", "--downloaddir", "--destdir", "--forcearch",
    "-d", "--debuglevel", "-e", "--errorlevel", "--rpmverbosity", "--color",
})
# Options whose value is the next word, per canonical tool (global and subcommand options
# together: a value is never mistaken for a package or a subcommand).
VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "apt-get": _APT,
    "apt": _APT,
    "apk": frozenset({"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch",
                      "--cache-dir", "--repositories-file", "--keys-dir"}),
    "yum": _RPM,
    "dnf": _RPM,
    "zypper": frozenset({"--root", "-R", "-c", "--config", "-r", "--repo", "--from", "-t",
                         "--type", "--reposd-dir", "--cache-dir", "-D"}),
    "pip": frozenset({
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
        "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
        "--src", "--upgrade-strategy", "--progress-bar", "--platform", "--python-version",
        "--implementation", "--abi", "--no-binary", "--only-binary", "--trusted-host",
        "--cache-dir", "--log", "--proxy", "--timeout", "--retries", "--exists-action",
        "--cert", "--client-cert", "--global-option", "--config-settings", "-C",
        "--install-option", "--python", "--report", "--root-user-action",
    }),
    "npm": frozenset({"--prefix", "--registry", "--cache", "--userconfig", "--tag", "-w",
                      "--workspace", "--omit", "--include", "--save-prefix", "--loglevel"}),
    "yarn": frozenset({"--cwd", "--modules-folder", "--cache-folder", "--network-timeout",
                       "--mutex", "--registry", "--global-folder"}),
    "pnpm": frozenset({"-C", "--dir", "--filter", "-F", "--reporter", "--store-dir",
                       "--registry", "--loglevel"}),
    "gem": frozenset({"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s",
                      "--source", "-p", "--http-proxy", "--platform", "-g", "--file"}),
    "go": frozenset({"-C", "-o", "-tags", "-ldflags", "-gcflags", "-mod", "-modfile", "-p",
                     "-exec", "-toolexec", "-asmflags", "-buildmode", "-compiler",
                     "-installsuffix", "-pkgdir", "-overlay", "-pgo"}),
    "cargo": frozenset({"--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path",
                        "--root", "--index", "--registry", "--features", "-F", "-j", "--jobs",
                        "--target", "--target-dir", "--profile", "--bin", "--example",
                        "--manifest-path", "-p", "--package", "--config", "-Z"}),
    "bundle": frozenset({"--path", "--jobs", "-j", "--retry", "--gemfile", "--without",
                         "--with", "--binstubs"}),
    "composer": frozenset({"-d", "--working-dir"}),
    "mvn": frozenset({"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P",
                      "--activate-profiles", "-pl", "--projects", "-rf", "--resume-from",
                      "-T", "--threads", "-b", "--builder", "-l", "--log-file", "-D",
                      "-t", "--toolchains"}),
    "gradle": frozenset({"-p", "--project-dir", "-b", "--build-file", "-c", "--settings-file",
                         "-g", "--gradle-user-home", "-x", "--exclude-task", "-D", "-P", "-I",
                         "--init-script"}),
}

# Tools whose long options take a single dash (`go build -ldflags`): no short-flag bundling.
SINGLE_DASH_LONG = frozenset({"go", "find", "java", "javac", "gcc", "cc", "clang"})
_SHORT_BUNDLE = LazyPattern(r"-[A-Za-z0-9]+\Z")


def canonical_name(basename: str) -> str:
    """The canonical tool name for a command basename: pip3.11 -> pip, microdnf -> dnf."""
    alias = ALIASES.get(basename)
    if alias is not None:
        return alias
    if _PIP.match(basename):
        return "pip"
    return basename


def canonical(basename: str, args: list[str], literal: list[bool]) -> tuple[str, int]:
    """(canonical tool name, index in args where the tool's own arguments start)."""
    name = canonical_name(basename)
    if _PYTHON.match(basename):
        # python [options] -m pip ...
        i = 0
        while i < len(args):
            a = args[i]
            if a == "-m" and i + 1 < len(args):
                module = args[i + 1]
                if _PIP.match(module):
                    return "pip", i + 2
                return name, 0
            if a.startswith("-m") and len(a) > 2:           # python -mpip
                return ("pip", i + 1) if _PIP.match(a[2:]) else (name, 0)
            if not a.startswith("-") or a == "-":
                return name, 0
            i += 2 if a in _PYTHON_VALUE_OPTIONS else 1
        return name, 0
    if basename == "php" and args:
        first = args[0].rsplit("/", 1)[-1]
        if first in ("composer.phar", "composer"):
            return "composer", 1
    return name, 0


def _options_end(args: list[str]) -> int:
    try:
        return args.index("--")
    except ValueError:
        return len(args)


def has_flag(tool: str, args: list[str], names: Iterable[str]) -> bool:
    longs = set()
    shorts = set()
    for n in names:
        if len(n) == 2 and n[0] == "-" and n[1] != "-":
            shorts.add(n[1])
        longs.add(n)
    bundle = tool not in SINGLE_DASH_LONG
    for a in args[:_options_end(args)]:
        if not a.startswith("-"):
            continue
        if a in longs:
            return True
        eq = a.find("=")
        if eq > 0 and a[:eq] in longs:
            return True
        if bundle and shorts and a[1:2] != "-" and _SHORT_BUNDLE.match(a):
            if any(ch in shorts for ch in a[1:]):
                return True
    return False


def flag_values(args: list[str], names: Iterable[str]) -> list[str]:
    names = set(names)
    values = []
    end = _options_end(args)
    i = 0
    while i < end:
        a = args[i]
        if a in names:
            if i + 1 < len(args):
                values.append(args[i + 1])
            i += 2
            continue
        eq = a.find("=")
        if a.startswith("-") and eq > 0 and a[:eq] in names:
            values.append(a[eq + 1:])
        elif len(a) > 2 and a[0] == "-" and a[1] != "-" and a[:2] in names:
            values.append(a[2:])                            # -ovalue
        i += 1
    return values


def positional(args: list[str], takes_value: Iterable[str]) -> list[str]:
    takes_value = takes_value if isinstance(takes_value, (set, frozenset)) else set(takes_value)
    out = []
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        if a == "--":
            out.extend(args[i + 1:])
            break
        if len(a) > 1 and a[0] == "-":
            i += 2 if a in takes_value else 1
            continue
        out.append(a)
        i += 1
    return out
