"""## What it does
Checks for a final stage that never sets `USER`, neither itself nor through the earlier
stages it is built `FROM`.

Not reported: a base image whose tag or name says it runs as non-root
(`gcr.io/distroless/static:nonroot`, `...-nonroot`), Windows stages (their default
account is not root), and a final stage whose last USER is root (root-user reports that).

## Why is this bad?
Without USER, the container runs as the base image's default user, which for nearly
every base image (debian, ubuntu, alpine, python, node, scratch...) is root. Running as
root turns any bug in the application into a root compromise of the container.

## Example
```dockerfile
FROM python:3.12-slim
COPY app.py /app/
CMD ["python", "/app/app.py"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
RUN useradd --create-home --uid 10001 app
COPY app.py /app/
USER app
CMD ["python", "/app/app.py"]
```

## Fix
Create an unprivileged user (or pick a numeric UID) and add `USER` to the final stage,
after the steps that need root. If the base image already runs as a non-root user, say
so explicitly with `USER` anyway: readers and scanners then need not know the base.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



class MissingUser(Rule):
    code = "DF302"
    name = "missing-user"
    severity = "info"

    def check(self, ctx) -> Iterator[Finding]:
        final = ctx.model.final_stage
        if final is None or final.windows:
            return
        chain = list(final.chain())
        if any(ins.keyword == "USER" for stage in chain for ins in stage.instructions):
            return
        image = final.root_image
        if image is not None and "nonroot" in image.text.lower():
            return
        root = chain[-1]
        base = "scratch" if root.is_scratch else f"`{root.base_name}`"
        yield self.report(
            ctx,
            final.from_instruction,
            f"The final stage never sets USER, so the container runs as the default user "
            f"of {base}, root for most images. Add `USER <non-root user>`.",
        )
