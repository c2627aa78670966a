"""Fixture tests for rules, built-in or plugin: one format, one runner.

A fixtures folder holds one folder per rule, named after the rule::

    fixtures/rules/apk-no-cache/
        bad-basic.Dockerfile        a Dockerfile the rule must report
        bad-basic.findings          exactly what it reports (below)
        bad-basic.fixed             optional: the file after all of the rule's fixes
        good-build-stage.Dockerfile a Dockerfile the rule must leave alone
        bad-custom.Dockerfile       a fixture linted with rule options:
        bad-custom.dlint.toml       its config ([rules.<name>] tables, validated as
                                    .dlint.toml is; the selection is always the rule)
        bad-context/                a fixture with a build context: the folder is the
            Dockerfile              context, its Dockerfile the file linted
            app.py
        bad-context.findings

A ``.git`` folder cannot be committed inside a git repository, so a folder fixture holds
a stand-in named ``dot-git``: the case lints a temporary copy of the folder in which every
``dot-git`` folder is renamed ``.git``.

A ``.findings`` file lists every finding of the rule alone on its fixture, one per line,
sorted, as ``format_findings`` writes them::

    3:5-3:19 DF502 `apk add` without `--no-cache`: the package index stays ...
      fix (safe): add --no-cache

``line:column-end_line:end_column code message``; a finding with a fix has a second,
indented line naming whether the fix is safe and what it does. Lines starting with ``#``
are comments. A duplicated finding, a caret one column off or a changed message fails
the case. A good fixture has no ``.findings`` file: it must produce nothing. A
``.fixed`` file is what the fixture becomes when every fix of the rule (safe and unsafe)
is applied, re-linting in between until nothing changes.

In pytest::

    from dlint.testing import fixture_cases

    @pytest.mark.parametrize("case", fixture_cases("tests/fixtures"), ids=str)
    def test_fixture(case):
        case.check()

A rule with options (``Rule.options``) reads them for all its fixtures from
``options.toml`` in its folder: the body of the rule's ``[rules.<name>]`` table,
validated like a configuration file::

    # fixtures/rules/missing-label/options.toml
    labels = ["org.opencontainers.image.source"]

A plugin's own test suite does the same with its fixtures folder, the plugin installed
(``pip install -e .``) so that its entry point registers its rules; or it passes
``registry=`` explicitly. docs/plugins.md walks through it.

``DLINT_UPDATE_FIXTURES=1 pytest ...`` writes the ``.findings`` (and existing ``.fixed``)
files from what the rules report instead of comparing: review the diff before
committing it.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from dlint.lint.finding import Finding
    from dlint.lint.registry import Registry
    from dlint.lint.rule import Rule

FINDINGS_SUFFIX = ".findings"
FIXED_SUFFIX = ".fixed"
OPTIONS_FILE = "options.toml"

CONFIG_SUFFIX = ".dlint.toml"
DOCKERFILE_SUFFIX = ".Dockerfile"
GIT_STAND_IN = "dot-git"    # renamed .git in a temporary copy of a folder fixture
UPDATE_ENV = "DLINT_UPDATE_FIXTURES"


class FixtureError(AssertionError):
    """A fixture that does not hold: expected and actual, side by side."""


def format_finding(finding: Finding) -> str:
    text = (f"{finding.line}:{finding.column}-{finding.end_line}:{finding.end_column} "
            f"{finding.code} {finding.message}")
    if finding.fix is not None:
        kind = "safe" if finding.fix.safe else "unsafe"
        text += f"\n  fix ({kind}): {finding.fix.description}"
    return text


def format_findings(findings: Iterable[Finding]) -> str:
    """The ``.findings`` text: one entry per finding, sorted, newline-terminated."""
    ordered = sorted(findings, key=lambda f: (f.line, f.column, f.end_line, f.end_column, f.code,
                                              f.message))
    return "".join(format_finding(f) + "\n" for f in ordered)


def _significant(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def side_by_side(expected: str, actual: str, title: str = "") -> str:
    """A readable failure: a unified diff from expected to actual, then both in full."""
    diff = "\n".join(difflib.unified_diff(_significant(expected), _significant(actual),
                                          "expected", "actual", lineterm=""))
    parts = [title] if title else []
    parts += [diff, "--- expected (all)", expected.rstrip() or "(nothing)",
              "--- actual (all)", actual.rstrip() or "(nothing)"]
    return "\n".join(parts)


class FixtureCase:
    """One fixture of one rule: a Dockerfile, or a folder that is a build context."""

    def __init__(self, rule: type[Rule], path: Path, registry: Registry):
        self.rule = rule
        self.path = path              # the .Dockerfile, or the context folder
        self.registry = registry

    def __str__(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    __repr__ = __str__

    @property
    def good(self) -> bool:
        return self.path.name.startswith("good-")

    @property
    def stem(self) -> str:
        name = self.path.name
        return name[: -len(DOCKERFILE_SUFFIX)] if name.endswith(DOCKERFILE_SUFFIX) else name

    @property
    def dockerfile(self) -> Path:
        return self.path / "Dockerfile" if self.path.is_dir() else self.path

    @property
    def context_dir(self) -> str | None:
        """The build context: the fixture folder, or None for a plain Dockerfile fixture."""
        return str(self.path) if self.path.is_dir() else None

    @property
    def findings_path(self) -> Path:
        return self.path.parent / (self.stem + FINDINGS_SUFFIX)

    @property
    def fixed_path(self) -> Path:
        return self.path.parent / (self.stem + FIXED_SUFFIX)

    @property
    def config_path(self) -> Path:
        return self.path.parent / (self.stem + CONFIG_SUFFIX)

    def lint(self, text: str | None = None) -> list[Finding]:
        """The findings of this rule alone, through the real engine (pragmas included)."""
        from dlint.lint.engine import lint_document
        from dlint.syntax import parse

        if text is None:
            text = self.dockerfile.read_bytes().decode("utf-8")
        document = parse(text, self.dockerfile.name)
        if document.errors and not self.rule.checks_broken_files:
            raise FixtureError(f"{self}: the fixture must parse: {document.errors[0].message} "
                               f"(line {document.errors[0].line})")
        errors: list[str] = []
        context_dir = self.context_dir
        stand_ins = list(self.path.rglob(GIT_STAND_IN)) if context_dir is not None else []
        if stand_ins:
            import shutil
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / self.path.name
                shutil.copytree(self.path, copy, symlinks=True)
                for stand_in in sorted(copy.rglob(GIT_STAND_IN), key=lambda p: -len(p.parts)):
                    stand_in.rename(stand_in.with_name(".git"))
                findings = lint_document(document, self.dockerfile.name, self.config(),
                                         registry=self.registry, context_dir=str(copy),
                                         errors=errors, dockerfile_path=str(copy / "Dockerfile"))
        else:
            findings = lint_document(document, self.dockerfile.name, self.config(),
                                     registry=self.registry, context_dir=context_dir,
                                     errors=errors)
        if errors:
            raise FixtureError(f"{self}: " + "; ".join(errors))
        return findings

    def config(self):
        """The rule alone, with its options: those of ``<stem>.dlint.toml`` next to the
        fixture when there is one, else those of the folder's options.toml, if any."""
        from dlint.lint.config import Config, ConfigError, _toml_loads, load_config, parse_config

        if self.config_path.exists():
            try:
                options = load_config(self.config_path, self.registry).rules
            except ConfigError as exc:
                raise FixtureError(f"{self}: {exc}") from None
            return Config(select=(self.rule.code,), rules=options)
        options_path = self.path.parent / OPTIONS_FILE
        if not options_path.is_file():
            return Config(select=(self.rule.code,))
        options = _toml_loads(options_path.read_text(encoding="utf-8"))
        return parse_config({"select": [self.rule.code], "rules": {self.rule.name: options}},
                            str(options_path), self.registry)

    def fixed_text(self) -> str:
        """The fixture with every fix of the rule applied, safe and unsafe, to a fixpoint."""
        from dlint.fix import fix_text

        text = self.dockerfile.read_bytes().decode("utf-8")
        return fix_text(text, self.lint, unsafe=True)[0]

    def check(self) -> None:
        """Compare with the expectations; raise FixtureError (an AssertionError) if not met.
        Under DLINT_UPDATE_FIXTURES=1, write them instead."""
        findings = self.lint()
        own = [f for f in findings if f.code != self.rule.code
               and not (self.rule.subcodes and re.fullmatch(self.rule.subcodes, f.code))]
        if own:
            raise FixtureError(f"{self}: findings of another code: {format_findings(own)}")
        actual = format_findings(findings)
        update = os.environ.get(UPDATE_ENV, "") not in ("", "0")
        if self.good:
            if self.findings_path.exists():
                raise FixtureError(f"{self}: a good fixture has no {self.findings_path.name}")
            if actual:
                raise FixtureError(side_by_side("", actual, f"{self}: a good fixture must give no finding"))
            return
        if update:
            self.findings_path.write_text(actual, encoding="utf-8")
        elif not self.findings_path.exists():
            raise FixtureError(f"{self}: no {self.findings_path.name} next to it (write it with "
                               f"{UPDATE_ENV}=1, then review it)")
        expected = self.findings_path.read_text(encoding="utf-8")
        if not _significant(expected):
            raise FixtureError(f"{self}: a bad fixture expects at least one finding")
        if _significant(expected) != _significant(actual):
            raise FixtureError(side_by_side(expected, actual, f"{self}: findings differ"))
        if self.fixed_path.exists():
            fixed = self.fixed_text()
            if update:
                self.fixed_path.write_text(fixed, encoding="utf-8", newline="")
            want = self.fixed_path.read_bytes().decode("utf-8")
            if fixed != want:
                raise FixtureError(side_by_side(want, fixed, f"{self}: the fixed file differs"))


