"""Engine, registry and suppressions, with rules defined here (no dependence on built-ins).

Documents are built by hand from the AST nodes so these tests pin the engine alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from dlint.lint.config import Config, resolve_rules
from dlint.lint.engine import lint_document
from dlint.lint.finding import Finding
from dlint.lint.registry import build_registry, load_registry, validate_rule
from dlint.lint.rule import Rule
from dlint.lint.suppress import find_suppressions, parse_pragma
from dlint.syntax.nodes import Comment, Document, Instruction, Span, SyntaxIssue

DOCS = """## What it does
Checks for {what}.

## Why is this bad?
Because.

## Example
    FROM x
Use instead:
    FROM x:1

## Fix
Do it.
"""


def make_rule(code, name, *, severity="warning", enabled=True, aliases=(), keyword="RUN", docs=None,
              broken=False, options=None, defaults=None, crash=False):
    """A rule reporting every instruction with `keyword` (and crashing, when asked)."""
    doc_text = DOCS.format(what=name) if docs is None else docs

    def check(self, ctx):
        if crash:
            yield self.report(ctx, ctx.document.instructions[0], "before the crash")
            raise RuntimeError("boom\nsecond line")
        for instr in ctx.document.instructions:
            if instr.keyword == keyword:
                yield self.report(ctx, instr, f"{name} at {instr.start_line}")

    attrs = dict(code=code, name=name, severity=severity, enabled=enabled, aliases=tuple(aliases),
                 checks_broken_files=broken, options=options or {}, defaults=defaults or {}, check=check,
                 docs=classmethod(lambda cls: doc_text))
    return type(f"Rule_{code}", (Rule,), attrs)


def doc(*lines: str, errors=()) -> Document:
    """A Document whose instructions are the non-comment, non-blank lines (one line each)."""
    instructions, comments = [], []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(Comment(number, stripped[1:].strip(), line.index("#") + 1))
        elif stripped:
            keyword = stripped.split()[0].upper()
            instructions.append(Instruction(keyword, stripped.split()[0], number, number,
                                            value=[stripped[len(keyword):].strip()], original=stripped,
                                            span=Span(number, 1, number, len(line)), source_lines=[line]))
    return Document("Dockerfile", "\n".join(lines) + "\n", list(lines), instructions, comments,
                    errors=list(errors))


R_RUN = make_rule("XT101", "run-seen", aliases=("DL9001",))
R_FROM = make_rule("XT102", "from-seen", keyword="FROM", severity="info", aliases=("DL9002", "from-check"))
R_OFF = make_rule("XT103", "off-by-default", keyword="FROM", enabled=False)
R_BROKEN = make_rule("XT104", "sees-broken", keyword="FROM", broken=True, severity="error")


@pytest.fixture
def registry():
    reg = load_registry([R_RUN, R_FROM, R_OFF, R_BROKEN], builtin=False, plugins=False)
    assert reg.errors == []
    return reg


def codes(findings):
    return [(f.line, f.code) for f in findings]


# -- registry ---------------------------------------------------------------------------


def test_registry_resolves_codes_names_aliases_and_all(registry):
    assert registry.resolve("XT101") == [R_RUN]
    assert registry.resolve("xt101") == [R_RUN]
    assert registry.resolve("run-seen") == [R_RUN]
    assert registry.resolve("DL9002") == [R_FROM]
    assert registry.resolve("from-check") == [R_FROM]
    assert set(registry.resolve("ALL")) == {R_RUN, R_FROM, R_OFF, R_BROKEN}
    assert registry.resolve("nope") == []
    assert [r.code for r in registry.rules] == sorted(r.code for r in registry.rules)


@pytest.mark.parametrize("rule, fragment", [
    (make_rule("DL3008", "hadolint-like"), "confused with a hadolint"),
    (make_rule("SC2086", "shellcheck-like"), "confused with a hadolint"),
    (make_rule("xt1", "lower-code"), "upper-case letters then digits"),
    (make_rule("XT200", "Not_Kebab"), "kebab-case"),
    (make_rule("XT201", "bad-severity", severity="fatal"), "severity"),
    (make_rule("XT202", "no-docs", docs="Just prose."), "'## What it does'"),
    (make_rule("XT203", "half-docs", docs="## What it does\nx\n## Example\ny\n"), "'## Why is this bad?', '## Fix'"),
    (make_rule("XT204", "bad-defaults", defaults={"x": 1}), "undeclared options"),
])
def test_invalid_rules_are_reported_not_loaded(rule, fragment):
    reg = build_registry([R_RUN, rule])
    assert reg.rules == [R_RUN]
    assert len(reg.errors) == 1 and fragment in reg.errors[0], reg.errors
    assert "\n" not in reg.errors[0]


def test_duplicate_code_name_and_alias_clash_rejected():
    dup_code = make_rule("XT101", "other-name")
    dup_name = make_rule("XT110", "run-seen")
    alias_clash = make_rule("XT111", "alias-clash", aliases=("from-seen",))
    reg = build_registry([R_RUN, R_FROM, dup_code, dup_name, alias_clash])
    assert reg.rules == [R_RUN, R_FROM]
    assert len(reg.errors) == 3
    assert "'XT101' is already used" in reg.errors[0]
    assert "'run-seen' is already used" in reg.errors[1]
    assert "alias 'from-seen'" in reg.errors[2]


def test_builtin_rules_satisfy_the_contract():
    reg = load_registry(plugins=False)
    assert reg.errors == []
    assert reg.get("syntax-error") is not None and reg.get("DF000").name == "syntax-error"
    for rule in reg.rules:
        assert validate_rule(rule) == []


PLUGIN_DOC = DOCS.format(what="plugins").replace("\n", "\n")


def _write_plugin(site, dist="fakeplugin", value="fakeplugin_rules"):
    (site / f"{dist}-1.0.dist-info").mkdir()
    (site / f"{dist}-1.0.dist-info" / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (site / f"{dist}-1.0.dist-info" / "entry_points.txt").write_text(f"[dlint.rules]\nfake = {value}\n")


PLUGIN_MODULE = f'''"""{PLUGIN_DOC}"""
from dlint.lint.rule import Rule

class PluginRule(Rule):
    code = "XP001"
    name = "plugin-rule"
    def check(self, ctx):
        return []

class BadPluginRule(Rule):
    code = "DL1234"
    name = "bad-plugin-rule"
    def check(self, ctx):
        return []
'''

SCAN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from dlint.lint.registry import load_registry
reg = load_registry()
print(json.dumps({"codes": [r.code for r in reg.rules], "errors": reg.errors,
                  "metadata_imported": "importlib.metadata" in sys.modules}))
"""


