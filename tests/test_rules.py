"""The built-in rules: each one against its fixtures, the rule contract, and the corpus.

Fixtures live in fixtures/rules/<rule-name>/: `bad-*.Dockerfile` and `good-*.Dockerfile`.
A bad file lists every finding it must produce in a comment line

    # expect: DF101@3, DF101@7

(the line may sit anywhere, e.g. after an `# escape=` directive); the test compares the
exact set of (code, line) the rule reports through the real engine, with only that rule
selected. A good file must produce no finding of its rule.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from dlint.lint.config import Config
from dlint.lint.engine import lint_document
from dlint.lint.finding import SEVERITIES
from dlint.lint.registry import REQUIRED_SECTIONS, load_registry
from dlint.syntax import parse

REPO = Path(__file__).resolve().parents[1]
RULES_DIR = REPO / "rules"
FIXTURES = REPO / "fixtures" / "rules"
CORPUS = REPO.parent / "shared" / "corpus"

EXPECT_LINE = re.compile(r"^\s*#\s*expect:\s*(?P<items>.*)$")
EXPECT_ITEM = re.compile(r"^(?P<code>[A-Z]+\d+)@(?P<line>\d+)$")
CODE_SCHEME = re.compile(r"^DF\d{3}$")
# Modules a rule must not import: the CLI, reporters, other rules.
FORBIDDEN_IMPORTS = ("dlint.cli", "dlint.report", "dlint.rules", "rules")

REGISTRY = load_registry(builtin=True, plugins=False)
RULES = {rule.name: rule for rule in REGISTRY.rules}
RULE_MODULES = sorted(p for p in RULES_DIR.glob("*.py") if p.name != "__init__.py")


def expectations(path: Path) -> set[tuple[str, int]]:
    expected: set[tuple[str, int]] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT_LINE.match(line)
        if match is None:
            continue
        for item in filter(None, (i.strip() for i in match.group("items").split(","))):
            parsed = EXPECT_ITEM.match(item)
            assert parsed, f"{path.name}: bad expectation {item!r} (want CODE@LINE)"
            expected.add((parsed.group("code"), int(parsed.group("line"))))
    return expected


def run_rule(rule, path: Path):
    """Findings of `rule` alone on a file, through the engine (suppressions included)."""
    document = parse(path.read_bytes().decode("utf-8"), path.name)
    if not rule.checks_broken_files:
        assert not document.errors, f"{path.name} must parse: {document.errors}"
    errors: list[str] = []
    findings = lint_document(document, path.name, Config(select=(rule.code,)), registry=REGISTRY,
                             errors=errors)
    assert errors == [], errors
    return findings


def fixture_cases():
    for directory in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(directory.glob("*.Dockerfile")):
            yield pytest.param(directory.name, path, id=f"{directory.name}/{path.name}")


# -- rules against their fixtures ------------------------------------------------------


@pytest.mark.parametrize("rule_name, path", list(fixture_cases()))
def test_fixture(rule_name: str, path: Path) -> None:
    assert rule_name in RULES, f"fixtures/rules/{rule_name} names no rule"
    rule = RULES[rule_name]
    expected = expectations(path)
    if path.name.startswith("good-"):
        assert expected == set(), "a good fixture expects nothing"
    else:
        assert path.name.startswith("bad-"), "fixtures are bad-*.Dockerfile or good-*.Dockerfile"
        assert expected, "a bad fixture lists its findings in '# expect: CODE@LINE, ...'"
        assert {code for code, _ in expected} == {rule.code}, "expectations name this rule's code"
    findings = run_rule(rule, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for finding in findings:
        assert (finding.code, finding.name, finding.aliases) == (rule.code, rule.name, list(rule.aliases))
        assert 1 <= finding.line <= finding.end_line <= len(lines)
        assert finding.column >= 1 and finding.message.strip()
    got = {(f.code, f.line) for f in findings}
    assert got == expected, "\n".join(f"{f.line}:{f.column} {f.message}" for f in findings)


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


@pytest.mark.parametrize("fixture, wanted", [
    # WORKDIR, COPY, RUN are the steps; a source edit reruns the COPY and the RUN; with
    # requirements.txt copied first, only the COPY of the rest.
    ("bad-python.Dockerfile", ["`RUN pip install -r requirements.txt` (line 5)", "Copy requirements.txt first",
                               "reruns 2 of 3 steps", "copying requirements.txt first would rerun 1"]),
    # The RUN also builds: split, it still reruns (3 of build's WORKDIR, COPY, RUN and the
    # final stage's COPY --from), but without the install.
    ("bad-node-heredoc.Dockerfile", ["reruns 3 of 4 steps, `RUN npm ci` included",
                                     "would rerun 3, without the install"]),
    ("bad-go.Dockerfile", ["Copy go.mod and go.sum first"]),
    ("bad-node-heredoc.Dockerfile", ["Copy package.json and package-lock.json first"]),
    ("bad-apt.Dockerfile", ["needs nothing from the build context: move it above this COPY"]),
    ("bad-source-folder.Dockerfile", ["source folder `app/`", "Gemfile is already copied on line 4"]),
    ("bad-global-and-project.Dockerfile", ["`RUN npm install` (line 5)", "Copy package.json"]),
])
def test_cache_busting_copy_names_what_to_copy_first(fixture: str, wanted: list[str]) -> None:
    rule = RULES["cache-busting-copy"]
    findings = run_rule(rule, FIXTURES / rule.name / fixture)
    message = findings[0].message
    for text in wanted:
        assert text in message


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
        assert CODE_SCHEME.match(rule.code), rule.code
        assert rule.__module__.rsplit(".", 1)[-1] == rule.name.replace("-", "_"), "module named after the rule"
        assert rule.severity in SEVERITIES
        assert isinstance(rule.enabled, bool)
        assert all(re.match(r"^DL\d{4}$", a) for a in rule.aliases), rule.aliases


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


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.name)
def test_every_rule_has_good_and_bad_fixtures(rule) -> None:
    directory = FIXTURES / rule.name
    assert list(directory.glob("bad-*.Dockerfile")), f"no bad fixture in {directory}"
    assert list(directory.glob("good-*.Dockerfile")), f"no good fixture in {directory}"


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: p.name)
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


# -- the corpus ------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_every_rule_runs_over_the_corpus() -> None:
    """All rules (default-off ones too) on every corpus file: no rule raises."""
    paths = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".tsv"))
    assert len(paths) > 1000
    config = Config(select=("ALL",))
    errors: list[str] = []
    counts: Counter[str] = Counter()
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        for finding in lint_document(parse(text, path.name), path.name, config, registry=REGISTRY,
                                     errors=errors):
            counts[finding.name] += 1
    assert errors == []
    print("\ncorpus findings per rule:", dict(sorted(counts.items())))
    # Sanity: the rules that fire on most real files do fire on this corpus.
    for name in ("untagged-image", "apt-lists-not-removed", "missing-user"):
        assert counts[name] > 0, name
