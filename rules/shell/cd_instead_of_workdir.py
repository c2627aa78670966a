"""## What it does
Checks for `cd` used where WORKDIR belongs. Reported: a RUN that starts by changing to a
fixed directory (`RUN cd /app && make`), and a `cd` that is the last command of a RUN,
whose effect is lost.

Not reported: a `cd` in the middle of a script (`tar xf src.tgz && cd src-1.2 && make`:
the usual way to build in a directory the RUN just made), a `cd` into `/tmp` or
`/var/tmp` (scratch work that must not become the working directory of later
instructions), `cd /`, `cd -`, relative targets, and a `cd` inside `$( )` or `sh -c`.

How dlint differs from hadolint (DL3003): hadolint reports every `cd` in a RUN, so
almost every source build gets a warning with advice that would make it worse (a
WORKDIR into a directory extracted in the same RUN is not even possible). On
../shared/corpus, hadolint reports 503 RUNs; dlint keeps the 101 that fit the two cases
where WORKDIR is the better tool, all of them among hadolint's (fixtures
`good-cd-mid-script.Dockerfile`, `good-tmp.Dockerfile`). Heredoc RUN bodies are read
like any script; Windows stages are not checked.

## Why is this bad?
`cd` lasts only until the end of its RUN. A RUN that opens with `cd /app` hides the
directory every following command works in, and the next RUN starts again from the
WORKDIR; a `cd` as the last command does nothing at all, and usually means its author
expected the next instruction to run there. WORKDIR states the directory once, creates it
if needed, and holds for every following RUN, COPY, CMD and ENTRYPOINT.

## Example
```dockerfile
FROM node:20-slim
COPY . /app
RUN cd /app && npm ci
```
Use instead:
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
```

## Fix
Set `WORKDIR /app` before the RUN and drop the `cd`; drop a trailing `cd`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

SCRATCH = ("/tmp", "/var/tmp")
PREAMBLE = frozenset({"set", "export", "umask", "echo", "true", ":"})


class CdInsteadOfWorkdir(Rule):
    code = "DF411"
    name = "cd-instead-of-workdir"
    severity = "warning"
    aliases = ("DL3003",)
    keywords = ("RUN",)
    triggers = ("cd",)

    def check(self, ctx) -> Iterator[Finding]:
        for _, script in ctx.run_scripts():
            commands = [c for c in script.commands
                        if not c.in_substitution and not c.background]
            if not commands:
                continue
            first = next((c for c in commands if c.name not in PREAMBLE), None)
            if first is not None and _fixed_cd(first) and first is not commands[-1]:
                yield self.report(
                    ctx, first,
                    f"This RUN starts with `cd {first.args[0]}`: set `WORKDIR "
                    f"{first.args[0]}` before it instead (it holds for every later "
                    f"instruction and creates the directory).")
            last = commands[-1]
            if last.name == "cd" and last.pipeline is None and (last is not first or len(commands) == 1):
                yield self.report(
                    ctx, last,
                    "`cd` as the last command of a RUN does nothing: the next instruction "
                    "starts in the WORKDIR again. Use `WORKDIR` to change directory for "
                    "later instructions, or drop the `cd`.")


def _fixed_cd(cmd) -> bool:
    """`cd DIR` to an absolute or variable directory that is not scratch space."""
    if cmd.name != "cd" or cmd.pipeline is not None or len(cmd.args) != 1:
        return False
    target = cmd.args[0]
    if target == "-" or not (target.startswith("/") or target.startswith("$")):
        return False
    path = target.rstrip("/")
    if not path:
        return False                       # `cd /`: a reset, not a working directory
    return not any(path == s or path.startswith(s + "/") for s in SCRATCH)