def test_entry_point_plugins_are_found_validated_and_cached(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "fakeplugin_rules.py").write_text(PLUGIN_MODULE)
    _write_plugin(site)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("DLINT_NO_PLUGINS", None)

    def scan():
        out = subprocess.run([sys.executable, "-c", SCAN, str(site)], env=env, capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout)

    first = scan()
    assert "XP001" in first["codes"] and "DF000" in first["codes"]
    assert any("DL1234" in e and "hadolint" in e for e in first["errors"])
    assert first["metadata_imported"]  # cold cache: a real entry-point scan
    second = scan()
    assert second["codes"] == first["codes"]
    assert not second["metadata_imported"]  # warm cache: no importlib.metadata at all
    # uninstalling the distribution changes the directory's mtime: the cache notices
    import shutil

    shutil.rmtree(site / "fakeplugin-1.0.dist-info")
    os.utime(site, ns=(os.stat(site).st_atime_ns, os.stat(site).st_mtime_ns + 1_000_000))
    third = scan()
    assert "XP001" not in third["codes"] and third["metadata_imported"]


def test_entry_point_forms_class_package_and_broken(tmp_path, monkeypatch):
    from dlint.lint.registry import _load_entry_point

    pkg = tmp_path / "fakepkg_rules"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "one.py").write_text(PLUGIN_MODULE.replace("BadPluginRule", "_Unused").replace('"DL1234"', '"XP009"')
                                .replace('"bad-plugin-rule"', '"unused-rule"'))
    (pkg / "broken.py").write_text("raise ImportError('missing dependency')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    errors: list[str] = []
    found = _load_entry_point("fakepkg_rules", errors)
    assert sorted(r.code for r in found) == ["XP001", "XP009"]
    assert len(errors) == 1 and "fakepkg_rules.broken" in errors[0] and "missing dependency" in errors[0]
    errors.clear()
    assert [r.code for r in _load_entry_point("fakepkg_rules.one:PluginRule", errors)] == ["XP001"]
    assert _load_entry_point("fakepkg_rules.one:Nope", errors) == [] and "Nope" in errors[0]


# -- engine -----------------------------------------------------------------------------


def test_rules_run_default_selection_sorted(registry):
    d = doc("FROM a", "RUN x", "RUN y")
    found = lint_document(d, "Dockerfile", Config(), registry=registry)
    assert codes(found) == [(1, "XT102"), (1, "XT104"), (2, "XT101"), (3, "XT101")]  # XT103 off by default
    assert all(isinstance(f, Finding) and f.file == "Dockerfile" for f in found)
    assert found[0].severity == "info" and found[0].aliases == ["DL9002", "from-check"]


def test_broken_files_only_run_rules_that_accept_them(registry):
    d = doc("FROM a", "RUN x", errors=[SyntaxIssue("bad", 2)])
    found = lint_document(d, "Dockerfile", Config(), registry=registry)
    assert codes(found) == [(1, "XT104")]


def test_syntax_error_rule_reports_document_errors():
    reg = load_registry(plugins=False)
    d = doc("FROM a", "RUNN x", errors=[SyntaxIssue("unknown instruction: RUNN", 2, 1, 2, 4)])
    found = lint_document(d, "Dockerfile", Config(), registry=reg)
    syntax = [f for f in found if f.code == "DF000"]
    assert [(f.line, f.column, f.end_column, f.severity, f.message) for f in syntax] == [
        (2, 1, 4, "error", "unknown instruction: RUNN")]


def test_crashing_rule_gives_one_line_and_others_still_run(registry):
    crasher = make_rule("XT199", "crasher", crash=True)
    reg = load_registry([R_RUN, crasher], builtin=False, plugins=False)
    errors: list[str] = []
    found = lint_document(doc("FROM a", "RUN x"), "Dockerfile", Config(), registry=reg, errors=errors)
    assert (2, "XT101") in codes(found)
    assert len(errors) == 1 and "XT199" in errors[0] and "RuntimeError: boom second line" in errors[0]


def test_severity_override_by_name_and_alias(registry):
    config = Config(severity=(("run-seen", "error"), ("DL9002", "style")))
    found = lint_document(doc("FROM a", "RUN x"), "D", config, registry=registry)
    assert {f.code: f.severity for f in found} == {"XT101": "error", "XT102": "style", "XT104": "error"}


def test_selection_layers(registry):
    def selected(config, select=None, ignore=None):
        return sorted(r.code for r in resolve_rules(registry, config, select, ignore).rules)

    assert selected(Config()) == ["XT101", "XT102", "XT104"]
    assert selected(Config(select=("ALL",))) == ["XT101", "XT102", "XT103", "XT104"]
    assert selected(Config(select=("run-seen",), extend_select=("DL9002",))) == ["XT101", "XT102"]
    assert selected(Config(ignore=("from-check", "xt104"))) == ["XT101"]
    assert selected(Config(extend_select=("off-by-default",))) == ["XT101", "XT102", "XT103", "XT104"]
    # --select replaces the config's whole selection, --ignore removes from it
    assert selected(Config(ignore=("XT101",)), select=["XT101", "XT103"]) == ["XT101", "XT103"]
    assert selected(Config(), select=["ALL"], ignore=["DL9001"]) == ["XT102", "XT103", "XT104"]
    assert selected(Config(), ignore=["ALL"]) == []


# -- suppressions -----------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("dlint: ignore=DF101", ("next", {"df101"})),
    ("dlint:ignore = DF101 , untagged-image  # pinned upstream", ("next", {"df101", "untagged-image"})),
    ("dlint ignore=DF101 free comment", ("next", {"df101"})),
    ("dlint: global ignore=ALL", ("global", {"all"})),
    ("hadolint ignore=DL3008,DL3009", ("next", {"dl3008", "dl3009"})),
    ("hadolint global ignore=DL3008 # old", ("global", {"dl3008"})),
    ("hadolint stage ignore=DL3008", ("stage", {"dl3008"})),
    ("hadolint shell=bash", None),
    ("dlint: ignore", None),
    ("ignore=DF101", None),
    ("a comment mentioning dlint: ignore=X", None),
])
def test_pragma_syntax(text, expected):
    assert parse_pragma(text) == expected


