"""Rule discovery and validation.

Rules come from the entry-point group ``dlint.rules``. An entry point may name a module,
a package (every submodule is loaded) or a Rule class. The built-in bundle is the entry
point ``builtin = "dlint.rules"``.

Startup: ``importlib.metadata.entry_points()`` costs 35-80 ms (importing
importlib.metadata and email.*, then reading every distribution's metadata), more than
the whole lint of a typical file. So the built-ins are imported directly, and the
entry-point scan is cached in ``$XDG_CACHE_HOME/dlint/entry-points-<hash>.json`` keyed on
the mtimes of the sys.path directories: installing or removing a distribution adds or
removes a ``*.dist-info`` directory, which changes its directory's mtime, so the cache
invalidates itself. A cache hit costs a few stat() calls. ``DLINT_NO_PLUGINS=1`` skips
third-party rules entirely.

Built-in rules load lazily: importing ~100 rule modules costs ~10-15 ms per run, as much
as linting a typical file, while most files can trigger only a few of them. The rule
index (``$XDG_CACHE_HOME/dlint/rules-<hash>.json``, keyed on the path, size and mtime of
every file of the dlint.rules package and of the rule contract's modules) holds each
rule's metadata: code, name, severity, enabled, aliases, keywords, triggers,
checks_broken_files, option names, and where the class lives. Selection, pragmas and
severities work on that metadata (``RuleRef``); a rule module is imported only when a
file holds one of the rule's keywords and triggers (or for its docs, options or
``dlint rules``). A miss (a rule edited,
added or removed; a new dlint) imports every module once and rewrites the index.
``DLINT_RULE_INDEX=0`` imports every module on every run instead.

A rule that breaks the contract (duplicate code or name, bad name, hadolint-like code,
bad severity, missing doc sections, bad options) or that fails to import is left out and
reported in ``Registry.errors``: one line each, never a traceback.

Where a rule comes from: ``Registry.origin(rule)`` is ``("builtin", "dlint-docker")`` for
the built-in rules and ``("plugin", <distribution>)`` for an entry point's rules (the
distribution that declares the entry point, carried from the scan; None for rules passed
in directly, as tests do).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections.abc import Iterable
from types import ModuleType

from dlint._record import Record
from dlint.lint.finding import SEVERITIES
from dlint.lint.rule import Rule, option_problem, option_type_problem, rule_classes_in

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any

GROUP = "dlint.rules"
BUILTIN_PACKAGE = "dlint.rules"
BUILTIN_DISTRIBUTION = "dlint-docker"
BUILTIN_PREFIX = "DF"  # built-in codes; a plugin (entry point) may not use them
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix")

CODE_RE = re.compile(r"^[A-Z]{1,5}[0-9]{1,5}$")
PREFIX_CODE_RE = re.compile(r"^[A-Z]{1,5}$")  # the code of a rule with `subcodes`: "SC"
RESERVED_CODE_RES = (re.compile(r"^DL\d{4}$"), re.compile(r"^SC\d+$"))  # hadolint / ShellCheck
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Registry(Record):
    """The valid rules, sorted by code, and one line per rule that was rejected."""

    _fields = ("rules", "errors")

    def __init__(self, rules: list[type[Rule]] | None = None, errors: list[str] | None = None,
                 distributions: dict[type[Rule], str] | None = None):
        self.rules = [] if rules is None else rules
        self.errors = [] if errors is None else errors
        # plugin rule -> the distribution whose entry point brought it
        self.distributions = {} if distributions is None else distributions
        self._index: dict[str, list[type[Rule]]] | None = None

    def origin(self, rule: type[Rule]) -> tuple[str, str | None]:
        """("builtin", "dlint-docker"), or ("plugin", distribution name or None)."""
        return _origin(rule, self.distributions)

    def _lookup_index(self) -> dict[str, list[type[Rule]]]:
        if self._index is None:
            index: dict[str, list[type[Rule]]] = {}
            for rule in self.rules:
                for key in (rule.code, rule.name, *rule.aliases):
                    bucket = index.setdefault(key.lower(), [])
                    if rule not in bucket:
                        bucket.append(rule)
            self._index = index
        return self._index

    def resolve(self, selector: str) -> list[type[Rule]]:
        """Rules matching a code, name or alias (case-insensitive), or ALL. [] if unknown.

        An alias may name several rules (one hadolint rule split in two). A subcode
        (`SC2086`) resolves to the rule that reports it (see `subcode_owner`)."""
        selector = selector.strip()
        if selector.upper() == "ALL":
            return list(self.rules)
        found = self._lookup_index().get(selector.lower())
        if found:
            return list(found)
        owner = self.subcode_owner(selector)
        return [owner] if owner is not None else []

    def subcode_owner(self, selector: str) -> type[Rule] | None:
        """The rule whose `subcodes` pattern a selector matches (upper-cased), unless the
        selector is some rule's code, name or alias; else None."""
        selector = selector.strip()
        if not selector or selector.lower() in self._lookup_index():
            return None
        code = selector.upper()
        for rule in self.rules:
            subcodes = getattr(rule, "subcodes", "")
            if subcodes and re.fullmatch(subcodes, code):
                return rule
        return None

    def get(self, selector: str) -> type[Rule] | None:
        """The rule with this code or name, else the first rule with this alias."""
        matches = self.resolve(selector) if selector.upper() != "ALL" else []
        for rule in matches:
            if selector.lower() in (rule.code.lower(), rule.name.lower()):
                return rule
        return matches[0] if matches else None


