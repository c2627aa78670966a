"""The plugin-facing contract in-process: dlint.api, rule options declared on the rule,
where a rule comes from, and dlint.testing's per-fixture options. The installed,
end-to-end version is tests/test_plugin_example.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import dlint.api as api
from dlint.lint.config import ConfigError, parse_config
from dlint.lint.registry import build_registry, load_registry, validate_rule
from dlint.lint.rule import Rule
from dlint.testing import FixtureCase, FixtureError

REPO = Path(__file__).resolve().parents[1]

DOCS = """## What it does
Checks {what}.

## Why is this bad?
Because.

## Example
```dockerfile
FROM a
```
Use instead:
```dockerfile
FROM a:1
```

## Fix
Fix it.
"""


def make_rule(code="XO001", name="options-rule", module="acme_rules.options_rule", **attrs) -> type[Rule]:
    mod = types.ModuleType(module)
    mod.__doc__ = DOCS.format(what=name)
    sys.modules[module] = mod
    body = {"code": code, "name": name, "__module__": module, "check": lambda self, ctx: iter(()), **attrs}
    return type("R" + name.replace("-", "_"), (Rule,), body)


# -- dlint.api ---------------------------------------------------------------------------


def test_every_api_name_resolves_and_the_issue_list_is_covered():
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    needed = {"Rule", "Finding", "Fix", "TextEdit", "Document", "Instruction", "LintContext", "Model",
              "Stage", "ImageRef", "State", "Expansion", "Script", "SimpleCommand"}
    assert needed <= set(api.__all__)
    with pytest.raises(AttributeError):
        api.NoSuchName  # noqa: B018


def test_readme_lists_exactly_the_stable_api_names():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Stable names.**", 1)[1].split("**Deprecation policy.**", 1)[0]
    listed = set(re.findall(r"`(\w+)`", section))
    stable = set(api.__all__)
    assert stable - listed == set(), f"README 'Writing rules' does not list {sorted(stable - listed)}"
    non_api = {"__all__", "fixture_cases", "FixtureCase", "FixtureError", "format_findings", "Rule"}
    assert listed - stable - non_api == set()


def test_importing_the_api_loads_nothing_heavy():
    code = ("import sys, json; import dlint.api; from dlint.api import Rule, Finding; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('tree_sitter', 'dlint.cache', "
            "'dlint.shell', 'dlint.model', 'typing')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_a_deprecated_name_still_works_and_warns(monkeypatch):
    monkeypatch.setitem(api._DEPRECATED, "OldRule", ("Rule", "0.5"))
    with pytest.warns(DeprecationWarning, match=r"dlint.api.OldRule is deprecated .* dlint 0.5; use dlint.api.Rule"):
        assert api.OldRule is Rule


# -- options declared on the rule ------------------------------------------------------------


def test_declared_option_types_and_defaults_are_checked_at_registration():
    ok = make_rule(options={"registries": list[str], "strict": bool, "limit": int},
                   defaults={"registries": ("docker.io",), "strict": False})
    assert validate_rule(ok) == []
    bad_type = make_rule(name="bad-type", options={"when": set})
    assert any("option 'when': type" in p for p in validate_rule(bad_type))
    bad_item = make_rule(name="bad-item", options={"pairs": list[dict]})
    assert any("list items must be" in p for p in validate_rule(bad_item))
    bad_default = make_rule(name="bad-default", options={"registries": list[str]},
                            defaults={"registries": "docker.io"})
    assert validate_rule(bad_default) == ["option 'registries': default must be list[str], got 'docker.io'"]


@pytest.mark.parametrize("value, problem", [
    (["a", 1], "must be list[str], got ['a', 1]"),
    ("a", "must be list[str], got 'a'"),
    ([], None),
    (["registry.acme.example"], None),
])
def test_config_values_are_checked_against_the_declared_type(value, problem):
    rule = make_rule(options={"registries": list[str]}, defaults={"registries": []})
    registry = build_registry([rule])
    data = {"rules": {"options-rule": {"registries": value}}}
    if problem is None:
        config = parse_config(data, ".dlint.toml", registry)
        assert config.rules == (("XO001", (("registries", value),)),)
    else:
        with pytest.raises(ConfigError) as exc:
            parse_config(data, ".dlint.toml", registry)
        assert str(exc.value) == f".dlint.toml: rules.options-rule.registries: {problem}"


# -- origin --------------------------------------------------------------------------------


def test_origin_and_reserved_prefix():
    plugin = make_rule(code="XO002", name="from-plugin", module="acme_rules.plugin_one")
    df_plugin = make_rule(code="DF998", name="df-plugin", module="acme_rules.plugin_two")
    builtin_registry = load_registry(plugins=False)
    untagged = builtin_registry.get("untagged-image")
    reg = build_registry([untagged, plugin, df_plugin], distributions={plugin: "acme-rules", df_plugin: "acme-rules"})
    assert [r.code for r in reg.rules] == ["DF101", "XO002"]
    assert reg.origin(untagged) == ("builtin", "dlint-docker")
    assert reg.origin(plugin) == ("plugin", "acme-rules")
    (error,) = reg.errors
    assert error.startswith("invalid rule DF998 (plugin acme-rules, acme_rules.plugin_two.Rdf_plugin): "
                            "code 'DF998': DF codes are reserved for dlint's own rules")
    # rules passed in directly (tests) may use DF codes and have no distribution
    direct = build_registry([df_plugin])
    assert direct.errors == [] and direct.origin(df_plugin) == ("plugin", None)


def test_a_plugin_clash_names_both_sides():
    untagged = load_registry(plugins=False).get("untagged-image")
    clash = make_rule(code="DF101", name="acme-untagged", module="acme_rules.clash")
    reg = build_registry([untagged, clash], distributions={clash: "acme-clash"})
    assert reg.rules == [untagged]
    assert reg.errors == ["invalid rule DF101 (plugin acme-clash, acme_rules.clash.Racme_untagged): code 'DF101' "
                          "is already used by built-in rule untagged-image "
                          "(dlint.rules.images.untagged_image.UntaggedImage); the rule is not loaded"]


# -- dlint.testing: options per fixture --------------------------------------------------------


class Limit(Rule):
    code = "XO010"
    name = "from-limit"
    keywords = ("FROM",)
    options = {"max": int}
    defaults = {"max": 1}

    def check(self, ctx):
        stages = ctx.model.stages
        if len(stages) > self.config["max"]:
            yield self.report(ctx, stages[-1].from_instruction, f"more than {self.config['max']} stages")


def test_fixture_options_come_from_a_dlint_toml_next_to_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules[__name__].__dict__, "__doc__", DOCS.format(what="stages"))
    registry = build_registry([Limit])
    assert registry.errors == []
    folder = tmp_path / "from-limit"
    folder.mkdir()
    (folder / "good-two.Dockerfile").write_text("FROM a:1\nFROM b:1\n")
    (folder / "good-two.dlint.toml").write_text("[rules.from-limit]\nmax = 2\n")
    FixtureCase(Limit, folder / "good-two.Dockerfile", registry).check()
    (folder / "good-two.dlint.toml").unlink()
    with pytest.raises(FixtureError, match="a good fixture must give no finding"):
        FixtureCase(Limit, folder / "good-two.Dockerfile", registry).check()
    (folder / "good-two.dlint.toml").write_text("[rules.from-limit]\nmax = \"2\"\n")
    with pytest.raises(FixtureError, match=r"good-two.dlint.toml: rules.from-limit.max: must be int, got '2'"):
        FixtureCase(Limit, folder / "good-two.Dockerfile", registry).check()


SCAN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from dlint.lint.registry import load_registry
reg = load_registry()
print(json.dumps({"origins": {r.code: reg.origin(r) for r in reg.rules if r.code.startswith("XO")},
                  "errors": reg.errors}))
"""