def test_next_instruction_pragmas_by_code_name_alias(registry):
    d = doc(
        "FROM a",
        "# dlint: ignore=XT101",
        "RUN suppressed-by-code",
        "# dlint: ignore=run-seen  # free comment",
        "RUN suppressed-by-name",
        "# hadolint ignore=DL9001",
        "RUN suppressed-by-hadolint-alias",
        "# dlint: ignore=XT102",
        "RUN wrong-code-not-suppressed",
        "RUN not-suppressed",
    )
    found = lint_document(d, "D", Config(), registry=registry)
    assert [line for line, code in codes(found) if code == "XT101"] == [9, 10]


def test_stacked_pragmas_tolerate_comments_but_not_blank_lines(registry):
    d = doc(
        "FROM a",
        "# dlint: ignore=XT101",
        "# an ordinary comment",
        "# hadolint ignore=DL9002",
        "RUN suppressed",
        "# dlint: ignore=XT101",
        "",
        "RUN blank-line-breaks-it",
    )
    found = lint_document(d, "D", Config(), registry=registry)
    assert [line for line, code in codes(found) if code == "XT101"] == [8]


def test_global_pragmas_anywhere_dlint_and_hadolint(registry):
    d = doc("FROM a", "RUN x", "# hadolint global ignore=DL9002", "RUN y", "# dlint: global ignore=xt104")
    found = lint_document(d, "D", Config(), registry=registry)
    assert codes(found) == [(2, "XT101"), (4, "XT101")]
    found = lint_document(doc("FROM a", "RUN x", "# dlint: global ignore=ALL"), "D", Config(), registry=registry)
    assert found == []