# -- validation ---------------------------------------------------------------------------


def _where(rule: type) -> str:
    module = getattr(rule, "rule_module", None) or rule.__module__
    qualname = getattr(rule, "rule_qualname", None) or rule.__qualname__
    return f"{module}.{qualname}"


class RuleRef:
    """A built-in rule known from the rule index: its metadata without its module.

    Reads of code, name, severity, enabled, aliases, keywords, triggers, checks_broken_files,
    build_check, subcodes, reads_triggers, reads_pragmas and prepares cost
    nothing; anything else (docs(), summary(), options, defaults, instantiating it) imports
    the module and answers from the class, so a RuleRef stands in for the class."""


    def __init__(self, meta: dict[str, Any], cls: type[Rule] | None = None):
        self.code: str = meta["code"]
        self.name: str = meta["name"]
        self.severity: str = meta["severity"]
        self.enabled: bool = meta["enabled"]
        self.aliases: tuple[str, ...] = tuple(meta["aliases"])
        self.keywords: tuple[str, ...] = tuple(meta["keywords"])
        self.triggers: tuple[str, ...] = tuple(meta["triggers"])
        self.checks_broken_files: bool = meta["checks_broken_files"]
        self.build_check: bool = meta.get("build_check", False)
        self.subcodes: str = meta.get("subcodes", "")
        self.reads_triggers: bool = meta.get("reads_triggers", False)
        self.reads_pragmas: bool = meta.get("reads_pragmas", False)
        self.prepares: bool = meta.get("prepares", False)
        self.option_names: tuple[str, ...] = tuple(meta.get("options", ()))
        self.rule_module: str = meta["module"]
        self.rule_qualname: str = meta["qualname"]
        # what code reading a rule class asks first, answered without the import
        self.__module__ = self.rule_module
        self.__qualname__ = self.rule_qualname
        self.__name__ = self.rule_qualname.rsplit(".", 1)[-1]
        self._cls = cls

    @classmethod
    def of(cls, rule: type[Rule]) -> RuleRef:
        return cls(metadata(rule), rule)

    def load(self) -> type[Rule]:
        """The rule class (imports its module the first time)."""
        if self._cls is None:
            obj: Any = importlib.import_module(self.rule_module)
            for part in self.rule_qualname.split("."):
                obj = getattr(obj, part)
            self._cls = obj
        return self._cls

    @property
    def loaded(self) -> bool:
        return self._cls is not None

    def __getattr__(self, attr: str) -> Any:  # only for what the metadata does not hold
        if (attr.startswith("__") and attr not in ("__mro__", "__bases__")) or attr == "_cls":
            raise AttributeError(attr)  # protocol probes (copy, pickle...) must not import
        return getattr(self.load(), attr)

    def __call__(self, *args: Any, **kwargs: Any) -> Rule:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<rule {self.code} {self.name} ({self.rule_module}.{self.rule_qualname})>"


