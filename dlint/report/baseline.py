"""Baselines: today's findings recorded in a file, so that later runs report only new ones.

    dlint check --write-baseline .dlint-baseline.json     record every current finding
    dlint check --baseline .dlint-baseline.json           report only findings not in it

A finding is recorded by the fingerprint the CI formats already use (_common.fingerprints:
SARIF's primaryLocationLineHash, GitLab's fingerprint): a hash of the rule code and the
whitespace-normalised text of the lines the finding points at, never the line number, so
lines added or removed elsewhere in the file do not make an old finding new. Identical
findings (same file, code and text) are counted: the baseline holds the count, and the
finding whose occurrence number (in line order) is above the recorded count is new; two
identical findings with one in the baseline report one.

The file is JSON, version 1, sorted by file, code and fingerprint, one entry per
(file, code, fingerprint), with the rule name and the start of the source text for
readers (not matched), so that writing it twice gives the same bytes and a rewritten
baseline diffs well:

    {
      "version": 1,
      "tool": "dlint",
      "findings": [
        {"file": "Dockerfile", "code": "DF501", "name": "apt-lists-not-removed",
         "fingerprint": "3f2a...", "count": 1, "text": "RUN apt-get update && ..."}
      ]
    }

Paths are as findings show them: relative to --root (default: the working directory), with
"/". A file that is missing, not JSON or not of this shape is a BaselineError (one line).
"""

from __future__ import annotations

import json
import os
import re

from dlint.report import _common

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~5 ms of startup
if TYPE_CHECKING:
    from dlint.lint.finding import Finding
    from dlint.report import Report

VERSION = 1
TEXT_LIMIT = 120  # characters of source text kept for readers of the file
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{16}$")


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a dlint baseline (one line)."""


def _keys(findings: list[Finding], report: Report) -> list[tuple[str, str, str, int]]:
    """(file, code, fingerprint, occurrence) per finding, in the same order."""
    out = []
    for finding, (line_hash, _unique) in zip(findings, _common.fingerprints(findings, report)):
        fingerprint, _, occurrence = line_hash.rpartition(":")
        out.append((_common.relative_path(finding.file, report.root), finding.code, fingerprint, int(occurrence)))
    return out


def render(findings: list[Finding], report: Report) -> str:
    """The baseline file recording ``findings`` (the text written by --write-baseline)."""
    entries: dict[tuple[str, str, str], dict] = {}
    for finding, (path, code, fingerprint, _occurrence) in zip(findings, _keys(findings, report)):
        entry = entries.get((path, code, fingerprint))
        if entry is None:
            text = _common.line_text(finding, report)
            if len(text) > TEXT_LIMIT:
                text = text[: TEXT_LIMIT - 3] + "..."
            entries[(path, code, fingerprint)] = {
                "file": path, "code": code, "name": finding.name, "fingerprint": fingerprint,
                "count": 1, "text": text,
            }
        else:
            entry["count"] += 1
    body = {"version": VERSION, "tool": "dlint", "findings": [entries[k] for k in sorted(entries)]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def write(path: str, findings: list[Finding], report: Report) -> int:
    """Write the baseline of ``findings`` to ``path`` atomically; returns the number of findings."""
    text = render(findings, report)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise BaselineError(f"cannot write baseline {path}: {_cause(exc)}") from None
    return len(findings)


def _cause(exc: OSError) -> str:
    from dlint.lint.engine import os_error_cause

    return os_error_cause(exc)


class Baseline:
    """The recorded counts: (file, code, fingerprint) -> count."""

    def __init__(self, counts: dict[tuple[str, str, str], int]):
        self.counts = counts

    def __len__(self) -> int:
        return sum(self.counts.values())

    def new_findings(self, findings: list[Finding], report: Report) -> list[Finding]:
        """The findings not in the baseline, in their order: a finding is known when its
        occurrence number among identical ones is within the recorded count."""
        return [
            finding for finding, (path, code, fingerprint, occurrence) in zip(findings, _keys(findings, report))
            if occurrence > self.counts.get((path, code, fingerprint), 0)
        ]


def load(path: str) -> Baseline:
    """Read a baseline file; BaselineError (one line naming the file) when it is missing,
    unreadable, not JSON or not a dlint baseline of a version this dlint reads."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"baseline {path}: {_cause(exc)}") from None
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {path}: not UTF-8 text") from None
    except ValueError as exc:  # json.JSONDecodeError
        raise BaselineError(f"baseline {path}: not valid JSON ({' '.join(str(exc).split())})") from None
    if not isinstance(data, dict) or "findings" not in data or "version" not in data:
        raise BaselineError(f"baseline {path}: not a dlint baseline (expected an object with "
                            f"\"version\" and \"findings\"; write one with --write-baseline)")
    version = data["version"]
    if version != VERSION or isinstance(version, bool):
        raise BaselineError(f"baseline {path}: version {json.dumps(version)} is not supported "
                            f"(this dlint reads version {VERSION})")
    entries = data["findings"]
    if not isinstance(entries, list):
        raise BaselineError(f"baseline {path}: \"findings\" must be a list")
    counts: dict[tuple[str, str, str], int] = {}
    for number, entry in enumerate(entries, 1):
        problem = _entry_problem(entry)
        if problem is not None:
            raise BaselineError(f"baseline {path}: finding {number}: {problem}")
        key = (entry["file"], entry["code"], entry["fingerprint"])
        counts[key] = counts.get(key, 0) + entry["count"]
    return Baseline(counts)


def _entry_problem(entry) -> str | None:
    if not isinstance(entry, dict):
        return "not an object"
    for key in ("file", "code", "fingerprint"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return f"\"{key}\" must be a non-empty string"
    if not _FINGERPRINT_RE.match(entry["fingerprint"]):
        return "\"fingerprint\" must be 16 lower-case hex digits"
    count = entry.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return "\"count\" must be a positive integer"
    entry["count"] = count
    return None
