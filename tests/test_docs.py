"""Generated rule docs (pages, index, README table) match the registry: docs match behaviour."""

from __future__ import annotations

from pathlib import Path

from dlint import docsgen
from dlint.lint.registry import load_registry, rule_class

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def test_rule_pages_index_and_readme_table_are_generated_and_fresh():
    """docs/rules/<CODE>.md, docs/rules/index.md and the README table come from the rules'
    docstrings; after adding or changing a rule, run `python -m dlint.docsgen`."""
    stale = [str(p.relative_to(REPO)) for p in docsgen.stale_files()]
    assert not stale, f"stale generated docs (run `python -m dlint.docsgen`): {stale}"


def test_generated_docs_cover_every_builtin_rule():
    registry = load_registry(plugins=False)
    readme = README.read_text()
    index = (REPO / "docs" / "rules" / "index.md").read_text()
    for rule in registry.rules:
        page = (REPO / "docs" / "rules" / f"{rule.code}.md").read_text()
        assert page.splitlines()[1] == f"# {rule.code} {rule.name}"
        assert rule.doc_section("Why is this bad?").splitlines()[0] in page
        assert f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.name} | {rule.severity} |" in readme
        assert f"[{rule.code}]({rule.code}.md)" in index
        for alias in rule.aliases:
            assert alias in page


def test_stale_docs_are_detected(tmp_path):
    """The freshness check can fail: an edited page, a page of a removed rule and a hand-edited
    README table are each reported."""
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / "README.md").write_text(f"intro\n{docsgen.BEGIN}\n| old |\n{docsgen.END}\nrest\n")
    assert len(docsgen.write(tmp_path)) == len(load_registry(plugins=False).rules) + 2
    assert docsgen.stale_files(tmp_path) == []
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n") and "| old |" not in text
    page = tmp_path / "docs" / "rules" / "DF101.md"
    page.write_text(page.read_text() + "edited\n")
    (tmp_path / "docs" / "rules" / "DF999.md").write_text("# gone\n")
    assert docsgen.stale_files(tmp_path) == [tmp_path / "docs/rules/DF101.md", tmp_path / "docs/rules/DF999.md"]
    docsgen.write(tmp_path)
    assert docsgen.stale_files(tmp_path) == [] and not (tmp_path / "docs/rules/DF999.md").exists()


def test_sarif_help_uri_points_at_the_generated_page():
    from dlint.report import _common
    from dlint.report.sarif import rule_descriptor

    prefix = _common.RULE_DOCS_URI.split("{code}")[0]
    for rule in load_registry(plugins=False).rules:
        uri = rule_descriptor(rule)["helpUri"]
        assert uri.startswith(prefix) and (REPO / "docs" / "rules" / uri[len(prefix):]).is_file()
    base = rule_class(load_registry(plugins=False).rules[0])
    plugin = type("PluginRule", (base,), {"code": "XP001", "name": "plugin-rule"})
    assert "helpUri" not in rule_descriptor(plugin)  # no page of ours documents a plugin rule


def test_readme_quick_start_uses_the_bundled_example():
    text = README.read_text()
    assert "dlint check examples/Dockerfile" in text
    assert (README.parent / "examples" / "Dockerfile").is_file()