def metadata(rule: type[Rule]) -> dict[str, Any]:
    """What the rule index stores about a (valid) rule class."""
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity, "enabled": rule.enabled,
        "aliases": list(rule.aliases), "keywords": list(getattr(rule, "keywords", ())),
        "triggers": list(getattr(rule, "triggers", ())),
        "checks_broken_files": bool(rule.checks_broken_files), "options": list(rule.options),
        "build_check": bool(getattr(rule, "build_check", False)),
        "subcodes": getattr(rule, "subcodes", ""),
        "reads_triggers": bool(getattr(rule, "reads_triggers", False)),
        "reads_pragmas": bool(getattr(rule, "reads_pragmas", False)),
        "prepares": rule_prepares(rule),
        "module": rule.__module__, "qualname": rule.__qualname__,
    }


def rule_prepares(rule: type[Rule]) -> bool:
    """Whether a rule class has a prepare() of its own (see Rule.prepare)."""
    return getattr(rule, "prepare", Rule.prepare) is not Rule.prepare


def _is_builtin(rule: type) -> bool:
    module = getattr(rule, "__module__", "") or ""
    return module == BUILTIN_PACKAGE or module.startswith(BUILTIN_PACKAGE + ".")


def _origin(rule: type, distributions: dict) -> tuple[str, str | None]:
    if _is_builtin(rule):
        return "builtin", BUILTIN_DISTRIBUTION
    return "plugin", distributions.get(rule)


def _described(rule: type, distributions: dict) -> str:
    """"built-in rule untagged-image (dlint.rules...)" / "rule ACME001 of plugin acme (acme.x.Y)"."""
    kind, dist = _origin(rule, distributions)
    label = getattr(rule, "name", None) if kind == "builtin" else getattr(rule, "code", None)
    label = label if isinstance(label, str) else rule.__name__
    if kind == "builtin":
        return f"built-in rule {label} ({_where(rule)})"
    return f"rule {label} of plugin {dist} ({_where(rule)})" if dist else f"rule {label} ({_where(rule)})"


def _non_empty_sections(rule: type[Rule]) -> set[str] | _DocSectionLookup:
    """Lower-cased titles of the non-empty `## ` sections of the rule's docs, read in one
    pass (Rule.doc_section re-reads and dedents the docs for every title it is asked).
    A rule that overrides doc_section is asked through it."""
    if getattr(rule.doc_section, "__func__", None) is not Rule.doc_section.__func__:
        return _DocSectionLookup(rule)
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in rule.docs().splitlines():
        if line.startswith("## "):  # a repeated title adds to it, as in doc_section
            current = sections.setdefault(line[3:].strip().lower(), [])
        elif current is not None:
            current.append(line)
    return {title for title, lines in sections.items() if "\n".join(lines).strip()}


class _DocSectionLookup:
    def __init__(self, rule: type[Rule]):
        self.rule = rule

    def __contains__(self, title: str) -> bool:
        return bool(self.rule.doc_section(title))


