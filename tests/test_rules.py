"""The built-in rules: each one against its fixtures, the rule contract, and the corpus.

Fixtures live in fixtures/rules/<rule-name>/ in dlint.testing's format (the one plugin
authors use): `bad-*.Dockerfile` with the full list of its findings in `bad-*.findings`
(position, code, message, fix), optionally `bad-*.fixed` (the file after the rule's
fixes), and `good-*.Dockerfile`, which must give no finding. A folder fixture
(`bad-*/Dockerfile` and its build context) is linted with that folder as the context.
`DLINT_UPDATE_FIXTURES=1` rewrites the expectations from the rules' output.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from dlint.lint.config import Config, resolve_rules
from dlint.lint.context import LintContext
from dlint.lint.engine import finish_preparing, lint_context, lint_document, prepare_context
from dlint.lint.finding import SEVERITIES
from dlint.lint.registry import REQUIRED_SECTIONS, load_registry
from dlint.syntax import parse
from dlint.testing import FixtureCase, fixture_cases

REPO = Path(__file__).resolve().parents[1]
RULES_DIR = REPO / "rules"
FIXTURES = REPO / "fixtures" / "rules"
CORPUS = REPO.parent / "shared" / "corpus"

CODE_SCHEME = re.compile(r"^DF\d{3}$")
# hadolint codes (DL3008) and Docker build-check names (JSONArgsRecommended)
ALIAS_SCHEME = re.compile(r"^(DL\d{4}|[A-Z]+[a-z]+(?:[A-Z][a-z]*)+)$")
# Modules a rule must not import: the CLI, reporters, other rules.
FORBIDDEN_IMPORTS = ("dlint.cli", "dlint.report", "dlint.rules", "rules")
FAMILIES = ("images", "packages", "instructions", "labels", "shell", "security", "build_checks", "context",
            "suppressions")

REGISTRY = load_registry(builtin=True, plugins=False)
RULES = {rule.name: rule for rule in REGISTRY.rules}
RULE_MODULES = sorted(p for p in RULES_DIR.rglob("*.py") if p.name != "__init__.py")


def run_rule(rule, path: Path):
    """Findings of `rule` alone on a file, through the engine (suppressions included)."""
    return FixtureCase(rule, path, REGISTRY).lint()


# -- rules against their fixtures ------------------------------------------------------


@pytest.mark.parametrize("case", fixture_cases(FIXTURES, REGISTRY), ids=str)
def test_fixture(case) -> None:
    case.check()


def test_suppression_pragma_silences_a_rule_finding() -> None:
    """Findings inside a multi-line RUN (command positions) are covered by a pragma."""
    source = (
        "FROM debian:bookworm-slim\n"
        "# hadolint ignore=DL3009\n"
        "RUN set -eux; \\\n"
        "    apt-get update; \\\n"
        "    apt-get install -y curl\n"
        "RUN apt-get update && apt-get install -y git\n"
    )
    rule = RULES["apt-lists-not-removed"]
    findings = lint_document(parse(source, "Dockerfile"), "Dockerfile", Config(select=(rule.code,)),
                             registry=REGISTRY)
    assert [(f.code, f.line) for f in findings] == [(rule.code, 6)]


def test_add_fix_replaces_only_the_keyword() -> None:
    rule = RULES["add-instead-of-copy"]
    source = "FROM alpine:3.20\nadd --chown=app app.py /app/\n"
    (finding,) = lint_document(parse(source, "Dockerfile"), "Dockerfile", Config(select=(rule.code,)),
                               registry=REGISTRY)
    assert finding.fix is not None and finding.fix.safe
    (edit,) = finding.fix.edits
    line = source.splitlines()[edit.line - 1]
    fixed = line[: edit.column - 1] + edit.text + line[edit.end_column - 1 :]
    assert fixed == "copy --chown=app app.py /app/"


# -- the rule contract -----------------------------------------------------------------


def test_registry_accepts_every_builtin_rule() -> None:
    assert REGISTRY.errors == []
    defined = set()
    for path in RULE_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
                   and any(getattr(b, "id", None) == "Rule" for b in n.bases)]
        assert len(classes) == 1, f"{path.name} defines one Rule subclass, found {classes}"
        defined.add((path.stem, classes[0]))
    registered = {(r.__module__.rsplit(".", 1)[-1], r.__name__) for r in REGISTRY.rules}
    assert registered == defined


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = Counter(r.code for r in REGISTRY.rules)
    names = Counter(r.name for r in REGISTRY.rules)
    assert [c for c, n in codes.items() if n > 1] == []
    assert [c for c, n in names.items() if n > 1] == []
    for rule in REGISTRY.rules:
        if rule.subcodes:  # the shellcheck rule: its findings carry ShellCheck's own codes
            assert (rule.code, rule.subcodes) == ("SC", r"SC[0-9]{4}"), rule.code
        else:
            assert CODE_SCHEME.match(rule.code), rule.code
        assert rule.__module__.rsplit(".", 1)[-1] == rule.name.replace("-", "_"), "module named after the rule"
        assert rule.severity in SEVERITIES
        assert isinstance(rule.enabled, bool)
        assert all(ALIAS_SCHEME.match(a) for a in rule.aliases), rule.aliases
        assert isinstance(rule.keywords, tuple)


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_modules_sit_in_a_family(path: Path) -> None:
    assert path.parent.parent == RULES_DIR and path.parent.name in FAMILIES, (
        f"{path.relative_to(RULES_DIR)}: rule modules live in one of rules/{{{','.join(FAMILIES)}}}/")


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.name)
def test_docs_have_the_required_sections(rule) -> None:
    for section in REQUIRED_SECTIONS:
        assert rule.doc_section(section), f"{rule.name}: missing '## {section}'"
    example = rule.doc_section("Example")
    assert "Use instead:" in example, f"{rule.name}: Example shows the bad case, then 'Use instead:'"
    bad, good = example.split("Use instead:", 1)
    assert "FROM" in bad and "FROM" in good
    if rule.name != "syntax-error":  # the engine's rule, worded its own way
        # The summary (`dlint rules`, SARIF shortDescription) is the first sentence.
        assert rule.summary().startswith("Checks for") and len(rule.summary()) <= 140, rule.summary()


MIN_FIXTURES = 3  # issue 9: at least 3 bad and 3 good cases for every rule


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.name)
def test_every_rule_has_three_good_and_three_bad_fixtures(rule) -> None:
    """Every built-in rule, none excepted: a bad case shows what it reports, a good case
    what it must leave alone (a file fixture or a folder fixture with a build context)."""
    cases = [c.values[0] for c in fixture_cases(FIXTURES, REGISTRY, rules=[rule.name])]
    bad = [c for c in cases if not c.good]
    good = [c for c in cases if c.good]
    assert len(bad) >= MIN_FIXTURES, f"{len(bad)} bad fixture(s) in {FIXTURES / rule.name}"
    assert len(good) >= MIN_FIXTURES, f"{len(good)} good fixture(s) in {FIXTURES / rule.name}"


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_modules_import_no_cli_reporter_or_rule(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}:{node.lineno}: relative import (another rule?)"
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            bad = [f for f in FORBIDDEN_IMPORTS if name == f or name.startswith(f + ".")]
            assert not bad, f"{path.name}:{node.lineno}: imports {name}"
            # dlint itself only through its stable API, the one plugins use too
            assert not (name == "dlint" or name.startswith("dlint.")) or name == "dlint.api", (
                f"{path.name}:{node.lineno}: imports {name}; rules import dlint only as `from dlint.api import ...`")
            if name == "dlint.api" and isinstance(node, ast.ImportFrom):
                import dlint.api

                missing = [a.name for a in node.names if a.name not in dlint.api.__all__]
                assert not missing, f"{path.name}:{node.lineno}: dlint.api has no {', '.join(missing)}"


# -- the corpus ------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_every_rule_runs_over_the_corpus() -> None:
    """All rules (default-off ones too) on every corpus file: no rule raises, and no
    finding is reported twice (same position, code and message)."""
    paths = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".tsv"))
    assert len(paths) > 1000
    config = Config(select=("ALL",))
    errors: list[str] = []
    counts: Counter[str] = Counter()
    duplicates: list[str] = []
    # as lint_paths does: every file prepared first (ShellCheck then checks all the RUN
    # scripts in a few batched processes), then linted
    rule_set = resolve_rules(REGISTRY, config)
    contexts = []
    preparing = []
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        ctx = LintContext(parse(text, path.name), path.name)
        preparing += prepare_context(ctx, rule_set, errors)
        contexts.append(ctx)
    finish_preparing(preparing, errors)
    for ctx in contexts:
        path = Path(ctx.display_path)
        findings = lint_context(ctx, rule_set, errors)
        seen: set[tuple] = set()
        for finding in findings:
            counts[finding.name] += 1
            key = (finding.line, finding.column, finding.end_line, finding.end_column, finding.code,
                   finding.message)
            if key in seen:
                duplicates.append(f"{path.name}:{finding.line}:{finding.column} {finding.code}")
            seen.add(key)
    assert errors == []
    assert duplicates == [], f"{len(duplicates)} findings reported twice: {duplicates[:10]}"
    print("\ncorpus findings per rule:", dict(sorted(counts.items())))
    # Sanity: the rules that fire on most real files do fire on this corpus.
    for name in ("untagged-image", "apt-lists-not-removed", "missing-user", "shellcheck"):
        assert counts[name] > 0, name
