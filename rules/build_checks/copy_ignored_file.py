"""## What it does
Checks for `COPY` and `ADD` sources that the build context's `.dockerignore` excludes.

Docker build check `CopyIgnoredFile`. The ignore file is the one the docker CLI uses:
`<Dockerfile name>.dockerignore` next to the Dockerfile, else `.dockerignore` at the
context root (dlint takes the Dockerfile's folder as the context). As in BuildKit:
`COPY --from=...`, URLs and git sources are not checked; sources are expanded and
cleaned (`./a/../b` is `b`); a source is reported when a pattern matches it or one of its
parent folders; the context root (`COPY . .`) only when a pattern is exactly `*`, `**`
or `**/*`; and nothing is checked when the file has any `!` exception (which could
re-include the source). Matching is the docker SDK's port of moby's patternmatcher, the
one dlint's cache analysis uses.

## Why is this bad?
The file never reaches the builder: the `COPY` fails with "not found" (or, for a
wildcard or a folder, silently copies less than it says), usually long after the
`.dockerignore` entry was added for another reason.

## Example
```dockerfile
FROM python:3.12-slim
# .dockerignore contains: *.env
COPY settings.env /app/
```
Use instead:
```dockerfile
FROM python:3.12-slim
# .dockerignore contains: *.env
#                         !settings.env
COPY settings.env /app/
```

## Fix
Remove the pattern from `.dockerignore`, add a `!` exception for the file, or stop
copying it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.api import Finding, Rule

ROOT_PATTERNS = ("*", "**", "**/*")


def _is_remote(source: str) -> bool:
    low = source.lower()
    return low.startswith(("http://", "https://", "git@", "git://")) or "://" in low


def _clean(source: str) -> str:
    path = posixpath.normpath("/" + source.replace("\\", "/")).lstrip("/")
    return path or "."


class CopyIgnoredFile(Rule):
    code = "DF818"
    name = "copy-ignored-file"
    severity = "warning"
    aliases = ("CopyIgnoredFile",)
    keywords = ("COPY", "ADD")
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        matcher = ctx.dockerignore
        if not matcher:
            return
        patterns = matcher.patterns
        if any(p.startswith("!") for p in patterns):
            return
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword not in ("COPY", "ADD"):
                    continue
                if ins.keyword == "COPY" and ins.flag("from") is not None:
                    continue
                words = ins.value[:-1]
                if ins.heredocs:
                    words = [w for w in words if not w.startswith("<<")]
                state = model.state_at(ins)
                verb = "Copy" if ins.keyword == "COPY" else "Add"
                for word in words:
                    expansion = state.expand(word)
                    if expansion.unresolved or _is_remote(expansion.value):
                        continue
                    path = _clean(expansion.value)
                    if path == ".":
                        hit = any(p.strip() in ROOT_PATTERNS for p in patterns)
                    else:
                        hit = matcher.excluded(path)
                    if hit:
                        yield self.report(ctx, ins, f'Attempting to {verb} file "{path}" that is '
                                                    f'excluded by .dockerignore')