def validate_rule(rule: type[Rule]) -> list[str]:
    """Contract violations of one rule class, as readable sentences ([] when valid)."""
    if isinstance(rule, RuleRef):
        rule = rule.load()
    problems: list[str] = []
    code = getattr(rule, "code", None)
    name = getattr(rule, "name", None)
    subcodes = getattr(rule, "subcodes", "")
    if subcodes:
        try:
            pattern = re.compile(subcodes)
        except (re.error, TypeError):
            pattern = None
        if pattern is None or not isinstance(code, str) or not PREFIX_CODE_RE.match(code) \
                or not subcodes.startswith(code):
            problems.append(f"a rule with subcodes has a letters-only code that starts its "
                            f"subcodes pattern (code {code!r}, subcodes {subcodes!r})")
    elif not isinstance(code, str) or not CODE_RE.match(code):
        problems.append(f"code {code!r} must be upper-case letters then digits, like 'DF101'")
    elif any(r.match(code) for r in RESERVED_CODE_RES) or code == "ALL":
        problems.append(f"code {code!r} could be confused with a hadolint/ShellCheck code")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(f"name {name!r} must be kebab-case, like 'untagged-image'")
    if rule.severity not in SEVERITIES:
        problems.append(f"severity {rule.severity!r} must be one of {', '.join(SEVERITIES)}")
    if not isinstance(rule.enabled, bool):
        problems.append("enabled must be True or False")
    if not isinstance(getattr(rule, "build_check", False), bool):
        problems.append("build_check must be True or False")
    if not isinstance(rule.aliases, (tuple, list)) or not all(isinstance(a, str) and a for a in rule.aliases):
        problems.append("aliases must be a tuple of non-empty strings")
    keywords = getattr(rule, "keywords", ())
    if not isinstance(keywords, (tuple, list)) or not all(isinstance(k, str) and k.isupper() for k in keywords):
        problems.append("keywords must be a tuple of upper-case instruction keywords, like ('RUN',)")
    triggers = getattr(rule, "triggers", ())
    if not isinstance(triggers, (tuple, list)) or not all(isinstance(t, str) and t for t in triggers):
        problems.append("triggers must be a tuple of non-empty strings, like ('apk',)")
    if not isinstance(rule.options, dict) or not isinstance(rule.defaults, dict):
        problems.append("options and defaults must be dicts")
    else:
        extra = set(rule.defaults) - set(rule.options)
        if extra:
            problems.append(f"defaults for undeclared options: {', '.join(sorted(extra))}")
        for option, expected in rule.options.items():
            problem = option_type_problem(expected)
            if problem is None and option in rule.defaults:
                problem = option_problem(rule.defaults[option], expected)
                problem = problem and f"default {problem}"
            if problem:
                problems.append(f"option {option!r}: {problem}")
    if "check" not in {k for c in rule.__mro__ if c is not Rule for k in vars(c)}:
        problems.append("defines no check() method")
    try:
        present = _non_empty_sections(rule)
        missing = [s for s in REQUIRED_SECTIONS if s.lower() not in present]
    except Exception as exc:  # a broken docs() override
        missing = [f"(docs unreadable: {exc})"]
    if missing:
        problems.append("docs (the module docstring) lack the sections: " + ", ".join(f"'## {s}'" for s in missing))
    return problems


def build_registry(candidates: Iterable[type[Rule]], errors: Iterable[str] = (),
                   distributions: dict[type[Rule], str] | None = None) -> Registry:
    """Validate the candidates; the first rule to claim a code or name keeps it (the
    built-ins come first, so a plugin cannot take over a built-in code or name).
    ``distributions`` maps plugin rules to the distribution that brought them."""
    out_errors = list(errors)
    distributions = distributions or {}

    def reject(rule: type, problems: list[str]) -> None:
        label = getattr(rule, "code", None) or rule.__name__
        kind, dist = _origin(rule, distributions)
        source = f"plugin {dist}, " if kind == "plugin" and dist else ""
        out_errors.append(f"invalid rule {label} ({source}{_where(rule)}): " + "; ".join(problems) +
                          ("; the rule is not loaded" if source else ""))

    claimed: dict[str, type[Rule]] = {}  # lower-cased code/name -> rule
    valid: list[type[Rule]] = []
    for rule in dict.fromkeys(candidates):  # de-duplicated, order kept
        # a RuleRef was validated when the rule index was written
        problems = [] if isinstance(rule, RuleRef) else validate_rule(rule)
        if not problems:
            for key in (rule.code, rule.name):
                other = claimed.get(key.lower())
                if other is not None:
                    what = "code" if key == rule.code else "name"
                    problems.append(f"{what} {key!r} is already used by {_described(other, distributions)}")
            if not problems and rule in distributions and not _is_builtin(rule) and rule.code.startswith(BUILTIN_PREFIX):
                problems.append(f"code {rule.code!r}: {BUILTIN_PREFIX} codes are reserved for dlint's own rules "
                                f"(a later dlint release may use it); give the plugin its own prefix, like 'ACME001'")
        if problems:
            reject(rule, problems)
            continue
        claimed[rule.code.lower()] = claimed[rule.name.lower()] = rule
        valid.append(rule)
    accepted: list[type[Rule]] = []
    for rule in valid:  # an alias must not shadow another rule's code or name
        clashes = [f"alias {a!r} is the code or name of {_described(claimed[a.lower()], distributions)}"
                   for a in rule.aliases if claimed.get(a.lower(), rule) is not rule]
        if clashes:
            reject(rule, clashes)
        else:
            accepted.append(rule)
    kept = {rule: dist for rule, dist in distributions.items() if rule in accepted}
    return Registry(sorted(accepted, key=lambda r: r.code), out_errors, kept)


