"""hadolint's configuration file (``.hadolint.yaml`` / ``.hadolint.yml``), read as dlint's.

Used when no dlint configuration applies (no ``.dlint.toml`` or ``[tool.dlint]`` up from
the linted file, no ``--config``), found where hadolint 2.15.1 looks, first hit wins:

    1. ./.hadolint.yaml, ./.hadolint.yml                      (the current directory)
    2. $XDG_CONFIG_HOME/hadolint.yaml, .yml
    3. ~/.hadolint/hadolint.yaml, .yml, ~/.hadolint/config.yaml, .yml
    4. ~/.hadolint.yaml, ~/.hadolint.yml

``--config FILE.yaml`` reads one explicitly. The keys translate to dlint's
(``translate``), and the result is validated like a ``.dlint.toml``:

    ignored: [DL3008]                 -> ignore = ["DL3008"]
    override: {error: [DL3015], ...}  -> [severity] DL3015 = "error" (style, info,
                                         warning, then error: error wins, as in hadolint);
                                         a rule off by default is switched on
    failure-threshold: warning        -> severity-threshold = "warning" (none/ignore: "style")
    no-fail: true                     -> exit-zero = true
    disable-ignore-pragma: true       -> disable-ignore-pragmas = true
    trustedRegistries: [r.io]         -> [rules.<rule aliased DL3026>] registries = [...]
    label-schema: {k: url, d: text}   -> labels = ["k", "d"] for the rules aliased DL3049
                                         (required) and DL3051 (not empty); labels = ["k"]
                                         for DL3052 (url; DL3053 rfc3339, DL3054 spdx,
                                         DL3055 hash, DL3056 semver, DL3058 email alike)
    strict-labels: true               -> allowed = ["k", "d"] for the rule aliased DL3050

A rule that takes such an option and is off by default is switched on, as hadolint runs
these rules whenever they are configured.

A hadolint code that no dlint rule aliases (a removed rule such as DL3005, or a typo)
is skipped with one warning line, as are keys dlint does not use (format, no-color,
verbose) and unknown keys: hadolint itself ignores unknown keys, so a file it accepts
must not stop dlint. A file that is not YAML, or a value of the wrong type, is an error.

YAML is read with PyYAML, imported only when such a file exists (startup).
"""

from __future__ import annotations

import os
from pathlib import Path

from dlint.lint.finding import SEVERITIES

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from dlint.lint.registry import Registry

NAMES = (".hadolint.yaml", ".hadolint.yml")
# keys hadolint knows that have no dlint config equivalent (command-line matters in dlint)
NOT_USED = {
    "format": "use `dlint check --format`",
    "formats": "use `dlint check --format`",
    "no-color": "dlint colours only a terminal, and honours NO_COLOR",
    "verbose": "dlint has no verbose mode",
}
LABEL_TYPES = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")
# label-schema type -> the hadolint code that checks a label's value has that form
LABEL_TYPE_CODES = {"url": "DL3052", "rfc3339": "DL3053", "spdx": "DL3054", "hash": "DL3055",
                    "semver": "DL3056", "email": "DL3058"}
OVERRIDE_ORDER = ("style", "info", "warning", "error")  # later wins, as in hadolint
THRESHOLDS = {**{s: s for s in SEVERITIES}, "none": "style", "ignore": "style"}