def test_pragma_covers_every_line_of_a_multiline_instruction():
    lines = ["FROM a", "# dlint: ignore=XT105", "RUN a \\", "  && b \\", "  && c", "RUN d"]
    run = Instruction("RUN", "RUN", 3, 5, value=["a && b && c"], span=Span(3, 1, 5, 6), source_lines=lines[2:5])
    d = Document("D", "\n".join(lines), lines,
                 [Instruction("FROM", "FROM", 1, 1, value=["a"], span=Span(1, 1, 1, 6)), run,
                  Instruction("RUN", "RUN", 6, 6, value=["d"], span=Span(6, 1, 6, 5))],
                 [Comment(2, "dlint: ignore=XT105")])

    def check(self, ctx):  # findings on inner lines, like a precise shell rule
        yield self.report(ctx, Span(4, 6, 4, 6), "inner")
        yield self.report(ctx, Span(6, 1, 6, 5), "next")

    inner = make_rule("XT105", "inner-lines")
    inner.check = check
    reg = load_registry([inner], builtin=False, plugins=False)
    assert codes(lint_document(d, "D", Config(), registry=reg)) == [(6, "XT105")]
    assert find_suppressions(d).ranges == [(3, 5, {"xt105"})]


def test_stage_pragma_covers_rest_of_stage(registry):
    d = doc("FROM a AS one", "# dlint: stage ignore=XT101", "RUN x", "RUN y", "FROM b", "RUN z")
    found = lint_document(d, "D", Config(), registry=registry)
    assert [line for line, code in codes(found) if code == "XT101"] == [6]


