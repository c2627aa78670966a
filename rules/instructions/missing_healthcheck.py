"""## What it does
Checks for a service image without `HEALTHCHECK`.

A service image, for this rule, is one whose final stage (or an earlier stage it is
built `FROM`) declares `EXPOSE`: it listens on a port, so there is something to check.
CMD or ENTRYPOINT alone do not make a service (command-line tools and batch jobs have
them too). A HEALTHCHECK inherited from an earlier stage of the file counts, and so does
`HEALTHCHECK NONE` (an explicit decision). A HEALTHCHECK in the base image cannot be
seen from the Dockerfile: suppress the finding (`# dlint: ignore=missing-healthcheck`)
when the base image provides one.

## Why is this bad?
Without a health check, Docker (and Swarm, and Compose's `depends_on: service_healthy`)
only knows whether the process is running, not whether it answers: a hung server stays
"Up" and keeps receiving traffic.

## Example
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80
```
Use instead:
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80
HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://localhost/ || exit 1
```

## Fix
Add a `HEALTHCHECK CMD ...` that probes the service cheaply (an HTTP health endpoint, a
TCP connect), or `HEALTHCHECK NONE` if the orchestrator does its own probing (Kubernetes
ignores HEALTHCHECK and uses its own probes).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



class MissingHealthcheck(Rule):
    code = "DF601"
    name = "missing-healthcheck"
    severity = "info"
    aliases = ("DL3057",)

    def check(self, ctx) -> Iterator[Finding]:
        final = ctx.model.final_stage
        if final is None:
            return
        instructions = [ins for stage in final.chain() for ins in stage.instructions]
        if any(ins.keyword == "HEALTHCHECK" for ins in instructions):
            return
        model = ctx.model
        ports = [model.expand(word, ins).value or word
                 for ins in instructions if ins.keyword == "EXPOSE" for word in ins.value]
        if not ports:
            return
        shown = ", ".join(ports[:4]) + (", ..." if len(ports) > 4 else "")
        yield self.report(
            ctx,
            final.from_instruction,
            f"The final stage exposes {shown} but has no HEALTHCHECK: Docker cannot tell a "
            f"hung service from a healthy one. Add `HEALTHCHECK CMD ...` (or "
            f"`HEALTHCHECK NONE`).",
        )
