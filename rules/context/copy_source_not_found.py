"""## What it does
Checks for `COPY`/`ADD` sources that are not in the build context.

A source named without wildcards that is missing from the context fails the build ("failed to compute cache key:
... not found"). A source that exists but that `.dockerignore` hides fails the same way;
Docker's own check for that, copy-ignored-file (DF818, `CopyIgnoredFile`), reports it when
it can, and this rule reports it only where DF818 is silent (the ignore file has `!`
exceptions), naming the `.dockerignore` line that hides the source.

Wildcard sources are not checked: BuildKit copies nothing, without an error, when a
wildcard matches nothing (`AllowEmptyWildcard` in dockerfile2llb). Sources using a
variable are not checked (a build arg could change them), nor `COPY --from`, URLs, git
sources, heredocs and Windows stages.

The build context is the Dockerfile's folder unless `--context`, the config's
`contexts` table or a compose file names one. With the default, a Dockerfile is often
built with another context (`docker build -f docker/Dockerfile .`), so the rule reports
only when at least one other source of the file is found in that folder; with a named
context it always reports. Stdin has no context: the rule is silent.

## Why is this bad?
The build stops at this step, after every step before it ran; in CI that is minutes lost
on a typo or on a file that is generated elsewhere.

## Example
```dockerfile
# the context holds app.py and requirements.txt
FROM python:3.12-slim
COPY requirements.txt app.py settings.py /app/
```
Use instead:
```dockerfile
FROM python:3.12-slim
COPY requirements.txt app.py /app/
```

## Fix
Fix the path, create the file before the build, build with the right context
(`--context` tells dlint which one), or remove the `.dockerignore` line that hides it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class CopySourceNotFound(Rule):
    code = "DF305"
    name = "copy-source-not-found"
    severity = "error"
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        sources = [s for s in ctx.context_sources() if s.path != ""]
        if not sources:
            return
        context = ctx.build_context
        if context is None:
            return
        # this file's own context, named or defaulted (not whether another file of the run
        # named the same folder: a file's findings never depend on the others linted)
        if not ctx.context_explicit and not any(
                (context.match(s.path) if s.wildcard else context.exists(s.path)) for s in sources):
            return  # nothing of this file is here: probably not its build context
        exceptions = any(p.startswith("!") for p in context.ignore.patterns)
        for source in sources:
            if source.wildcard:
                continue
            ins = source.instruction
            if not context.exists(source.path):
                yield self.report(ctx, ins, (
                    f"`{ins.keyword}` source `{source.word}` is not in the build context: the "
                    f"build fails here (\"{source.path}\": not found)"))
            elif exceptions and not context.visible(source.path):
                found = context.excluding_pattern(source.path)
                if found is None:
                    continue  # hidden some other way (a symlinked folder): not sure
                where = f" by .dockerignore line {found[0]} `{found[1]}`" if found[0] else " by .dockerignore"
                yield self.report(ctx, ins, (
                    f"`{ins.keyword}` source `{source.word}` is excluded{where}: the build fails "
                    f"here (\"{source.path}\": not found)"))