# -- fixes ------------------------------------------------------------------------------


def test_apply_edits_all_or_nothing_and_overlaps():
    from dlint.fix import apply_edits
    from dlint.lint.finding import TextEdit

    text = "FROM ubuntu\r\nADD a /a\n"
    fixes = [
        (TextEdit(1, 12, 1, 12, ":24.04"),),                           # insertion at end of line 1
        (TextEdit(2, 1, 2, 4, "COPY"),),
        (TextEdit(2, 1, 2, 4, "XXX"), TextEdit(1, 1, 1, 5, "from")),    # overlaps the ADD fix: skipped whole
    ]
    new, applied = apply_edits(text, fixes)
    assert (new, applied) == ("FROM ubuntu:24.04\r\nCOPY a /a\n", 2)
    assert apply_edits(text, [(TextEdit(9, 1, 9, 2, "x"),)]) == (text, 0)  # out of range: ignored


def test_fix_file_is_atomic_keeps_bom_and_mode_and_is_idempotent(tmp_path):
    from dlint.fix import fix_file
    from dlint.lint.finding import Fix, TextEdit

    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbfFROM a\nADD x /x\n")
    path.chmod(0o640)
    finding = Finding("Dockerfile", 2, 1, 2, 3, "XT1", "n", "info", "m",
                      fix=Fix("use COPY", (TextEdit(2, 1, 2, 4, "COPY"),)))
    unsafe = Finding("Dockerfile", 1, 1, 1, 4, "XT2", "n", "info", "m",
                     fix=Fix("unsafe", (TextEdit(1, 1, 1, 5, "from"),), safe=False))
    assert fix_file(str(path), [finding, unsafe]) == 1
    assert path.read_bytes() == b"\xef\xbb\xbfFROM a\nCOPY x /x\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]  # no temporary file left



# -- ONBUILD triggers are linted as instructions of the child build -------------------------

def test_onbuild_triggers_reach_every_run_copy_add_rule():
    """Each rule reading RUN/COPY/ADD sees the triggers, once, at the ONBUILD line, with the
    ENV the child inherits; a pragma before the ONBUILD line silences its finding; rules
    that read other instructions (USER) do not run on the child."""
    from dlint.syntax import parse

    source = textwrap.dedent("""\
        FROM python:3.12-slim AS base
        ENV PIP_NO_CACHE_DIR=1
        ONBUILD RUN pip install -r requirements.txt
        ONBUILD ADD app.py /app/
        # dlint: ignore=apt-lists-not-removed
        ONBUILD RUN apt-get update && apt-get install -y curl
        ONBUILD RUN apk add git
        ONBUILD USER root
        FROM base
        USER app
        """)
    registry = load_registry(builtin=True, plugins=False)
    # the rules this Dockerfile is about (pin rules such as apt-unpinned fire on it too)
    selected = ("add-instead-of-copy", "apt-lists-not-removed", "apk-no-cache", "pip-no-cache-dir",
                "root-user", "missing-user")
    findings = lint_document(parse(source), "Dockerfile", Config(select=selected), registry=registry)
    onbuild = [(f.line, f.code) for f in findings if f.message.startswith("ONBUILD trigger, runs")]
    assert onbuild == [(4, "DF201"), (7, "DF502")]
    assert all(f.line not in (3, 6, 8) for f in findings)
