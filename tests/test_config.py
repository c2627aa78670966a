"""Configuration files: discovery, validation, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlint.lint.config import ConfigError, ConfigFinder, load_config, resolve_rules
from dlint.lint.registry import load_registry
from dlint.lint.rule import Rule

DOCS = "## What it does\nx.\n## Why is this bad?\ny\n## Example\nz\n## Fix\nw\n"


class OptionRule(Rule):
    code = "XC001"
    name = "option-rule"
    aliases = ("DL9101",)
    options = {"max-lines": int, "allowed": list[str], "strict": bool}
    defaults = {"max-lines": 10, "allowed": [], "strict": False}

    @classmethod
    def docs(cls):
        return DOCS

    def check(self, ctx):
        return []


class OtherRule(OptionRule):
    code = "XC002"
    name = "other-rule"
    aliases = ()
    options = {}
    defaults = {}
    enabled = False


@pytest.fixture
def registry():
    reg = load_registry([OptionRule, OtherRule], builtin=False, plugins=False)
    assert reg.errors == []
    return reg


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_nearest_config_wins_and_dlint_toml_beats_pyproject(tmp_path, registry):
    write(tmp_path / ".dlint.toml", 'ignore = ["XC001"]\n')
    write(tmp_path / "a" / "pyproject.toml", '[tool.dlint]\nselect = ["ALL"]\n')
    write(tmp_path / "a" / "b" / "pyproject.toml", '[project]\nname = "x"\n')  # no [tool.dlint]: skipped
    write(tmp_path / "c" / "pyproject.toml", '[tool.dlint]\nselect = ["XC002"]\n')
    write(tmp_path / "c" / ".dlint.toml", 'select = ["XC001"]\n')
    finder = ConfigFinder(registry)
    assert finder.for_directory(tmp_path / "x").path == str(tmp_path / ".dlint.toml")
    assert finder.for_directory(tmp_path / "a" / "b").path == str(tmp_path / "a" / "pyproject.toml")
    assert finder.for_directory(tmp_path / "a" / "b").select == ("ALL",)
    assert finder.for_file(tmp_path / "c" / "Dockerfile").select == ("XC001",)
    # the nearest file wins outright: no merge with the parent's ignore
    assert finder.for_directory(tmp_path / "a").ignore == ()


def test_no_config_anywhere_gives_defaults(tmp_path, registry):
    # Discovery walks up to /: a config in a parent of tmp_path (/tmp/.dlint.toml, a
    # pyproject.toml with [tool.dlint] in /) would apply here, and that is right.
    finder = ConfigFinder(registry)
    found = finder.config_file_for(tmp_path.parent)
    if found is not None:
        pytest.skip(f"{found} applies to every directory under it: no config-free folder to test in")
    config = finder.for_directory(tmp_path)
    assert config.path is None and config.select is None


def test_override_replaces_discovery(tmp_path, registry):
    write(tmp_path / ".dlint.toml", 'ignore = ["XC001"]\n')
    override = write(tmp_path / "elsewhere" / "custom.toml", 'select = ["other-rule"]\n')
    finder = ConfigFinder(registry, override)
    assert finder.for_directory(tmp_path).select == ("other-rule",)


def test_full_config_is_parsed(tmp_path, registry):
    path = write(tmp_path / "pyproject.toml", """
[tool.dlint]
select = ["ALL"]
extend-select = ["DL9101"]
ignore = ["other-rule"]
severity-threshold = "warning"
exclude = ["vendor", "**/testdata/*"]

[tool.dlint.severity]
DL9101 = "error"

[tool.dlint.rules.option-rule]
max-lines = 3
allowed = ["a", "b"]
strict = true
""")
    config = load_config(path, registry)
    assert config.select == ("ALL",) and config.extend_select == ("DL9101",) and config.ignore == ("other-rule",)
    assert config.severity_threshold == "warning"
    assert config.severity == (("DL9101", "error"),)
    rule_set = resolve_rules(registry, config)
    assert [r.code for r in rule_set.rules] == ["XC001"]
    rule = rule_set.rules[0]
    assert rule.config == {"max-lines": 3, "allowed": ["a", "b"], "strict": True}
    assert rule.effective_severity == "error" and rule_set.severity_threshold == "warning"
    assert resolve_rules(registry, config, cli_threshold="style").severity_threshold == "style"
    assert config.excludes(tmp_path / "vendor" / "x" / "Dockerfile")
    assert config.excludes(tmp_path / "a" / "testdata" / "Dockerfile")
    assert not config.excludes(tmp_path / "src" / "Dockerfile")


@pytest.mark.parametrize("text, key, fragment", [
    ('selct = ["ALL"]\n', "selct", "unknown key (allowed: select, extend-select, ignore"),
    ('select = "XC001,nope"\n', "select", "unknown rule 'nope'"),
    ("select = [1]\n", "select", "must be a list of strings"),
    ('ignore = ["DL0000"]\n', "ignore", "unknown rule 'DL0000'"),
    ('severity-threshold = "fatal"\n', "severity-threshold", "'fatal' is not one of error, warning, info, style"),
    ('[severity]\nXC001 = "high"\n', "severity.XC001", "'high' is not one of"),
    ('[severity]\nnope = "error"\n', "severity.nope", "unknown rule 'nope'"),
    ('[rules.nope]\nx = 1\n', "rules.nope", "unknown rule 'nope'"),
    ('[rules.option-rule]\nmax-line = 1\n', "rules.option-rule.max-line", "allowed: max-lines, allowed, strict"),
    ('[rules.option-rule]\nmax-lines = "3"\n', "rules.option-rule.max-lines", "must be int"),
    ('[rules.option-rule]\nstrict = 1\n', "rules.option-rule.strict", "must be bool"),
    ('[rules.option-rule]\nallowed = [1]\n', "rules.option-rule.allowed", "must be list[str]"),
    ('[rules.other-rule]\nanything = 1\n', "rules.other-rule.anything", "(allowed: none)"),
    ('select = [\n', None, "invalid TOML"),
])
def test_bad_config_is_one_clear_line(tmp_path, registry, text, key, fragment):
    path = write(tmp_path / ".dlint.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path, registry)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    if key:
        assert f": {key}: " in message
    assert fragment in message, message


def test_bad_tool_dlint_table_in_pyproject(tmp_path, registry):
    path = write(tmp_path / "pyproject.toml", '[tool]\ndlint = "yes"\n')
    with pytest.raises(ConfigError, match="tool.dlint: must be a table"):
        load_config(path, registry)


def test_missing_and_non_utf8_config(tmp_path, registry):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml", registry)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"select = ['\xff']\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad, registry)
