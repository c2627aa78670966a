"""## What it does
Checks for more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in the same stage.
Each is reported at the earlier instruction, the one the later overrides.

Docker build check `MultipleInstructionsDisallowed`; hadolint DL4003 (`CMD`), DL4004
(`ENTRYPOINT`) and DL3012 (`HEALTHCHECK`). `HEALTHCHECK NONE` counts as a
`HEALTHCHECK`. Instructions of a stage this stage is built `FROM` do not count: replacing
the parent's `CMD` is what a child stage is for.

Differs from hadolint: hadolint reports the later instruction; dlint, like BuildKit, the
one that has no effect.

## Why is this bad?
Only the last one takes effect. The earlier one is dead code that looks live: someone
edits it and nothing changes.

## Example
```dockerfile
FROM python:3.12-slim
CMD ["python", "manage.py", "migrate"]
CMD ["gunicorn", "app:app"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
CMD ["gunicorn", "app:app"]
```

## Fix
Delete the earlier instruction, or merge what it was meant to do into the last one
(an entrypoint script for several commands).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

TRACKED = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


class MultipleInstructionsDisallowed(Rule):
    code = "DF811"
    name = "multiple-instructions-disallowed"
    severity = "warning"
    aliases = ("MultipleInstructionsDisallowed", "DL3012", "DL4003", "DL4004")
    keywords = TRACKED
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            previous = {}
            for ins in stage.instructions:
                if ins.keyword not in TRACKED:
                    continue
                earlier = previous.get(ins.keyword)
                if earlier is not None:
                    yield self.report(ctx, earlier, f"Multiple {ins.raw_keyword} instructions should not "
                                                    f"be used in the same stage because only the last one "
                                                    f"will be used")
                previous[ins.keyword] = ins
