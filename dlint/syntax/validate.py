"""What BuildKit's instruction layer (frontend/dockerfile/instructions/parse.go, and
dockerfile2llb for "no stages") rejects in a file its parser accepted.

Deliberately conservative: only checks BuildKit really makes before building (argument
counts, declared flags and their types, HEALTHCHECK options, ONBUILD triggers, SHELL
form, stage names, instructions before the first FROM). Anything BuildKit only checks
while building (ARG expansion, --chmod values, ...) is left to lint rules.
"""

from __future__ import annotations

import re

from dlint._regex import LazyPattern

from .nodes import Document, Flag, Instruction, SyntaxIssue

# flag name -> type: "bool", "string" (one value), "strings" (repeatable)
_FLAGS: dict[str, dict[str, str]] = {
    "FROM": {"platform": "string"},
    "RUN": {"mount": "strings", "network": "string", "security": "string", "device": "strings"},
    "COPY": {"from": "string", "chown": "string", "chmod": "string", "link": "bool",
             "parents": "bool", "exclude": "strings"},
    "ADD": {"chown": "string", "chmod": "string", "link": "bool", "keep-git-dir": "bool",
            "checksum": "string", "exclude": "strings", "parents": "bool", "unpack": "bool"},
    "HEALTHCHECK": {"interval": "string", "timeout": "string", "start-period": "string",
                    "start-interval": "string", "retries": "string"},
}
_VALID_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*")
_DURATION = LazyPattern(r"[-+]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)")
_UNIT_NS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000,
            "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = LazyPattern(r"([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def _duration_ns(text: str) -> int | None:
    """Go's time.ParseDuration, in nanoseconds (None when Go rejects it)."""
    if not _DURATION.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    total = 0.0
    for number, unit in _DURATION_PART.findall(body):
        total += float(number) * _UNIT_NS[unit]
    if total > 2**63 - 1:
        return None
    return sign * int(total)


def _issue(message: str, instr: Instruction, flag: Flag | None = None) -> SyntaxIssue:
    span = flag.span if flag is not None and flag.span is not None else instr.span
    if span is None:
        return SyntaxIssue(message, instr.start_line, layer="instruction")
    return SyntaxIssue(message, span.line, span.column, span.end_line, span.end_column, layer="instruction")


def _check_flags(instr: Instruction, allowed: dict[str, str]) -> list[SyntaxIssue]:
    used: set[str] = set()
    for flag in instr.flags:
        name = flag.name
        kind = allowed.get(name)
        if kind is None:
            return [_issue(f"unknown flag: {name}", instr, flag)]
        if name in used and kind != "strings":
            return [_issue(f"duplicate flag specified: {name}", instr, flag)]
        used.add(name)
        if kind == "bool":
            if flag.value == "":
                return [_issue(f"missing a value on flag: {name}", instr, flag)]
            if flag.value is not None and flag.value.lower() not in ("true", "false"):
                return [_issue(f"expecting boolean value for flag {name}, not: {flag.value}", instr, flag)]
        elif flag.value is None:
            return [_issue(f"missing a value on flag: {name}", instr, flag)]
    return []


def check_instruction(instr: Instruction) -> list[SyntaxIssue]:
    kw = instr.keyword
    args = instr.value
    n = len(args)
    if kw == "ONBUILD":
        sub = instr.sub_instruction
        if sub is None:
            return [_issue("ONBUILD requires at least one argument", instr)]
        issues = _check_flags(instr, {})
        if issues:
            return issues
        trigger = sub.raw_keyword.strip().upper()
        if trigger == "ONBUILD":
            return [_issue("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", instr)]
        if trigger in ("MAINTAINER", "FROM"):
            return [_issue(f"{trigger} isn't allowed as an ONBUILD trigger", instr)]
        return []
    if kw not in ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
                  "LABEL", "MAINTAINER", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"):
        return [_issue(f"unknown instruction: {instr.raw_keyword}", instr)]
    if kw in ("ENV", "LABEL", "ARG", "EXPOSE", "VOLUME") and n == 0:
        return [_issue(f"{kw} requires at least one argument", instr)]
    if kw in ("MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL") and n != 1:
        return [_issue(f"{kw} requires exactly one argument", instr)]
    if kw == "FROM":
        if n == 3 and args[1].lower() == "as":
            if not _VALID_STAGE_NAME.fullmatch(args[2].lower()):
                return [_issue(f'invalid name for build stage: "{args[2]}", name can\'t start with a number '
                               "or contain symbols", instr)]
        elif n != 1:
            return [_issue("FROM requires either one or three arguments", instr)]
    if kw in ("ADD", "COPY") and n < 2:
        return [_issue(f"{kw} requires at least two arguments, but only one was provided. "
                       "Destination could not be determined", instr)]
    if kw == "SHELL":
        if n == 0:
            return [_issue("SHELL requires at least one argument", instr)]
        if not instr.json:
            return [_issue("SHELL requires the arguments to be in JSON form", instr)]
    if kw == "VOLUME" and any(not v.strip() for v in args):
        return [_issue("VOLUME specified can not be an empty string", instr)]
    if kw == "HEALTHCHECK":
        if n == 0:
            return [_issue("HEALTHCHECK requires at least one argument", instr)]
        typ = args[0].upper()
        if typ == "NONE":
            # BuildKit declares and parses no flags for HEALTHCHECK NONE.
            return [] if n == 1 else [_issue("HEALTHCHECK NONE takes no arguments", instr)]
        if typ != "CMD":
            return [_issue(f'Unknown type "{typ}" in HEALTHCHECK (try CMD)', instr)]
        if n == 1:
            return [_issue("Missing command after HEALTHCHECK CMD", instr)]
        issues = _check_flags(instr, _FLAGS["HEALTHCHECK"])
        if issues:
            return issues
        for name in ("interval", "timeout", "start-period", "start-interval"):
            flag = instr.flag(name)
            if flag is None or not flag.value:
                continue
            ns = _duration_ns(flag.value)
            if ns is None:
                return [_issue(f'time: invalid duration "{flag.value}"', instr, flag)]
            if ns != 0 and ns < 1_000_000:
                return [_issue(f'Interval "{name}" cannot be less than 1ms', instr, flag)]
        flag = instr.flag("retries")
        if flag is not None and flag.value:
            try:
                retries = int(flag.value, 10)
            except ValueError:
                retries = None
            if retries is None or not -2**31 <= retries < 2**31 or not flag.value.lstrip("+-").isascii():
                return [_issue(f'strconv.ParseInt: parsing "{flag.value}": invalid syntax', instr, flag)]
            if retries < 0:
                return [_issue("--retries cannot be negative", instr, flag)]
        return []
    return _check_flags(instr, _FLAGS.get(kw, {}))


def check_document(doc: Document) -> list[SyntaxIssue]:
    """Instruction-layer errors for a whole document (one per offending instruction)."""
    issues: list[SyntaxIssue] = []
    seen_from = False
    before_from = False
    for instr in doc.instructions:
        issues += check_instruction(instr)
        if instr.keyword == "FROM":
            seen_from = True
        elif not seen_from and not before_from and instr.keyword != "ARG" and instr.keyword in _KNOWN:
            # One finding for one cause: BuildKit stops at the first instruction before
            # any FROM; the ones after it, and "no stages" for a file without FROM, are
            # the same mistake.
            before_from = True
            issues.append(_issue("no build stage in current context", instr))
    if doc.instructions and not seen_from and not before_from:
        last = doc.instructions[-1]
        issues.append(SyntaxIssue("dockerfile contains no stages to build", last.start_line, layer="instruction"))
    check = doc.directive("check")
    if check is not None:
        from .check_directive import parse_check_value

        problem = parse_check_value(check.value).problem
        if problem is not None:  # BuildKit fails the build before reading any instruction
            issues.append(SyntaxIssue(f"failed to parse check options: {problem}", check.line, layer="instruction"))
    return issues


_KNOWN = frozenset(("ADD", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL",
                    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"))
