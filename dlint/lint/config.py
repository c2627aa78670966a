"""Configuration: ``.dlint.toml`` or ``[tool.dlint]`` in ``pyproject.toml``.

Discovery: for each linted file, the nearest directory upwards (up to the filesystem
root) holding a ``.dlint.toml``, or a ``pyproject.toml`` with a ``[tool.dlint]`` table,
gives the configuration (``.dlint.toml`` wins in the same directory). The nearest file
wins outright; files further up are not merged. ``--config PATH`` replaces discovery.

Keys (``.dlint.toml`` top level, or under ``[tool.dlint]``)::

    select = ["DF101", "untagged-image", "DL3006", "ALL"]   # replaces the default set
    extend-select = [...]                                    # adds to it
    ignore = [...]                                           # removes from it
    severity-threshold = "warning"                           # exit 1 only at or above
    exclude = ["vendor", "**/testdata/*"]                    # directory discovery only
    exit-zero = true                                         # exit 0 even with findings
    disable-ignore-pragmas = true                            # `# dlint: ignore=` etc. not honoured
    [severity]            # per-rule severity override   ([tool.dlint.severity])
    DF101 = "error"
    [rules.<name>]        # per-rule options, checked against Rule.options

When no dlint config applies, hadolint's ``.hadolint.yaml`` is read instead (see
dlint.lint.hadolint_config, which translates it to these keys); ``--config`` accepts a
``.yaml``/``.yml`` hadolint file too.

Selection order: the rules enabled by default, replaced by config ``select``, plus
``extend-select``, minus config ``ignore``; then ``--select`` on the command line
replaces that whole set (config ``ignore`` included) and ``--ignore`` removes from it.

Every problem is a ConfigError with one line naming the file, the key and what is
allowed; the CLI prints it and exits 2.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from pathlib import Path

from dlint._record import FrozenRecord, Record
from dlint.lint.finding import SEVERITIES
from dlint.lint.registry import Registry
from dlint.lint.rule import Rule, option_problem

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from typing import Any

KEYS = ("select", "extend-select", "ignore", "severity-threshold", "severity", "rules", "exclude",
        "exit-zero", "disable-ignore-pragmas", "contexts")


class ConfigError(Exception):
    """A configuration problem, as one line for the user."""


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


class Config(FrozenRecord):
    """One configuration file's settings (or the defaults, when ``path`` is None)."""

    _fields = ("path", "select", "extend_select", "ignore", "severity_threshold", "severity", "rules",
               "exclude", "exit_zero", "disable_ignore_pragmas", "contexts")

    def __init__(self, path: str | None = None, select: tuple[str, ...] | None = None,
                 extend_select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                 severity_threshold: str | None = None,
                 severity: tuple[tuple[str, str], ...] = (),  # (selector, severity)
                 rules: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (),  # (rule code, options)
                 exclude: tuple[str, ...] = (), exit_zero: bool = False,
                 disable_ignore_pragmas: bool = False,
                 contexts: tuple[tuple[str, str], ...] = ()):  # (path pattern, context folder)
        init = object.__setattr__
        init(self, "path", path)
        init(self, "select", select)
        init(self, "extend_select", extend_select)
        init(self, "ignore", ignore)
        init(self, "severity_threshold", severity_threshold)
        init(self, "severity", severity)
        init(self, "rules", rules)
        init(self, "exclude", exclude)
        init(self, "exit_zero", exit_zero)
        init(self, "disable_ignore_pragmas", disable_ignore_pragmas)
        init(self, "contexts", contexts)

    @property
    def directory(self) -> Path:
        return Path(self.path).parent if self.path else Path.cwd()

    def excludes(self, path: Path) -> bool:
        """Whether a discovered path matches an ``exclude`` pattern (relative to the config)."""
        if not self.exclude:
            return False
        try:
            rel = path.resolve().relative_to(self.directory.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        for pattern in self.exclude:
            pattern = pattern.strip("/")
            for candidate in prefixes:
                if fnmatch.fnmatchcase(candidate, pattern):
                    return True
            if "/" not in pattern and any(fnmatch.fnmatchcase(p, pattern) for p in parts):
                return True
        return False


    def context_for(self, path: Path) -> str | None:
        """The build context folder the ``contexts`` table names for a Dockerfile (the
        first pattern matching its path relative to the config file, as ``exclude``
        patterns match), resolved against the config's folder; None if none does."""
        if not self.contexts:
            return None
        try:
            rel = path.resolve().relative_to(self.directory.resolve()).as_posix()
        except ValueError:
            return None
        for pattern, folder in self.contexts:
            if fnmatch.fnmatchcase(rel, pattern.strip("/")):
                return os.path.normpath(os.path.join(self.directory, folder))
        return None


def _fail(path: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {problem}")


def _string_list(path: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, key, "must be a list of strings (rule codes, names, aliases or ALL)")
    return tuple(item.strip() for v in value for item in v.split(",") if item.strip())


def _check_selectors(path: str, key: str, selectors: tuple[str, ...], registry: Registry) -> None:
    for selector in selectors:
        if not registry.resolve(selector):
            raise _fail(path, key, f"unknown rule {selector!r} (use a rule code, name, alias or ALL; see `dlint rules`)")


def _check_option(path: str, key: str, value: Any, expected: Any) -> None:
    problem = option_problem(value, expected)
    if problem:
        raise _fail(path, key, problem)


def parse_config(data: dict[str, Any], path: str, registry: Registry) -> Config:
    """Validate a ``[tool.dlint]`` / ``.dlint.toml`` table."""
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise _fail(path, unknown[0], f"unknown key (allowed: {', '.join(KEYS)})")
    select = None
    if "select" in data:
        select = _string_list(path, "select", data["select"])
        _check_selectors(path, "select", select, registry)
    extend_select = _string_list(path, "extend-select", data.get("extend-select", []))
    _check_selectors(path, "extend-select", extend_select, registry)
    ignore = _string_list(path, "ignore", data.get("ignore", []))
    _check_selectors(path, "ignore", ignore, registry)
    threshold = data.get("severity-threshold")
    if threshold is not None and threshold not in SEVERITIES:
        raise _fail(path, "severity-threshold", f"{threshold!r} is not one of {', '.join(SEVERITIES)}")
    severity_table = data.get("severity", {})
    if not isinstance(severity_table, dict):
        raise _fail(path, "severity", "must be a table of rule = \"error|warning|info|style\"")
    severity: list[tuple[str, str]] = []
    for selector, level in severity_table.items():
        _check_selectors(path, f"severity.{selector}", (selector,), registry)
        if level not in SEVERITIES:
            raise _fail(path, f"severity.{selector}", f"{level!r} is not one of {', '.join(SEVERITIES)}")
        severity.append((selector, level))
    rules_table = data.get("rules", {})
    if not isinstance(rules_table, dict):
        raise _fail(path, "rules", "must be a table of [rules.<rule-name>] tables")
    rules: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    for selector, options in rules_table.items():
        key = f"rules.{selector}"
        rule = registry.get(selector)
        if rule is None or selector.upper() == "ALL":
            raise _fail(path, key, f"unknown rule {selector!r} (use a rule name or code; see `dlint rules`)")
        shared = registry.resolve(selector)
        if len(shared) > 1 and selector.lower() not in (rule.code.lower(), rule.name.lower()):
            names = ", ".join(r.name for r in shared)
            raise _fail(path, key, f"{selector!r} is an alias of several rules ({names}): options belong "
                                   "to one rule, name it")
        if not isinstance(options, dict):
            raise _fail(path, key, "must be a table of options")
        for option, value in options.items():
            if option not in rule.options:
                allowed = ", ".join(rule.options) or "none"
                raise _fail(path, f"{key}.{option}", f"unknown option for {rule.code} {rule.name} (allowed: {allowed})")
            _check_option(path, f"{key}.{option}", value, rule.options[option])
        rules.append((rule.code, tuple(options.items())))
    exclude = _string_list(path, "exclude", data.get("exclude", []))
    flags = {}
    for key in ("exit-zero", "disable-ignore-pragmas"):
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise _fail(path, key, f"must be true or false, got {value!r}")
        flags[key.replace("-", "_")] = value
    contexts_table = data.get("contexts", {})
    if not isinstance(contexts_table, dict) or not all(isinstance(v, str) for v in contexts_table.values()):
        raise _fail(path, "contexts", 'must be a table of "<Dockerfile path pattern>" = "<context folder>"')
    contexts = tuple(contexts_table.items())
    return Config(path, select, extend_select, ignore, threshold, tuple(severity), tuple(rules), exclude,
                  contexts=contexts, **flags)


def load_config(path: str | os.PathLike[str], registry: Registry, warn=None) -> Config:
    """Read one config file: ``pyproject.toml`` uses ``[tool.dlint]``, a ``.yaml``/``.yml``
    file is hadolint's (warnings go to ``warn``, default stderr), anything else is top level."""
    path_str = os.fspath(path)
    from dlint.lint.hadolint_config import is_hadolint_config

    if is_hadolint_config(path_str):
        from dlint.lint.hadolint_config import load_hadolint_config

        return load_hadolint_config(path_str, registry, warn)
    try:
        from dlint._io import read_source

        raw = read_source(path_str)
    except FileNotFoundError:
        raise ConfigError(f"{path_str}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path_str}: cannot read config: {exc.strerror or exc}") from None
    try:
        data = _toml_loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path_str}: not UTF-8 text") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path_str}: invalid TOML: {exc}") from None
    if os.path.basename(path_str) == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("dlint", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise _fail(path_str, "tool.dlint", "must be a table")
    return parse_config(data, path_str, registry)


def _has_dlint_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if "tool.dlint" not in text and "[tool]" not in text:  # cheap pre-check before parsing
        return False
    try:
        tool = _toml_loads(text).get("tool", {})
    except ValueError:
        return "[tool.dlint" in text  # let load_config report the TOML error
    return isinstance(tool, dict) and "dlint" in tool


class ConfigFinder:
    """Finds and loads the config for each directory, caching both per directory."""

    def __init__(self, registry: Registry, override: str | os.PathLike[str] | None = None,
                 hadolint: bool = True, warn=None):
        """``hadolint``: fall back on hadolint's config search (from the current directory
        and the home directory) where no dlint config applies. ``warn``: where the lines
        about skipped hadolint settings go (default stderr)."""
        self.registry = registry
        self._warn = warn
        self._override = load_config(override, registry, warn) if override is not None else None
        self._by_dir: dict[Path, Config] = {}
        self._by_file: dict[str, Config] = {}
        self._hadolint = hadolint
        self._fallback: Config | None = None

    def config_file_for(self, directory: Path) -> Path | None:
        for d in (directory, *directory.parents):
            candidate = d / ".dlint.toml"
            if candidate.is_file():
                return candidate
            candidate = d / "pyproject.toml"
            if candidate.is_file() and _has_dlint_table(candidate):
                return candidate
        return None

    def for_directory(self, directory: str | os.PathLike[str]) -> Config:
        if self._override is not None:
            return self._override
        key = Path(os.path.abspath(directory))
        config = self._by_dir.get(key)
        if config is None:
            found = self.config_file_for(key)
            if found is None:
                config = self.fallback()
            else:
                config = self._by_file.get(str(found))
                if config is None:
                    config = self._by_file[str(found)] = load_config(found, self.registry)
            self._by_dir[key] = config
        return config

    def fallback(self) -> Config:
        """The config where no dlint config applies: hadolint's, if it finds one, else the defaults."""
        if self._fallback is None:
            found = None
            # DLINT_NO_HADOLINT_CONFIG=1: never read one (the test suite sets it, so a
            # developer's ~/.hadolint.yaml cannot change what the tests see)
            if self._hadolint and os.environ.get("DLINT_NO_HADOLINT_CONFIG", "") in ("", "0"):
                from dlint.lint.hadolint_config import find_hadolint_config

                found = find_hadolint_config()
            self._fallback = Config() if found is None else load_config(found, self.registry, self._warn)
        return self._fallback

    def for_file(self, path: str | os.PathLike[str]) -> Config:
        return self.for_directory(os.path.dirname(os.path.abspath(path)))


class SelectedRule:
    """A rule selected to run, with its options and severity. The rule (a RuleRef for a
    built-in) is instantiated, and so its module imported, only when first needed."""

    __slots__ = ("rule", "options", "severity", "_instance")

    def __init__(self, rule: Any, options: dict[str, Any], severity: str | None):
        self.rule = rule
        self.options = options
        self.severity = severity
        self._instance: Rule | None = None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(getattr(self.rule, "keywords", ()))

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(getattr(self.rule, "triggers", ()))

    @property
    def checks_broken_files(self) -> bool:
        return bool(self.rule.checks_broken_files)

    @property
    def reads_triggers(self) -> bool:
        return bool(getattr(self.rule, "reads_triggers", False))

    @property
    def reads_pragmas(self) -> bool:
        return bool(getattr(self.rule, "reads_pragmas", False))

    @property
    def prepares(self) -> bool:
        """Whether the rule has a prepare() (a RuleRef knows without importing the rule)."""
        flag = getattr(self.rule, "__dict__", {}).get("prepares")
        if isinstance(flag, bool):
            return flag
        from dlint.lint.registry import rule_prepares

        return rule_prepares(self.rule)

    def instance(self) -> Rule:
        if self._instance is None:
            self._instance = self.rule(self.options, self.severity)
        return self._instance

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SelectedRule):
            return NotImplemented
        return (self.rule, self.options, self.severity) == (other.rule, other.options, other.severity)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SelectedRule({self.code})"


