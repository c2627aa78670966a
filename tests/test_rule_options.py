"""Rules configured through `[rules.<name>]` options: the options reach the rule through
the real config loader, bad values are one-line config errors, and an unconfigured rule
stays silent."""

from __future__ import annotations

import pytest

from dlint.lint.config import ConfigError, load_config
from dlint.lint.engine import lint_document
from dlint.lint.registry import load_registry
from dlint.syntax import parse

REGISTRY = load_registry(builtin=True, plugins=False)

SCHEMA_RULES = ("missing-label", "empty-label", "label-not-url", "label-not-rfc3339",
                "label-not-spdx", "label-not-git-hash", "label-not-semver", "label-not-email")

DOCKERFILE = """\
FROM ghcr.io/example/base:1
LABEL org.opencontainers.image.version="" org.opencontainers.image.source=github.com/x \\
      org.opencontainers.image.created=yesterday org.opencontainers.image.licenses="Apache 2" \\
      org.opencontainers.image.revision=main org.opencontainers.image.authors="the team"
"""


def _lint(config_text: str, tmp_path) -> list[str]:
    path = tmp_path / ".dlint.toml"
    path.write_text(config_text, encoding="utf-8")
    config = load_config(path, REGISTRY)
    findings = lint_document(parse(DOCKERFILE, "Dockerfile"), "Dockerfile", config, registry=REGISTRY)
    return sorted({f.name for f in findings})


def test_configured_rules_report_through_the_config_file(tmp_path) -> None:
    label = "org.opencontainers.image"
    text = f"""
select = ["untrusted-registry", "unknown-label", {", ".join(f'"{r}"' for r in SCHEMA_RULES)}]
[rules.untrusted-registry]
registries = ["docker.io"]
[rules.unknown-label]
allowed = ["{label}.version"]
[rules.missing-label]
labels = ["{label}.title"]
[rules.empty-label]
labels = ["{label}.version"]
[rules.label-not-url]
labels = ["{label}.source"]
[rules.label-not-rfc3339]
labels = ["{label}.created"]
[rules.label-not-spdx]
labels = ["{label}.licenses"]
[rules.label-not-git-hash]
labels = ["{label}.revision"]
[rules.label-not-semver]
labels = ["{label}.revision"]
[rules.label-not-email]
labels = ["{label}.authors"]
"""
    assert _lint(text, tmp_path) == sorted(("untrusted-registry", "unknown-label", *SCHEMA_RULES))


def test_unconfigured_rules_stay_silent(tmp_path) -> None:
    text = f'select = ["untrusted-registry", "unknown-label", {", ".join(f"{chr(34)}{r}{chr(34)}" for r in SCHEMA_RULES)}]\n'
    assert _lint(text, tmp_path) == []


@pytest.mark.parametrize("body, fragment", [
    ('[rules.untrusted-registry]\nregistries = "docker.io"\n', "rules.untrusted-registry.registries: must be"),
    ('[rules.missing-label]\nlabels = [1, 2]\n', "rules.missing-label.labels: must be"),
    ('[rules.label-not-url]\nkeys = ["a"]\n', "unknown option for DF224 label-not-url (allowed: labels)"),
])
def test_bad_options_are_one_line_config_errors(tmp_path, body, fragment) -> None:
    path = tmp_path / ".dlint.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, REGISTRY)
    message = str(info.value)
    assert fragment in message and "\n" not in message
