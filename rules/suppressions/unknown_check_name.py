"""## What it does
Checks for Docker build-check names in `# check=skip=...` that Docker ignores: a wrong case or a typo.

Docker's `check` parser directive (`# check=skip=JSONArgsRecommended,UndefinedVar` at the
top of the file, or a `# check=` comment right above one instruction) matches the names
in `skip=` and `experimental=` exactly, case included, and ignores a name it does not
know without a word (BuildKit's linter, reference/build-checks.md §4.1). Reported: a name
that differs from one of Docker's 22 check names only in case (`jsonargsrecommended`),
`skip=ALL` (only a lower-case `all` skips every check), and a name one or two letters
away from a check name (`UndefinedVars`). A name far from every known check is not
reported: it may be a check added to Docker after this release of dlint.

## Why is this bad?
The directive looks like it turns a check off, but the build still runs it (and with
`error=true` fails on it); in dlint too, the build-check rule still reports, since dlint
applies the directive the way Docker does.

## Example
```dockerfile
# check=skip=jsonargsrecommended
FROM alpine:3.20
CMD echo hello
```
Use instead:
```dockerfile
# check=skip=JSONArgsRecommended
FROM alpine:3.20
CMD echo hello
```

## Fix
Write the check's name as Docker spells it (`dlint rules` lists them as the aliases of
the build-check rules; `docker build --check` prints them), or `skip=all`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, Span, parse_check_value, suggest

# Docker's build checks (frontend/dockerfile/linter/ruleset.go, dockerfile 1.26)
DOCKER_CHECKS = (
    "StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing",
    "DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated",
    "UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat", "InvalidBaseImagePlatform", "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
)
_BY_LOWER = {name.lower(): name for name in DOCKER_CHECKS}


class UnknownCheckName(Rule):
    code = "DF014"
    name = "unknown-check-name"
    severity = "warning"
    triggers = ("check",)  # the directive's name: files without it cost nothing

    def check(self, ctx) -> Iterator[Finding]:
        document = ctx.document
        sources = []  # (line, value) of the file directive and of `# check=` comments
        directive = document.directive("check")
        if directive is not None:
            sources.append((directive.line, directive.value))
        directive_lines = {d.line for d in document.directives}
        for comment in document.comments:
            if comment.line in directive_lines or "check" not in comment.text:
                continue
            key, sep, value = comment.text.partition("=")
            if sep and key.strip().lower() == "check":
                sources.append((comment.line, value))
        for line, value in sources:
            options = parse_check_value(value)
            if options.problem is not None:
                continue  # a value BuildKit rejects is a syntax error, reported as such
            names = set(options.skip) | set(options.experimental)
            text = document.lines[line - 1] if line <= len(document.lines) else ""
            for name in sorted(names):
                message = _problem(name)
                if message is None:
                    continue
                at = text.find(name, text.find("check"))
                column = at + 1 if at >= 0 else 1
                end = column + len(name) - 1 if at >= 0 else max(1, len(text.rstrip()))
                yield self.report(ctx, Span(line, column, line, end), message)


def _problem(name: str) -> str | None:
    if name in _BY_LOWER.values() or name == "all":
        return None
    if name.lower() == "all":
        return (f"`{name}` is not `all`: Docker skips every check only for a lower-case `all`, "
                f"and ignores `{name}` as an unknown check name. Write `skip=all`.")
    exact = _BY_LOWER.get(name.lower())
    if exact is not None:
        return (f"`{name}` is not a Docker build check: names are case-sensitive, and Docker "
                f"ignores unknown ones without a warning. Write `{exact}`.")
    close = suggest(name, DOCKER_CHECKS)
    if close is not None:
        return (f"`{name}` is not a Docker build check, and Docker ignores unknown names without "
                f"a warning. Did you mean `{close}`?")
    return None