class _NoRule:
    """A fixtures folder whose name is no rule's: its case fails."""

    def __init__(self, directory: Path):
        self.directory = directory

    def check(self) -> None:
        raise FixtureError(f"{self.directory} names no rule (folders are named after rules)")


def _fixture_paths(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.iterdir()):
        if not path.name.startswith(("bad-", "good-")):
            continue
        if path.is_dir() or path.name.endswith(DOCKERFILE_SUFFIX):
            yield path


def fixture_cases(root: str | os.PathLike[str], registry: Registry | None = None,
                  *, rules: Iterable[str] | None = None) -> list:
    """pytest params, one per fixture under ``root/<rule-name>/`` (ids ``rule/fixture``).

    ``registry`` defaults to every installed rule; ``rules`` limits the folders read. A
    folder that names no rule becomes a failing case."""
    import pytest

    from dlint.lint.registry import default_registry

    registry = registry or default_registry()
    by_name = {rule.name: rule for rule in registry.rules}
    wanted = set(rules) if rules is not None else None
    cases = []
    for directory in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        if wanted is not None and directory.name not in wanted:
            continue
        rule = by_name.get(directory.name)
        if rule is None:
            cases.append(pytest.param(_NoRule(directory), id=directory.name))
            continue
        for path in _fixture_paths(directory):
            case = FixtureCase(rule, path, registry)
            cases.append(pytest.param(case, id=str(case)))
    return cases