def is_hadolint_config(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith((".yaml", ".yml"))


def search_paths(cwd: str | os.PathLike[str] | None = None,
                 environ: dict[str, str] | None = None) -> list[Path]:
    """hadolint's candidate config files, in its order."""
    env = os.environ if environ is None else environ
    here = Path(cwd if cwd is not None else os.getcwd())
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    candidates = [here / name for name in NAMES]
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg:
        candidates += [Path(xdg) / "hadolint.yaml", Path(xdg) / "hadolint.yml"]
    candidates += [home / ".hadolint" / f"{stem}.{ext}" for stem in ("hadolint", "config") for ext in ("yaml", "yml")]
    candidates += [home / name for name in NAMES]
    return candidates


def find_hadolint_config(cwd: str | os.PathLike[str] | None = None,
                         environ: dict[str, str] | None = None) -> Path | None:
    for candidate in search_paths(cwd, environ):
        if candidate.is_file():
            return candidate
    return None


def read_yaml(path: str) -> dict[str, Any]:
    """The file's top-level mapping; ConfigError for unreadable or non-YAML content."""
    from dlint.lint.config import ConfigError

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        raise ConfigError(f"{path}: reading a hadolint config needs PyYAML (pip install pyyaml)") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a YAML mapping of hadolint options")
    return data


class Translation:
    """A hadolint config as dlint config data (``.dlint.toml`` keys), plus the warnings
    (one line each) and notes for ``dlint config migrate``."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.warnings: list[str] = []


def _codes(path: str, key: str, value: Any) -> list[str]:
    from dlint.lint.config import ConfigError

    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise ConfigError(f"{path}: {key}: must be a list of rule codes")
    return [str(v).strip() for v in value if str(v).strip()]


def _bool(path: str, key: str, value: Any) -> bool:
    from dlint.lint.config import ConfigError

    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.lower() in ("true", "yes", "1")
    raise ConfigError(f"{path}: {key}: must be true or false, got {value!r}")


def _label_schema(path: str, value: Any) -> dict[str, str]:
    from dlint.lint.config import ConfigError

    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f"{path}: label-schema: must map label names to one of {', '.join(LABEL_TYPES)}")
    bad = [f"{k}: {v}" for k, v in value.items() if v not in LABEL_TYPES]
    if bad:
        raise ConfigError(f"{path}: label-schema: {bad[0]!r}: the type must be one of {', '.join(LABEL_TYPES)}")
    return dict(value)


def translate(data: dict[str, Any], path: str, registry: Registry) -> Translation:
    """hadolint keys -> dlint config data; raises ConfigError on a value of the wrong type."""
    from dlint.lint.config import ConfigError

    out = Translation()
    warn = out.warnings.append

    def known(code: str, key: str) -> bool:
        if registry.resolve(code) and code.upper() != "ALL":
            return True
        warn(f"{path}: {key}: no dlint rule has the code or alias {code!r}; skipped")
        return False

    enable: list[str] = []

    def set_option(key: str, alias: str, option: str, setting: Any) -> None:
        """[rules.<name>] option = setting, for every rule aliased `alias` that takes it;
        a rule off by default is switched on (hadolint runs these whenever configured)."""
        rules = [r for r in registry.resolve(alias) if option in (getattr(r, "options", None) or {})]
        if not rules:
            warn(f"{path}: {key}: no dlint rule with alias {alias} takes the option {option!r}; skipped")
            return
        for rule in rules:
            out.data.setdefault("rules", {}).setdefault(rule.name, {})[option] = setting
            if not rule.enabled:
                enable.append(rule.name)

    strict = _bool(path, "strict-labels", data["strict-labels"]) if "strict-labels" in data else False
    if strict and not data.get("label-schema"):
        warn(f"{path}: strict-labels: without a label-schema there is no list of allowed labels; skipped")
    for key, value in data.items():
        if key == "ignored":
            codes = [c for c in _codes(path, key, value) if known(c, key)]
            if codes:
                out.data["ignore"] = codes
        elif key == "override":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: override: must map error/warning/info/style to lists of codes")
            severity: dict[str, str] = {}
            for level in value:
                if level not in OVERRIDE_ORDER:
                    warn(f"{path}: override.{level}: not a severity (error, warning, info, style); skipped")
            for level in OVERRIDE_ORDER:
                for code in _codes(path, f"override.{level}", value.get(level)):
                    if known(code, f"override.{level}"):
                        severity.pop(code, None)  # re-insert: the last level wins
                        severity[code] = level
                        if not all(rule.enabled for rule in registry.resolve(code)):
                            enable.append(code)  # hadolint's off rules are on once given a severity
            if severity:
                out.data["severity"] = severity
        elif key == "failure-threshold":
            if not isinstance(value, str) or value.lower() not in THRESHOLDS:
                raise ConfigError(f"{path}: failure-threshold: {value!r} is not one of "
                                  f"{', '.join(THRESHOLDS)}")
            out.data["severity-threshold"] = THRESHOLDS[value.lower()]
        elif key == "no-fail":
            if _bool(path, key, value):
                out.data["exit-zero"] = True
        elif key == "disable-ignore-pragma":
            if _bool(path, key, value):
                out.data["disable-ignore-pragmas"] = True
        elif key == "trustedRegistries":
            registries = _codes(path, key, value)  # str or [str]
            if registries:
                set_option(key, "DL3026", "registries", registries)
        elif key == "label-schema":
            schema = _label_schema(path, value)
            if not schema:
                continue
            everything = list(schema)
            set_option(key, "DL3049", "labels", everything)   # required
            set_option(key, "DL3051", "labels", everything)   # not empty
            for kind, code in LABEL_TYPE_CODES.items():      # well-formed
                keys = [k for k, v in schema.items() if v == kind]
                if keys:
                    set_option(key, code, "labels", keys)
            if strict:
                set_option("strict-labels", "DL3050", "allowed", everything)
        elif key == "strict-labels":
            pass  # read with label-schema (above): it only means something with a schema
        elif key in NOT_USED:
            warn(f"{path}: {key}: not read by dlint ({NOT_USED[key]}); skipped")
        else:
            warn(f"{path}: {key}: unknown hadolint option; skipped")
    if enable:
        out.data["extend-select"] = list(dict.fromkeys(enable))
    return out


def load_hadolint_config(path: str | os.PathLike[str], registry: Registry,
                         warn: Callable[[str], None] | None = None):
    """A Config from a hadolint YAML file; warnings go to ``warn`` (default: stderr)."""
    from dlint.lint.config import parse_config

    path_str = os.fspath(path)
    translation = translate(read_yaml(path_str), path_str, registry)
    for line in translation.warnings:
        if warn is None:
            import sys

            print(f"dlint: warning: {line}", file=sys.stderr)
        else:
            warn(line)
    return parse_config(translation.data, path_str, registry)


# -- dlint config migrate -----------------------------------------------------------------


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def to_toml(translation: Translation, source: str) -> str:
    """The ``.dlint.toml`` text for a translated hadolint config, skipped items as comments."""
    data = translation.data
    lines = [f"# .dlint.toml migrated from {source} by `dlint config migrate`",
             "# hadolint codes stay valid here: every dlint rule answers to its hadolint alias."]
    lines += [f"# skipped: {w.split(': ', 1)[-1].removesuffix('; skipped')}" for w in translation.warnings]
    lines.append("")
    for key in ("extend-select", "ignore", "severity-threshold", "exit-zero", "disable-ignore-pragmas"):
        if key in data:
            lines.append(f"{key} = {_toml_value(data[key])}")
    if data.get("severity"):
        lines += ["", "[severity]"]
        lines += [f"{_toml_key(code)} = {_toml_value(level)}" for code, level in data["severity"].items()]
    for name, options in data.get("rules", {}).items():
        lines += ["", f"[rules.{_toml_key(name)}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in options.items()]
    return "\n".join(lines).rstrip() + "\n"


def migrate(path: str | os.PathLike[str] | None, registry: Registry) -> str:
    """``dlint config migrate [PATH]``: the .dlint.toml equivalent of a hadolint config
    (default: the one hadolint would read here). Raises ConfigError."""
    from dlint.lint.config import ConfigError, parse_config

    if path is None:
        found = find_hadolint_config()
        if found is None:
            raise ConfigError("no hadolint config found (looked for " +
                              ", ".join(str(p) for p in search_paths()) + ")")
        path = found
    path_str = os.fspath(path)
    translation = translate(read_yaml(path_str), path_str, registry)
    text = to_toml(translation, path_str)
    from dlint.lint.config import _toml_loads

    parse_config(_toml_loads(text), ".dlint.toml (migrated)", registry)  # what we print is valid
    return text