class RuleSet(Record):
    """The rules to run under one Config plus command-line overrides (SelectedRule each,
    instantiated on first use; ``rules`` instantiates them all)."""

    _fields = ("selected", "severity_threshold", "severity_overrides", "exit_zero", "disable_ignore_pragmas",
               "subcode_filters")

    def __init__(self, selected: list[SelectedRule] | None = None, severity_threshold: str = "style",
                 severity_overrides: dict[str, str] | None = None, exit_zero: bool = False,
                 disable_ignore_pragmas: bool = False,
                 subcode_filters: dict[str, tuple[bool, frozenset[str]]] | None = None):
        self.selected = [] if selected is None else selected
        self.severity_threshold = severity_threshold
        # code -> severity (a rule's code, or one of its subcodes: "SC2086")
        self.severity_overrides = {} if severity_overrides is None else severity_overrides
        self.exit_zero = exit_zero
        self.disable_ignore_pragmas = disable_ignore_pragmas
        # rule code -> (all subcodes but `codes` | only `codes`), for rules with subcodes
        # selected or ignored one subcode at a time; absent: every subcode
        self.subcode_filters = {} if subcode_filters is None else subcode_filters
        self.registry: Registry | None = None  # the rules selectors were resolved against

    @property
    def rules(self) -> list[Rule]:
        return [selected.instance() for selected in self.selected]

    def allows(self, rule_code: str, code: str) -> bool:
        """Whether a finding with `code` from the rule `rule_code` is selected."""
        if code == rule_code:
            return True
        selection = self.subcode_filters.get(rule_code)
        if selection is None:
            return True
        everything_but, codes = selection
        return (code not in codes) if everything_but else (code in codes)

    def severity_for(self, rule_code: str, code: str) -> str | None:
        """The configured severity of a finding: its code's, else its rule's; None if none."""
        level = self.severity_overrides.get(code)
        if level is None and code != rule_code:
            level = self.severity_overrides.get(rule_code)
        return level


