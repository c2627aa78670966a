"""## What it does
Checks for a comment right above a named stage (`FROM ... AS name`) or an `ARG` that
does not start with the name it describes: `# name <description>`. Off by default.

Docker build check `InvalidDefinitionDescription`, experimental (off by default) in
Docker too: `docker buildx build --call=outline` and `--call=targets` show these
comments as the description of build args and targets. For an `ARG` declaring several
names, any of them may start the comment.

Differs from BuildKit: the comment must be on the line right above (BuildKit's parser
also takes comments separated by blank lines; its documentation says a blank line is
enough to detach a comment, and dlint follows the documentation), and dlint's and
hadolint's pragmas (`# dlint: ignore=...`, `# hadolint ignore=...`) and `# check=`
comments are not descriptions.

## Why is this bad?
Tools that list a Dockerfile's targets and build args read the comment above the
definition as its description only in this form; any other comment there is shown as
nothing, or makes the file's documentation inconsistent.

## Example
```dockerfile
# Builds the frontend bundle
FROM node:20 AS web
# Version of Go to use
ARG GO_VERSION=1.22
```
Use instead:
```dockerfile
# web builds the frontend bundle
FROM node:20 AS web
# GO_VERSION is the version of Go to use
ARG GO_VERSION=1.22
```

## Fix
Start the comment with the stage or `ARG` name, or separate it from the definition with
a blank line if it is not a description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, LazyPattern, Rule

NOT_DESCRIPTION = LazyPattern(r"^(?:(?:dlint|hadolint)\s*:?\s*(?:global\s+|stage\s+)?(?:ignore|shell)\s*=|check\s*=)",
                             re.IGNORECASE)


class InvalidDefinitionDescription(Rule):
    code = "DF819"
    name = "invalid-definition-description"
    severity = "warning"
    enabled = False
    aliases = ("InvalidDefinitionDescription",)
    keywords = ("FROM", "ARG")
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for ins in ctx.document.instructions:
            if ins.keyword == "FROM":
                if len(ins.value) < 3 or ins.value[1].lower() != "as":
                    continue
                names = [ins.value[2].lower()]
                shown = names[0]
            elif ins.keyword == "ARG":
                names = [w.partition("=")[0] for w in ins.value]
                if not names:
                    continue
                shown = names[0] if len(names) == 1 else "<arg_key>"
            else:
                continue
            comments = ctx.comments_above(ins)
            if not comments or comments[-1].line != ins.start_line - 1:
                continue
            last = comments[-1].text
            if NOT_DESCRIPTION.match(last):
                continue
            words = last.split()
            first = words[0] if words else ""
            if first not in names:
                yield self.report(ctx, ins, f"Comment for {ins.keyword} should follow the format: "
                                            f"`# {shown} <description>`")
