"""Moving from hadolint: aliases in every selector (one alias may name two rules),
.hadolint.yaml read as dlint's config, and `dlint config migrate`.

The rules here are test-only (a registry built in the test), so the tests pin the
machinery whatever built-in rules exist.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dlint.lint.config import ConfigError, ConfigFinder, _toml_loads, load_config, parse_config
from dlint.lint.engine import lint_paths
from dlint.lint.hadolint_config import find_hadolint_config, migrate, search_paths
from dlint.lint.registry import load_registry
from dlint.lint.rule import Rule

DOCS = "## What it does\nx.\n## Why is this bad?\ny\n## Example\nz\n## Fix\nw\n"


def make_rule(code, name, keyword, aliases=(), enabled=True, severity="warning", options=None, defaults=None):
    def check(self, ctx):
        for instruction in ctx.document.instructions:
            if instruction.keyword == keyword:
                extra = f" {sorted(self.config.items())}" if self.config else ""
                yield self.report(ctx, instruction, f"{name}{extra}")

    return type(f"Rule_{code}", (Rule,), dict(
        code=code, name=name, severity=severity, enabled=enabled, aliases=tuple(aliases),
        keywords=(keyword,), options=options or {}, defaults=defaults or {}, check=check,
        docs=classmethod(lambda cls: DOCS)))


# Two rules share DL9001 and the build-check name SharedCheck (one hadolint rule split in two).
SPLIT_A = make_rule("XM101", "split-a", "RUN", aliases=("DL9001", "SharedCheck"))
SPLIT_B = make_rule("XM102", "split-b", "RUN", aliases=("DL9001", "SharedCheck"), severity="info")
FROM_RULE = make_rule("XM103", "from-rule", "FROM", aliases=("DL9002", "FromCheck"))
OFF_RULE = make_rule("XM104", "off-rule", "FROM", aliases=("DL9003",), enabled=False)
REGISTRY_RULE = make_rule("XM105", "registry-rule", "FROM", aliases=("DL3026",), enabled=False,
                          options={"registries": list[str]}, defaults={"registries": []})
# the label rules take their lists as issue 9's label rules do (`labels`, `allowed`)
LABEL_RULE = make_rule("XM106", "label-rule", "LABEL", aliases=("DL3049",),
                       options={"labels": list[str]}, defaults={"labels": []})
STRICT_RULE = make_rule("XM107", "strict-label-rule", "LABEL", aliases=("DL3050",), enabled=False,
                        options={"allowed": list[str]}, defaults={"allowed": []})
EMPTY_RULE = make_rule("XM108", "empty-label-rule", "LABEL", aliases=("DL3051",),
                       options={"labels": list[str]}, defaults={"labels": []})
URL_RULE = make_rule("XM109", "url-label-rule", "LABEL", aliases=("DL3052",),
                     options={"labels": list[str]}, defaults={"labels": []})
RULES = [SPLIT_A, SPLIT_B, FROM_RULE, OFF_RULE, REGISTRY_RULE, LABEL_RULE, STRICT_RULE, EMPTY_RULE, URL_RULE]

DOCKERFILE = "FROM alpine:3\nRUN echo one\n"


@pytest.fixture
def registry():
    reg = load_registry(RULES, builtin=False, plugins=False)
    assert reg.errors == []
    return reg


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with a Dockerfile; cwd, HOME and XDG_CONFIG_HOME point at empty places."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.delenv("DLINT_NO_HADOLINT_CONFIG", raising=False)  # set by conftest
    work = tmp_path / "work"
    work.mkdir()
    (work / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(work)
    return work


def lint(registry, *, warnings=None, **kwargs):
    run = lint_paths(["Dockerfile"], registry=registry, **kwargs)
    assert run.errors == []
    return run, sorted((f.line, f.code, f.severity) for f in run.findings)


# -- aliases in every selector ----------------------------------------------------------


def test_a_shared_alias_resolves_to_both_rules(registry):
    assert registry.resolve("DL9001") == [SPLIT_A, SPLIT_B]
    assert registry.resolve("sharedcheck") == [SPLIT_A, SPLIT_B]
    assert registry.resolve("FromCheck") == [FROM_RULE]


@pytest.mark.parametrize("selector", ["DL9001", "SharedCheck", "dl9001"])
def test_cli_select_and_ignore_with_a_shared_alias(project, registry, selector):
    _, found = lint(registry, select=[selector])
    assert found == [(2, "XM101", "warning"), (2, "XM102", "info")]
    _, found = lint(registry, ignore=[selector])
    assert found == [(1, "XM103", "warning")]


def test_config_selectors_and_severity_by_shared_alias(project, registry):
    (project / ".dlint.toml").write_text(
        'select = ["SharedCheck", "DL9003"]\n[severity]\nDL9001 = "error"\n')
    _, found = lint(registry)
    assert found == [(1, "XM104", "warning"), (2, "XM101", "error"), (2, "XM102", "error")]
    (project / ".dlint.toml").write_text('ignore = ["DL9001"]\nextend-select = ["DL9003"]\n')
    _, found = lint(registry)
    assert found == [(1, "XM103", "warning"), (1, "XM104", "warning")]


@pytest.mark.parametrize("pragma", ["# hadolint ignore=DL9001", "# dlint: ignore=SharedCheck"])
def test_a_pragma_with_a_shared_alias_suppresses_both_rules(project, registry, pragma):
    (project / "Dockerfile").write_text(f"FROM alpine:3\n{pragma}\nRUN echo one\nRUN echo two\n")
    _, found = lint(registry)
    assert found == [(1, "XM103", "warning"), (4, "XM101", "warning"), (4, "XM102", "info")]


def test_rule_options_under_a_shared_alias_are_an_error(project, registry):
    with pytest.raises(ConfigError, match="'DL9001' is an alias of several rules \\(split-a, split-b\\)"):
        parse_config({"rules": {"DL9001": {}}}, ".dlint.toml", registry)
    assert parse_config({"rules": {"FromCheck": {}}}, ".dlint.toml", registry).rules == (("XM103", ()),)


def test_unknown_selector_on_the_command_line_is_still_an_error(project, registry):
    with pytest.raises(ConfigError, match="unknown rule 'DL9999'"):
        lint_paths(["Dockerfile"], registry=registry, select=["DL9999"])


# -- .hadolint.yaml ---------------------------------------------------------------------


def test_hadolint_search_order(tmp_path):
    home, xdg, cwd = tmp_path / "home", tmp_path / "xdg", tmp_path / "cwd"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(xdg)}
    expected = [cwd / ".hadolint.yaml", cwd / ".hadolint.yml", xdg / "hadolint.yaml", xdg / "hadolint.yml",
                home / ".hadolint" / "hadolint.yaml", home / ".hadolint" / "hadolint.yml",
                home / ".hadolint" / "config.yaml", home / ".hadolint" / "config.yml",
                home / ".hadolint.yaml", home / ".hadolint.yml"]
    assert search_paths(cwd, env) == expected
    assert find_hadolint_config(cwd, env) is None
    for path in reversed(expected):  # each candidate, once present, beats every later one
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("ignored: []\n")
        assert find_hadolint_config(cwd, env) == path


def test_hadolint_yaml_is_read_when_no_dlint_config_applies(project, registry, capsys):
    (project / ".hadolint.yaml").write_text(textwrap.dedent("""\
        ignored: [DL9002, DL3005]
        override:
          style: [DL9001]
          error: [DL9001]
          info: [DL9003]
        failure-threshold: error
        format: json
        no-such-key: 1
    """))
    run, found = lint(registry)
    # DL9003's rule is off by default: an override turns it on, as hadolint's override does
    assert found == [(1, "XM104", "info"), (2, "XM101", "error"), (2, "XM102", "error")]
    assert run.exit_code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("dlint: warning: ") for line in err)
    assert "DL3005" in err[0] and "format" in err[1] and "no-such-key" in err[2]
    # a dlint config wins: the hadolint file is not read at all
    (project / ".dlint.toml").write_text('select = ["FromCheck"]\n')
    _, found = lint(registry)
    assert found == [(1, "XM103", "warning")]
    assert capsys.readouterr().err == ""


def test_hadolint_threshold_no_fail_and_disabled_pragmas(project, registry):
    (project / "Dockerfile").write_text("# hadolint ignore=DL9002\nFROM alpine:3\n")
    (project / ".hadolint.yml").write_text("failure-threshold: error\n")
    run, found = lint(registry)
    assert found == [] and run.exit_code == 0
    (project / ".hadolint.yml").write_text("disable-ignore-pragma: true\nfailure-threshold: none\n")
    run, found = lint(registry)
    assert found == [(2, "XM103", "warning")] and run.exit_code == 1
    (project / ".hadolint.yml").write_text("disable-ignore-pragma: true\nno-fail: true\n")
    run, found = lint(registry)
    assert found == [(2, "XM103", "warning")] and run.exit_code == 0


def test_hadolint_rule_settings_go_to_the_aliased_rules_options(project, registry):
    (project / ".hadolint.yaml").write_text(textwrap.dedent("""\
        trustedRegistries: docker.io
        label-schema: {author: text, url: url}
        strict-labels: true
    """))
    (project / "Dockerfile").write_text("FROM alpine:3\nLABEL a=b\n")
    run = lint_paths(["Dockerfile"], registry=registry)
    messages = {f.code: f.message for f in run.findings}
    assert messages["XM105"] == "registry-rule [('registries', ['docker.io'])]"
    assert messages["XM106"] == "label-rule [('labels', ['author', 'url'])]"
    assert messages["XM107"] == "strict-label-rule [('allowed', ['author', 'url'])]"
    assert messages["XM108"] == "empty-label-rule [('labels', ['author', 'url'])]"
    assert messages["XM109"] == "url-label-rule [('labels', ['url'])]"


def test_strict_labels_without_a_schema_is_a_warning(project, registry, capsys):
    (project / ".hadolint.yaml").write_text("strict-labels: true\n")
    run, found = lint(registry)
    assert "strict-labels: without a label-schema" in capsys.readouterr().err


@pytest.mark.parametrize("text, fragment", [
    ("ignored: [DL9001\n", "invalid YAML"),
    ("- DL9001\n", "must be a YAML mapping"),
    ("ignored: {a: 1}\n", "ignored: must be a list of rule codes"),
    ("override: [DL9001]\n", "override: must map"),
    ("failure-threshold: fatal\n", "failure-threshold: 'fatal' is not one of"),
    ("no-fail: maybe\n", "no-fail: must be true or false"),
    ("label-schema: {author: colour}\n", "the type must be one of"),
])
def test_bad_hadolint_values_are_one_line_errors(tmp_path, registry, text, fragment):
    path = tmp_path / ".hadolint.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, registry, warn=lambda line: None)
    assert fragment in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_finder_without_hadolint_fallback(project, registry, monkeypatch):
    (project / ".hadolint.yaml").write_text("ignored: [DL9001]\n")
    assert ConfigFinder(registry, hadolint=False).for_directory(project).path is None
    monkeypatch.setenv("DLINT_NO_HADOLINT_CONFIG", "1")
    assert ConfigFinder(registry).for_directory(project).path is None
    monkeypatch.setenv("DLINT_NO_HADOLINT_CONFIG", "0")
    assert ConfigFinder(registry, warn=print).for_directory(project).path == str(project / ".hadolint.yaml")


def test_migrate_prints_an_equivalent_dlint_toml(project, registry):
    (project / ".hadolint.yaml").write_text(textwrap.dedent("""\
        ignored: [DL9002, DL3005]
        override: {warning: [DL9003]}
        trustedRegistries: [docker.io, "*.example.com"]
        label-schema: {"org.opencontainers.image.url": url}
        strict-labels: true
        no-fail: yes
        verbose: true
    """))
    text = migrate(None, registry)
    data = _toml_loads(text)
    assert data == {
        "extend-select": ["DL9003", "registry-rule", "strict-label-rule"], "ignore": ["DL9002"],
        "exit-zero": True, "severity": {"DL9003": "warning"},
        "rules": {"registry-rule": {"registries": ["docker.io", "*.example.com"]},
                  "label-rule": {"labels": ["org.opencontainers.image.url"]},
                  "empty-label-rule": {"labels": ["org.opencontainers.image.url"]},
                  "url-label-rule": {"labels": ["org.opencontainers.image.url"]},
                  "strict-label-rule": {"allowed": ["org.opencontainers.image.url"]}},
    }
    assert "# skipped: ignored: no dlint rule has the code or alias 'DL3005'" in text
    assert "# skipped: verbose: not read by dlint" in text
    # the printed file behaves like the YAML it replaces
    yaml_config = load_config(project / ".hadolint.yaml", registry, warn=lambda line: None)
    toml_config = parse_config(data, ".dlint.toml", registry)
    assert {k: v for k, v in vars(yaml_config).items() if k != "path"} == \
        {k: v for k, v in vars(toml_config).items() if k != "path"}


def test_migrate_without_a_hadolint_config(project, registry):
    with pytest.raises(ConfigError, match="no hadolint config found"):
        migrate(None, registry)


def test_config_migrate_command(project):
    (project / "hl.yaml").write_text("ignored: [DL3006]\nfailure-threshold: warning\n")
    proc = subprocess.run([sys.executable, "-m", "dlint", "config", "migrate", "hl.yaml"],
                          capture_output=True, text=True, cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert _toml_loads(proc.stdout) == {"ignore": ["DL3006"], "severity-threshold": "warning"}
    proc = subprocess.run([sys.executable, "-m", "dlint", "config", "migrate", "missing.yaml"],
                          capture_output=True, text=True, cwd=project)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "missing.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_reads_a_hadolint_yaml_given_with_config(project):
    """Through the real CLI (fast path) and the built-in rules: DL3006 is untagged-image."""
    (project / "Dockerfile").write_text("FROM ubuntu\n")
    (project / "hl.yml").write_text("ignored: [DL3006, DL3005]\nno-such-key: 1\n")
    base = [sys.executable, "-m", "dlint", "check", "--format", "json"]
    proc = subprocess.run(base + ["Dockerfile"], capture_output=True, text=True, cwd=project)
    assert proc.returncode == 1 and '"DF101"' in proc.stdout and proc.stderr == ""
    proc = subprocess.run(base + ["--config", "hl.yml", "Dockerfile"], capture_output=True, text=True,
                          cwd=project)
    assert proc.returncode in (0, 1) and '"DF101"' not in proc.stdout, proc.stderr
    assert [line.split(": ", 3)[-1] for line in proc.stderr.splitlines()] == [
        "ignored: no dlint rule has the code or alias 'DL3005'; skipped",
        "no-such-key: unknown hadolint option; skipped"]
