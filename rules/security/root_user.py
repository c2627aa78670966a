"""## What it does
Checks for stages that end as root: the last USER in effect is `root` or `0`.

`USER root`, `USER 0`, `USER root:group` and `USER 0:0` are root; a group of 0 with
another user is not.

Checked per stage: the last stage, and any stage no other stage uses (it can be built
with `--target`); a stage built `FROM` an earlier one inherits its USER, so the finding
points at the USER that is still in effect. Build stages that are only read through
`COPY --from` are not checked: their user never runs anything in the image. USER values
given through an ARG default are checked with the default substituted; an ARG without a
default is not guessed. A stage that never sets USER is missing-user's finding. Windows
stages are not checked (their accounts are not Unix users).

## Why is this bad?
A process running as root in the container is root on the container's filesystem and,
after a container escape, much closer to root on the host. Most services do not need it.

## Example
```dockerfile
FROM debian:bookworm-slim
USER app
RUN ./build.sh
USER root
CMD ["./server"]
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
USER root
RUN ./build.sh
USER app
CMD ["./server"]
```

## Fix
Do the work that needs root first, then switch to an unprivileged user with `USER` as
the last USER of the stage (create it with `useradd`/`adduser` if the base image has
none, or use a numeric UID such as `USER 10001`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


ROOT_USERS = frozenset({"root", "0"})


def _runnable_stages(model):
    """The last stage and every stage no other stage uses (a possible --target)."""
    used = {id(dep.stage) for stage in model.stages for dep in model.dependencies(stage)
            if dep.stage is not None and dep.stage is not stage}
    return [s for s in model.stages if id(s) not in used or s is model.final_stage]


def _last_user(stage):
    """The last USER instruction in effect at the end of `stage` (FROM chain included)."""
    seen = 0
    while stage is not None and seen < 1000:
        for ins in reversed(stage.instructions):
            if ins.keyword == "USER" and ins.value:
                return ins
        stage = stage.base_stage
        seen += 1
    return None


class RootUser(Rule):
    code = "DF301"
    name = "root-user"
    severity = "warning"
    aliases = ("DL3002",)
    keywords = ("USER",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        reported: set[int] = set()
        for stage in _runnable_stages(model):
            if stage.windows:
                continue
            ins = _last_user(stage)
            if ins is None or id(ins) in reported:
                continue
            expansion = model.expand(ins.value[0], ins)
            if expansion.unresolved:
                continue
            user = expansion.value.split(":", 1)[0].strip()
            if user not in ROOT_USERS:
                continue
            reported.add(id(ins))
            label = f"stage `{stage.label}`" if len(model.stages) > 1 else "the image"
            yield self.report(
                ctx,
                ins,
                f"The last USER of {label} is `{expansion.value}`: the container runs as "
                f"root. Switch to an unprivileged user after the steps that need root.",
            )
