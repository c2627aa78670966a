"""## What it does
Checks for a final image whose user is set by name (`USER app`) rather than by numeric
ID (`USER 10001`).

Only the USER in effect at the end of the last stage is checked (the one the container
runs as), inherited from an earlier stage it is built `FROM` included. `root` is left to
root-user; a user given through an ARG is checked with the ARG's value when known and
skipped otherwise; Windows stages are not checked (their users are names).

Off by default: the finding matters only where a runtime insists on a numeric user, such
as Kubernetes with `runAsNonRoot: true`; on the corpus (1,366 real Dockerfiles) it
fires on 72 files, most of which run fine with a named user. dlint differs from hadolint
2.15.1 (DL3066), which is on by default and reports every non-numeric USER of every stage
(208 findings on the corpus; fixture `good-earlier-stage`); hadolint itself narrowed the
rule to the last USER after 2.15.1 (PR #1239). A user name given through ENV or an ARG
default is checked with its value (fixture `bad-arg`), where hadolint skips variables.

## Why is this bad?
A user name is resolved through the image's `/etc/passwd` at run time; the host and the
orchestrator cannot see it. Kubernetes with `runAsNonRoot: true` refuses to start a
container whose image user is not numeric ("image has non-numeric user ... cannot verify
user is non-root").

## Example
```dockerfile
FROM node:22-slim
USER node
CMD ["node", "server.js"]
```
Use instead:
```dockerfile
FROM node:22-slim
USER 1000:1000
CMD ["node", "server.js"]
```

## Fix
Use the numeric UID (and GID) of the user: `USER 10001:10001`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule


class NonNumericUser(Rule):
    code = "DF207"
    name = "non-numeric-user"
    severity = "info"
    aliases = ("DL3066",)
    keywords = ("USER",)
    enabled = False

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        final = model.final_stage
        if final is None or final.windows:
            return
        last = None
        for stage in final.chain():
            users = [ins for ins in stage.instructions if ins.keyword == "USER" and ins.value]
            if users:
                last = users[-1]
                break
        if last is None:
            return
        user = model.expand(last.value[0], last)
        if user.unresolved:
            return
        name = user.value.split(":", 1)[0]
        if not name or name.isdigit() or name == "root":
            return
        yield self.report(
            ctx, last,
            f"The image runs as user `{name}`, a name: runtimes that must check the user is "
            f"not root (Kubernetes `runAsNonRoot`) refuse it. Use its numeric UID, e.g. "
            f"`USER 10001`.")