class _Selection:
    """A set of rules, some of them (rules with subcodes) restricted to or stripped of
    single subcodes: selecting SC2086 selects the ShellCheck rule for that code only,
    ignoring SC2086 keeps it for every other code."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.whole: set[str] = set()               # rule codes, every subcode
        self.only: dict[str, set[str]] = {}        # rule code -> the only subcodes
        self.minus: dict[str, set[str]] = {}       # rule code -> subcodes taken out

    def _parts(self, selector: str):
        owner = self.registry.subcode_owner(selector)
        if owner is not None:
            return [(owner.code, selector.strip().upper())]
        return [(rule.code, None) for rule in self.registry.resolve(selector)]

    def add(self, selectors) -> None:
        for selector in selectors:
            for code, sub in self._parts(selector):
                if sub is None:
                    self.whole.add(code)
                    self.only.pop(code, None)
                    self.minus.pop(code, None)
                elif code in self.whole:
                    self.minus.get(code, set()).discard(sub)
                else:
                    self.only.setdefault(code, set()).add(sub)

    def remove(self, selectors) -> None:
        for selector in selectors:
            for code, sub in self._parts(selector):
                if sub is None:
                    self.whole.discard(code)
                    self.only.pop(code, None)
                    self.minus.pop(code, None)
                elif code in self.whole:
                    self.minus.setdefault(code, set()).add(sub)
                elif code in self.only:
                    self.only[code].discard(sub)
                    if not self.only[code]:
                        del self.only[code]

    def codes(self) -> set[str]:
        return self.whole | set(self.only)

    def filters(self) -> dict[str, tuple[bool, frozenset[str]]]:
        out = {code: (True, frozenset(subs)) for code, subs in self.minus.items() if subs}
        out.update({code: (False, frozenset(subs)) for code, subs in self.only.items()})
        return out


def resolve_rules(
    registry: Registry,
    config: Config,
    cli_select: list[str] | None = None,
    cli_ignore: list[str] | None = None,
    cli_threshold: str | None = None,
) -> RuleSet:
    """Apply the selection order documented above; selectors are validated by the caller."""
    selection = _Selection(registry)
    selection.add(r.code for r in registry.rules if r.enabled)
    if config.select is not None:
        selection = _Selection(registry)
        selection.add(config.select)
    selection.add(config.extend_select)
    selection.remove(config.ignore)
    if cli_select:
        selection = _Selection(registry)
        selection.add(cli_select)
    selection.remove(cli_ignore or ())
    selected = selection.codes()
    overrides: dict[str, str] = {}
    for selector, level in config.severity:
        owner = registry.subcode_owner(selector)
        if owner is not None:
            overrides[selector.strip().upper()] = level
            continue
        for rule in registry.resolve(selector):
            overrides[rule.code] = level
    options = dict(config.rules)
    rules = [
        SelectedRule(rule, dict(options.get(rule.code, ())), overrides.get(rule.code))
        for rule in registry.rules
        if rule.code in selected
    ]
    threshold = cli_threshold or config.severity_threshold or "style"
    rule_set = RuleSet(rules, threshold, overrides, config.exit_zero, config.disable_ignore_pragmas,
                       selection.filters())
    rule_set.registry = registry  # what pragma items name (Rule.reads_pragmas)
    return rule_set


def split_selectors(values: list[str] | None) -> list[str]:
    """``--select A,B --select C`` -> ["A", "B", "C"]."""
    return [item.strip() for v in values or () for item in v.split(",") if item.strip()]