# -- loading ------------------------------------------------------------------------------


def _rules_of_module(module: ModuleType, errors: list[str]) -> list[type[Rule]]:
    """Rule classes defined in a module, or in every submodule of a package."""
    found = [r for r in rule_classes_in(vars(module).values()) if r.__module__ == module.__name__]
    path = getattr(module, "__path__", None)
    if path is not None:
        for name in sorted(_submodule_names(path)):
            if name.startswith("_"):
                continue
            qualified = f"{module.__name__}.{name}"
            try:
                sub = importlib.import_module(qualified)
            except Exception as exc:
                errors.append(f"cannot load rule module {qualified}: {type(exc).__name__}: {exc}")
                continue
            found.extend(_rules_of_module(sub, errors))
    return found


def _submodule_names(path: Iterable[str]) -> list[str]:
    """The names pkgutil.iter_modules(path) yields, listed directly when every entry is a
    directory: importing pkgutil pulls in typing (~5 ms of startup, via singledispatch)."""
    path = list(path)
    if not all(isinstance(p, str) and os.path.isdir(p) for p in path):
        import pkgutil

        return [info.name for info in pkgutil.iter_modules(path)]
    from inspect import getmodulename

    names: dict[str, None] = {}
    for directory in path:  # what pkgutil's FileFinder walk yields, in the same order
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:
            name = getmodulename(entry)
            if name == "__init__" or name in names:
                continue
            full = os.path.join(directory, entry)
            if not name and os.path.isdir(full) and "." not in entry:
                name = entry
                try:
                    contents = os.listdir(full)
                except OSError:
                    contents = []
                if not any(getmodulename(c) == "__init__" for c in contents):
                    continue  # not a package
            if name and "." not in name:
                names[name] = None
    return list(names)


def _load_entry_point(value: str, errors: list[str]) -> list[type[Rule]]:
    module_name, _, attr = value.partition(":")
    try:
        obj: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
    except Exception as exc:
        errors.append(f"cannot load rule plugin {value!r}: {type(exc).__name__}: {exc}")
        return []
    if isinstance(obj, ModuleType):
        return _rules_of_module(obj, errors)
    if isinstance(obj, type) and issubclass(obj, Rule):
        return [obj]
    if isinstance(obj, (list, tuple)):
        rules = list(rule_classes_in(obj))
        if len(rules) == len(obj):
            return rules
    errors.append(f"rule plugin {value!r} is not a module, a package or a Rule class")
    return []


def _cache_file() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # one file per interpreter/environment (sys.prefix differs between venvs) and per sys.path:
    # `dlint` (script dir first) and `python -m dlint` (cwd first) must not evict each other
    import zlib

    tag = zlib.crc32("\0".join((sys.prefix, sys.version, *sys.path)).encode()) & 0xFFFFFFFF
    return os.path.join(base, "dlint", f"entry-points-{tag:08x}.json")


def _path_key() -> list[list[Any]]:
    key: list[list[Any]] = []
    for entry in sys.path:
        try:
            key.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            key.append([entry, None])
    return key


def _distribution_name(ep: Any) -> str | None:
    dist = getattr(ep, "dist", None)
    try:
        return dist.name if dist is not None else None
    except Exception:  # unreadable metadata: the rules still load, without their origin
        return None


def scan_entry_points(use_cache: bool = True) -> list[tuple[str, str, str | None]]:
    """(name, value, distribution) of every ``dlint.rules`` entry point, through the
    mtime-keyed cache."""
    key = _path_key()
    path = _cache_file()
    if use_cache:
        try:
            with open(path, encoding="utf-8") as fh:
                cached = json.load(fh)
            if cached.get("key") == key:
                return [(n, v, d) for n, v, d in cached["entry_points"]]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    from importlib.metadata import entry_points

    found = sorted({(ep.name, ep.value, _distribution_name(ep)) for ep in entry_points(group=GROUP)},
                   key=lambda t: (t[0], t[1], t[2] or ""))
    if use_cache:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "entry_points": found}, fh)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home only costs speed
    return found


