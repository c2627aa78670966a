"""## What it does
Checks for `ln` commands that replace `/bin/sh` (or `/usr/bin/sh`) with a link to another
shell, such as `ln -sf /bin/bash /bin/sh`.

Only `/bin/sh` as the link being created counts: `ln -s /bin/sh /usr/local/bin/sh`
(linking *to* sh) is fine. How dlint differs from hadolint (DL4005): hadolint reports any
`ln` with a `/bin/sh` argument, the harmless direction included (fixture
`good-link-to-sh.Dockerfile`). Heredoc RUN bodies and `sh -c` strings are read like any
script; Windows stages are not checked.

## Why is this bad?
Replacing `/bin/sh` changes the shell of every script in the image that starts with
`#!/bin/sh`, and of every package maintainer script run later, behind their back:
scripts written for dash or busybox ash may behave differently under bash. To run the
Dockerfile's own RUN instructions with another shell, SHELL says so explicitly and
touches nothing else.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN ln -sf /bin/bash /bin/sh
RUN source /etc/profile && ./build.sh
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN source /etc/profile && ./build.sh
```

## Fix
Drop the `ln` and set `SHELL ["/bin/bash", "-c"]` (with `-o pipefail` if the RUNs pipe).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options

SH_PATHS = frozenset({"/bin/sh", "/usr/bin/sh"})


class LnShInsteadOfShell(Rule):
    code = "DF417"
    name = "ln-sh-instead-of-shell"
    severity = "warning"
    aliases = ("DL4005",)
    keywords = ("RUN",)
    triggers = ("ln",)

    def check(self, ctx) -> Iterator[Finding]:
        for _, cmd in ctx.run_commands(("ln",)):
            options, operands = parse_options("ln", cmd.args)
            if len(operands) != 2 or any(n in ("-t", "--target-directory") for n, _ in options):
                continue
            if operands[1].rstrip("/") in SH_PATHS and operands[0] not in SH_PATHS:
                shell = operands[0]
                if not shell.startswith(("/", "$")):
                    shell = "/bin/" + shell       # a relative link resolves in /bin
                yield self.report(
                    ctx, cmd,
                    f"`ln` replaces /bin/sh with `{shell}` for every script in the image: "
                    f"set the shell of the RUN instructions with "
                    f"`SHELL [\"{shell}\", \"-c\"]` instead.")
