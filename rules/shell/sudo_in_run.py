"""## What it does
Checks for `sudo` in RUN instructions (also inside `sh -c` strings and heredoc bodies).

The message says which fix applies: when the RUN already runs as root (no USER, or
`USER root`/`USER 0` in effect) `sudo` is only noise, and `sudo -u USER` is better
written `runuser -u USER --`; otherwise switch users with USER. Windows stages are not
checked.

How dlint differs from hadolint (DL3004): hadolint only sees `sudo` as a command name;
dlint also finds it behind other wrappers and in `sh -c` strings (`find ... | xargs sudo
chmod`, `sh -c "sudo ln ..."`, fixture `bad-multistage-wrapped.Dockerfile`). Installing
the `sudo` package is not reported (fixture `good-install-only.Dockerfile`).

## Why is this bad?
A build step does not need `sudo`: USER decides who runs each RUN. `sudo` only works
when the image ships it and a sudoers entry without password, which leaves a
privilege-escalation path in the image for anyone who gets a shell in the container. At
run time, `sudo` in an entrypoint keeps a TTY-less parent process around and mangles
signal handling; `gosu` or `su-exec` switch users without those problems.

## Example
```dockerfile
FROM ubuntu:24.04
USER app
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM ubuntu:24.04
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER app
```

## Fix
Drop `sudo`; put the steps that need root under `USER root` and switch back to the
unprivileged user with `USER` afterwards. At run time, use `gosu`/`su-exec`.

`dlint check --fix --unsafe-fixes` removes a plain `sudo` (no options) when the RUN runs
as root. Unsafe: sudo resets the environment (env_reset, secure_path), so the command may
see ENV variables and a PATH it did not see before.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_remove_sudo

ROOT = frozenset({"root", "0"})


class SudoInRun(Rule):
    code = "DF412"
    name = "sudo-in-run"
    severity = "error"
    aliases = ("DL3004",)
    keywords = ("RUN",)
    triggers = ("sudo",)

    def check(self, ctx) -> Iterator[Finding]:
        for ins, cmd in ctx.run_commands(("sudo",)):
            user = ctx.model.state_at(ins).user
            as_root = user is None or user.split(":", 1)[0] in ROOT
            target = _sudo_user(cmd.origin)
            if as_root and target is not None and target not in ROOT:
                message = (f"`sudo -u {target}` in a RUN that runs as root: root needs no "
                           f"sudo to switch users; use `runuser -u {target} --`, "
                           f"`su {target} -c` or `gosu {target}`.")
            elif as_root:
                message = ("`sudo` in a RUN that already runs as root: drop it (and do "
                           "not install sudo in the image).")
            else:
                message = (f"`sudo` in a RUN that runs as `{user}`: run the steps that "
                           f"need root under `USER root` and switch back with USER "
                           f"afterwards, instead of shipping sudo.")
            fix = fix_remove_sudo(ctx, cmd) if as_root and target is None else None
            yield self.report(ctx, cmd, message, fix)


def _sudo_user(origin) -> str | None:
    """The user of `sudo -u USER` / `--user=USER` in the command as written."""
    argv = origin.argv
    start = next((i for i, w in enumerate(argv) if w.rsplit("/", 1)[-1] == "sudo"), None)
    if start is None:
        return None
    words = argv[start + 1:]
    for i, w in enumerate(words):
        if not w.startswith("-"):
            break
        if w in ("-u", "--user") and i + 1 < len(words):
            return words[i + 1]
        if w.startswith("--user="):
            return w.split("=", 1)[1]
        if w.startswith("-u") and len(w) > 2:
            return w[2:]
    return None
