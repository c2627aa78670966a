"""The README's rule table is what `dlint rules` says: docs match behaviour."""

from __future__ import annotations

import re
from pathlib import Path

from dlint.lint.registry import load_registry

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_rule_rows() -> dict[str, tuple[str, str, str, str]]:
    rows = {}
    for line in README.read_text().splitlines():
        m = re.match(r"\|\s*(DF\d{3}|SC)\s*\|\s*([a-z0-9-]+)\s*\|\s*(\w+)\s*\|\s*(on|off)\s*\|\s*([^|]*)\|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4), m.group(5).strip())
    return rows


def test_readme_lists_every_builtin_rule_as_the_registry_has_it():
    registry = load_registry(plugins=False)
    expected = {
        rule.code: (rule.name, rule.severity, "on" if rule.enabled else "off", ", ".join(rule.aliases))
        for rule in registry.rules
    }
    assert readme_rule_rows() == expected


def test_readme_quick_start_uses_the_bundled_example():
    text = README.read_text()
    assert "dlint check examples/Dockerfile" in text
    assert (README.parent / "examples" / "Dockerfile").is_file()
