"""## What it does
Checks for `useradd` with a high UID (`-u`/`--uid` of 100000 or more) without
`-l`/`--no-log-init`.

The UID may come from an ARG or ENV: `useradd -u "$APP_UID"` is checked with the value in
effect (an ARG without a value is not guessed). Only stages that ship are checked;
Windows stages are not.

Same threshold as hadolint (DL3046: a UID of six digits or more). dlint also reads the
UID through ARG/ENV values, `--uid=N` and `-uN` (fixture `bad-arg-templated.Dockerfile`).

## Why is this bad?
`useradd` reserves a record for the new UID in `/var/log/lastlog` and
`/var/log/faillog`, at an offset proportional to the UID. On disk this is a sparse file,
but image layers store it in full: a UID of 100000 adds about 30 MB of zeros to the
layer, a UID of 2000000000 hundreds of gigabytes, enough to exhaust the disk of the
build machine.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN useradd -u 123456 app
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN useradd --no-log-init -u 123456 app
```

## Fix
Add `-l`/`--no-log-init` to `useradd`, or use a UID below 100000.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options

HIGH_UID = 100000


class UseraddHighUid(Rule):
    code = "DF414"
    name = "useradd-high-uid"
    severity = "warning"
    aliases = ("DL3046",)
    keywords = ("RUN",)
    triggers = ("useradd",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, cmd in ctx.run_commands(("useradd",), shipped_only=True):
            state = ctx.model.state_at(ins)
            options, _ = parse_options("useradd", cmd.args)
            if any(name in ("-l", "--no-log-init") for name, _ in options):
                continue
            uids = [v for name, v in options if name in ("-u", "--uid") and v]
            if not uids:
                continue
            expansion = state.expand(uids[-1])
            value = expansion.value.strip()
            if expansion.unresolved or not value.isdigit() or int(value) < HIGH_UID:
                continue
            yield self.report(
                ctx, cmd,
                f"`useradd` with UID {value} and without `--no-log-init`: the sparse "
                f"/var/log/lastlog and faillog entries for this UID are stored in full in "
                f"the layer (about {_size(int(value))}). Add `-l`/`--no-log-init`.")


def _size(uid: int) -> str:
    size = uid * 292          # bytes per lastlog record on x86-64
    for unit, scale in (("GB", 10 ** 9), ("MB", 10 ** 6)):
        if size >= scale:
            return f"{size // scale} {unit}"
    return f"{size // 1000} kB"