# -- the rule index (lazy built-ins) -------------------------------------------------------

INDEX_VERSION = 5
# modules whose code decides what a rule class's metadata is
_CONTRACT_MODULES = ("rule.py", "registry.py", "finding.py")


def _index_key(package_paths: list[str]) -> list[Any]:
    """[index version, dlint version, (path, size, mtime_ns) of every file of the rules
    package tree and of the contract modules]: any edit, addition or removal changes it."""
    from dlint import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    files: list[Any] = []
    for name in _CONTRACT_MODULES:
        try:
            st = os.stat(os.path.join(here, name))
            files.append([name, st.st_size, st.st_mtime_ns])
        except OSError:
            files.append([name, None, None])
    stack = list(package_paths)
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        files.append([directory, None, None])
        for entry in entries:
            if entry.name == "__pycache__" or entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(entry.path)
            elif entry.name.endswith((".py", ".pyc", ".so", ".pyd")):
                st = entry.stat()
                files.append([entry.path, st.st_size, st.st_mtime_ns])
    return [INDEX_VERSION, __version__, files]


def _index_file() -> str:
    return _cache_file().replace("entry-points-", "rules-")


def builtin_rules(errors: list[str], use_index: bool | None = None) -> list[Any]:
    """The built-in rules: RuleRefs from the rule index (no rule module imported), or the
    classes themselves when the index is off (``DLINT_RULE_INDEX=0``)."""
    if use_index is None:
        use_index = os.environ.get("DLINT_RULE_INDEX", "") not in ("0", "false", "no")
    if not use_index:
        return _load_entry_point(BUILTIN_PACKAGE, errors)
    try:
        package = importlib.import_module(BUILTIN_PACKAGE)
    except Exception as exc:
        errors.append(f"cannot load rule plugin {BUILTIN_PACKAGE!r}: {type(exc).__name__}: {exc}")
        return []
    paths = [p for p in getattr(package, "__path__", ()) if isinstance(p, str)]
    key = _index_key(paths)
    path = _index_file()
    try:
        with open(path, encoding="utf-8") as fh:
            cached = json.load(fh)
        if cached.get("key") == key:
            errors.extend(cached["errors"])
            return [RuleRef(meta) for meta in cached["rules"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    own_errors: list[str] = []
    refs: list[Any] = []
    for rule in dict.fromkeys(_load_entry_point(BUILTIN_PACKAGE, own_errors)):
        problems = validate_rule(rule)
        if problems:  # reported (and left out) as build_registry would
            label = getattr(rule, "code", None) or rule.__name__
            own_errors.append(f"invalid rule {label} ({_where(rule)}): " + "; ".join(problems))
        else:
            refs.append(RuleRef.of(rule))
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "errors": own_errors, "rules": [metadata(r.load()) for r in refs]}, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed
    errors.extend(own_errors)
    return refs


def rule_class(rule: Any) -> type[Rule]:
    """The class of a registry entry (a RuleRef is loaded)."""
    return rule.load() if isinstance(rule, RuleRef) else rule


def load_registry(extra: Iterable[type[Rule]] = (), *, builtin: bool = True, plugins: bool | None = None) -> Registry:
    """Every valid rule: built-ins (RuleRefs, see builtin_rules), entry-point plugins, then
    ``extra`` classes (tests)."""
    errors: list[str] = []
    candidates: list[Any] = []
    distributions: dict[type[Rule], str] = {}
    if builtin:
        candidates.extend(builtin_rules(errors))
    if plugins is None:
        plugins = os.environ.get("DLINT_NO_PLUGINS", "") in ("", "0")
    if plugins:
        for name, value, dist in scan_entry_points():
            if value.strip() == BUILTIN_PACKAGE:
                continue  # the built-in bundle, loaded above
            before = len(errors)
            loaded = _load_entry_point(value, errors)
            if dist:  # say which installed distribution to fix or remove
                errors[before:] = [f"{e} (plugin {dist})" for e in errors[before:]]
                distributions.update((rule, dist) for rule in loaded if rule not in distributions)
            candidates.extend(loaded)
    candidates.extend(extra)
    return build_registry(candidates, errors, distributions)


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry (built-ins and plugins), loaded once."""
    global _default
    if _default is None:
        _default = load_registry()
    return _default
