"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

One run; tool.driver.rules[] lists every known rule, built from its docs (SPEC §4);
results carry ruleId + ruleIndex, a repo-relative location and
partialFingerprints.primaryLocationLineHash (see _common.fingerprints).
A finding under a rule's subcode (ShellCheck's SC2086) gets a rules[] entry for that code,
with the code's help page (the ShellCheck wiki) as helpUri. A finding whose code no known
rule has (an engine-level problem, a rule not loaded) gets a synthetic rules[] entry, so
every ruleIndex is valid.
"""

from __future__ import annotations

import json
import re
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3-5 ms of startup
from urllib.parse import quote

from dlint.report import _common

if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.lint.rule import Rule
    from dlint.report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
GITHUB_TEXT_LIMIT = 1024  # GitHub's limit on short/full description and help text
MAX_TAGS = 20             # GitHub's limit on properties.tags


def level(severity: str) -> str:
    return LEVELS.get(severity, "warning")


def _clip(text: str, limit: int = GITHUB_TEXT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def _plain(markdown: str) -> str:
    """Docs as plain text: headings and code fences kept readable without markup."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            line = line[3:].strip().upper()
        elif line.strip().startswith("```"):
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def rule_descriptor(rule: type[Rule]) -> dict:
    code = rule.code
    name = getattr(rule, "name", "") or code
    docs = rule.docs()
    short = rule.summary() or name
    full = " ".join(rule.doc_section("Why is this bad?").split()) or short
    tags = ["dockerfile", *getattr(rule, "groups", ()), *rule.aliases]
    descriptor = {
        "id": code,
        "name": name,
        "shortDescription": {"text": _clip(short)},
        "fullDescription": {"text": _clip(full)},
        "helpUri": _common.rule_docs_uri(rule),
        "help": {"text": _clip(_plain(docs) or full), "markdown": docs or full},
        "defaultConfiguration": {"level": level(rule.severity), "enabled": bool(rule.enabled)},
        "properties": {"tags": list(dict.fromkeys(tags))[:MAX_TAGS]},
    }
    # docs/rules/<CODE>.md (dlint.docsgen) documents the built-in rules only; a plugin rule
    # may name its own page with a `help_uri` class attribute
    if descriptor["helpUri"] is None:
        del descriptor["helpUri"]
    return descriptor


def _synthetic_descriptor(finding: Finding) -> dict:
    """A rules[] entry for a code no known rule declares (the message is all we know)."""
    name = finding.name or finding.code
    text = f"{finding.code} {name}".strip()
    return {
        "id": finding.code,
        "name": name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "helpUri": _common.INFORMATION_URI,  # no docs page for an unknown code
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {"tags": ["dockerfile", *finding.aliases][:MAX_TAGS]},
    }


def _subcode_descriptor(finding: Finding, rule: type[Rule]) -> dict:
    """A rules[] entry for a code a rule reports under its `subcodes` (ShellCheck's
    SC2086): the rule's own docs, the code's description and help page."""
    summary = (rule.subcode_docs(finding.code) or (finding.code,))[0]
    help_uri = _common.rule_docs_uri(rule, finding.code)
    docs = rule.docs()
    help_text = f"{finding.code}: {summary}. Documentation: {help_uri}"
    return {
        "id": finding.code,
        "name": f"{rule.name}/{finding.code}",
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(finding.message or summary)},
        "helpUri": help_uri,
        "help": {"text": _clip(help_text), "markdown": f"{help_text}\n\n{docs}" if docs else help_text},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {"tags": ["dockerfile", rule.name]},
    }


def _subcode_rule(code: str, rules) -> type[Rule] | None:
    for rule in rules:
        pattern = getattr(rule, "subcodes", "")
        if pattern and re.fullmatch(pattern, code):
            return rule
    return None


def _uri(path: str) -> str:
    # A relative URI reference: percent-encode what a URI cannot hold (spaces, %, #, ?).
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def _fix(finding: Finding, report: Report) -> dict:
    """The finding's fix as a SARIF fix: one artifactChange, a replacement per edit
    (regions 1-based, end column exclusive like TextEdit). properties.safe says whether
    `dlint check --fix` applies it or only `--fix --unsafe-fixes`."""
    fix = finding.fix
    return {
        "description": {"text": fix.description + ("" if fix.safe else " (unsafe)")},
        "artifactChanges": [{
            "artifactLocation": {
                "uri": _uri(_common.relative_path(finding.file, report.root)),
                "uriBaseId": "%SRCROOT%",
            },
            "replacements": [{
                "deletedRegion": {"startLine": e.line, "startColumn": e.column,
                                  "endLine": e.end_line, "endColumn": e.end_column},
                "insertedContent": {"text": e.text},
            } for e in fix.edits],
        }],
        "properties": {"safe": fix.safe},
    }


def sarif_log(findings: list[Finding], report: Report) -> dict:
    findings = _common.sorted_findings(findings)
    version = _common.tool_version(report)

    descriptors = [rule_descriptor(rule) for rule in sorted(report.rules, key=lambda r: r.code)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            owner = _subcode_rule(finding.code, report.rules)
            descriptors.append(_synthetic_descriptor(finding) if owner is None
                               else _subcode_descriptor(finding, owner))

    results = []
    for finding, (line_hash, _unique) in zip(findings, _common.fingerprints(findings, report)):
        pos = _common.position(finding)
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": level(finding.severity),
            "message": {"text": finding.message or finding.name or finding.code},
            "locations": [{"physicalLocation": {
                "artifactLocation": {
                    "uri": _uri(_common.relative_path(finding.file, report.root)),
                    "uriBaseId": "%SRCROOT%",
                },
                "region": {
                    "startLine": pos.line,
                    "startColumn": pos.column,
                    "endLine": pos.end_line,
                    "endColumn": pos.end_column + 1,  # SARIF: exclusive end
                },
            }}],
            "partialFingerprints": {"primaryLocationLineHash": line_hash},
        })
        if finding.fix is not None and finding.fix.edits:
            results[-1]["fixes"] = [_fix(finding, report)]

    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": _common.TOOL_NAME,
                "version": version,
                "semanticVersion": version,
                "informationUri": _common.INFORMATION_URI,
                "rules": descriptors,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def render(findings: list[Finding], report: Report) -> str:
    return json.dumps(sarif_log(findings, report), indent=2) + "\n"
