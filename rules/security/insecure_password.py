"""## What it does
Checks for accounts given an empty or hard-coded password in a RUN. That is:

- `chpasswd` fed `user:` (empty) or `user:secret` (hard-coded; with `-e`, a hard-coded
  hash) by `echo`/`printf`, a here-string or a heredoc;
- `passwd -d USER` (deletes the password: login without one), and `passwd` fed a
  literal password on stdin (`echo -e "pw\\npw" | passwd user`, `passwd --stdin`);
- `useradd`/`usermod -p ''` (empty) or `-p 'HASH'` (hard-coded hash).

A password taken from a variable (`echo "app:$APP_PASSWORD" | chpasswd`) or from a file
(`chpasswd < /run/secrets/passwords`) is not reported here; a secret passed as ARG or ENV
is the secrets rule's business. Only stages that ship are checked (a build stage's
accounts never reach the image); Windows stages are not. hadolint has no such rule.

## Why is this bad?
An empty password lets anyone who reaches a login service (an SSH server, `su` from an
application account) in as that user, often root. A hard-coded password is the same for
every container started from the image, and it stays readable by anyone who can pull
the image: in the Dockerfile, in `docker history`, and in `/etc/shadow` as a hash that
can be cracked offline.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN useradd -m app && echo "app:app123" | chpasswd
USER app
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN useradd -m app
USER app
```

## Fix
Do not give container accounts passwords: containers are entered with `docker exec`, not
by logging in. If a password is really needed, set it at run time from a secret (an
entrypoint reading `/run/secrets/...`), never in the image.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options, stdin_data


class InsecurePassword(Rule):
    code = "DF903"
    name = "insecure-password"
    severity = "warning"
    keywords = ("RUN",)
    triggers = ("passwd", "useradd", "usermod")

    def check(self, ctx) -> Iterator[Finding]:
        for _, cmd in ctx.run_commands(("chpasswd", "passwd", "useradd", "usermod"),
                                       shipped_only=True):
            what = _problem(cmd)
            if what:
                yield self.report(ctx, cmd, what)


def _variable(text: str) -> bool:
    return "$" in text or "`" in text


def _literal_word(cmd, value: str) -> bool:
    """Whether the argument holding `value` (`-p VALUE`, `-pVALUE`, `--password=VALUE`)
    was written without expansions (a quoted `'$6$salt$hash'` is literal)."""
    for i, arg in enumerate(cmd.args):
        if arg == value or arg.endswith(value):
            return cmd.literal[i + 1]
    return not _variable(value)


def _problem(cmd) -> str | None:
    base = cmd.basename
    if base == "chpasswd":
        return _chpasswd(cmd)
    if base == "passwd":
        options, operands = parse_options("passwd", cmd.args)
        names = {n for n, _ in options}
        user = operands[0] if operands else "root"
        if names & {"-d", "--delete"}:
            return (f"`passwd -d` leaves `{user}` without a password: anyone reaching a login "
                    f"service gets in. Lock the account (`passwd -l`) or leave it alone.")
        data = stdin_data(cmd)
        if data is not None and data[0].strip() and (data[1] or not _variable(data[0])):
            return (f"`passwd` is fed a hard-coded password for `{user}`: it is readable in "
                    f"the Dockerfile and the image history. Set passwords at run time from "
                    f"a secret, if at all.")
        return None
    if base in ("useradd", "usermod"):
        values = [v for n, v in parse_options(base, cmd.args)[0] if n in ("-p", "--password")]
        if not values or values[-1] is None:
            return None
        value = values[-1]
        if value == "":
            return (f"`{base} -p ''` gives the account an empty password: anyone reaching a "
                    f"login service gets in. Leave the password locked.")
        if _literal_word(cmd, value) and value not in ("!", "*", "!!", "x"):
            return (f"`{base} -p` sets a hard-coded password hash: it is readable in the "
                    f"Dockerfile and the image history and can be cracked offline. Leave the "
                    f"password locked.")
    return None


def _chpasswd(cmd) -> str | None:
    data = stdin_data(cmd)
    if data is None:
        return None
    text, literal = data
    options, _ = parse_options("chpasswd", cmd.args)
    hashed = any(n in ("-e", "--encrypted") for n, _ in options)
    for line in text.splitlines():
        user, colon, password = line.strip().partition(":")
        if not colon or not user:
            continue
        if password == "":
            return (f"`chpasswd` gives `{user}` an empty password: anyone reaching a login "
                    f"service gets in. Leave the password locked.")
        if literal or not _variable(password):
            kind = "password hash" if hashed else "password"
            return (f"`chpasswd` sets a hard-coded {kind} for `{user}`: it is readable in the "
                    f"Dockerfile and the image history. Set passwords at run time from a "
                    f"secret, if at all.")
    return None