def _dist(site: Path, dist: str, value: str) -> None:
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[dlint.rules]\nrules = {value}\n")


def test_the_entry_point_scan_carries_the_distribution(tmp_path):
    """A real importlib.metadata scan of a site folder: the rule's origin names its
    distribution, and a plugin that fails to import is named in its one-line error."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "good_rules.py").write_text(f'"""{DOCS.format(what="things")}"""\n'
                                        "from dlint.api import Rule\n\n"
                                        "class Good(Rule):\n    code = 'XO100'\n    name = 'good-rule'\n"
                                        "    def check(self, ctx):\n        return []\n")
    (site / "broken_rules.py").write_text("import not_installed_dependency\n")
    _dist(site, "good-rules", "good_rules")
    _dist(site, "broken-rules", "broken_rules")
    env = {k: v for k, v in __import__("os").environ.items() if k != "DLINT_NO_PLUGINS"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    for _ in range(2):  # cold, then through the entry-point cache
        out = subprocess.run([sys.executable, "-c", SCAN, str(site)], env=env, capture_output=True, text=True,
                             check=True)
        data = json.loads(out.stdout)
        assert data["origins"] == {"XO100": ["plugin", "good-rules"]}
        assert data["errors"] == ["cannot load rule plugin 'broken_rules': ModuleNotFoundError: No module named "
                                  "'not_installed_dependency' (plugin broken-rules)"]
