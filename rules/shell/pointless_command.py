"""## What it does
Checks for commands that do nothing useful in a build. They inspect or change the
running system, whose processes, mounts and network settings end with the RUN.

Reported:
- `ps`, `top`, `free`, `ifconfig`: they only print the state of the build container;
- `shutdown`, `reboot`, `halt`, `poweroff`: there is no system to stop;
- `vim`, `vi`, `nano` opening a file: nobody is there to type (a scripted `vim` run with
  `+cmd`, `-c`, `-e`/`-E`, `-s` or `-es`, the usual way to install plugins, is fine);
- `service NAME start|restart|reload` and `mount` as the last command of a RUN: the
  daemon or mount is gone when the RUN ends and nothing after it in the RUN used it;
- `kill`, `pkill`, `killall` in a RUN that started nothing (no `&` job, no `... start`,
  no daemon such as `mysqld`, `nginx`, `supervisord`).

How dlint differs from hadolint (DL3001): hadolint reports every `ssh`, `service`,
`kill`, `mount` and `vim` call. dlint does not report `ssh` (with `RUN --mount=type=ssh`,
`ssh` is how a build reaches a private Git host), a `service ... start` followed by work
that uses the daemon in the same RUN (`service mysql start && mysql < schema.sql`), a
`kill` of a job the RUN started itself, or a scripted `vim +PlugInstall +qall`
(fixture `good-daemon-used.Dockerfile`). Heredoc RUN bodies and `sh -c` strings are read
like any script; Windows stages are not checked.

## Why is this bad?
Each RUN starts from a fresh container: a service started there stops when the RUN
ends, a mount disappears, and output of `ps` or `free` describes a throw-away
container. The line costs build time, misleads readers into believing the effect lasts,
and an interactive editor can hang the build.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx
RUN service nginx start
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx
CMD ["nginx", "-g", "daemon off;"]
```

## Fix
Start services from CMD or ENTRYPOINT, drop diagnostic commands, and edit files with
`sed`, `printf` or a COPY instead of an editor.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

PRINT_ONLY = frozenset({"ps", "top", "free", "ifconfig"})
SHUTDOWN = frozenset({"shutdown", "reboot", "halt", "poweroff"})
EDITORS = frozenset({"vim", "vi", "nano"})
KILLERS = frozenset({"kill", "pkill", "killall"})
SERVICE_ACTIONS = frozenset({"start", "restart", "reload", "force-reload"})
DAEMONS = frozenset({"sshd", "httpd", "mysqld", "mysqld_safe", "mariadbd", "mongod", "dockerd",
                     "containerd", "crond", "rsyslogd", "slapd", "memcached", "nginx",
                     "supervisord", "redis-server", "postgres", "php-fpm", "Xvfb"})
CANDIDATES = PRINT_ONLY | SHUTDOWN | EDITORS | KILLERS | {"service", "mount"}


class PointlessCommand(Rule):
    code = "DF410"
    name = "pointless-command"
    severity = "info"
    aliases = ("DL3001",)
    keywords = ("RUN",)
    # a substring of every CANDIDATES name ("vi" in vim, "kill" in pkill/killall)
    triggers = ("ps", "top", "free", "ifconfig", "shutdown", "reboot", "halt", "poweroff",
                "vi", "nano", "kill", "service", "mount")

    def check(self, ctx) -> Iterator[Finding]:
        for ins, cmd in ctx.run_commands(CANDIDATES):
            commands = ctx.script(ins).effective_commands
            started = any(c.background or _starts_something(c) for c in commands)
            later = commands[commands.index(cmd) + 1:]
            reason = _reason(cmd, later, started)
            if reason:
                yield self.report(ctx, cmd, reason)


def _starts_something(cmd) -> bool:
    """`service x start`, `/etc/init.d/x start`, `systemctl start x`, `pg_ctl start`,
    `mysqld_safe`, `nginx`: anything that may leave a process behind for a `kill`."""
    return "start" in cmd.args[:2] or cmd.basename in DAEMONS


def _is_service(cmd) -> bool:
    args = cmd.args
    return cmd.basename == "service" and len(args) >= 2 and args[1] in SERVICE_ACTIONS


def _reason(cmd, later, started) -> str | None:
    base = cmd.basename
    if base in PRINT_ONLY:
        return (f"`{base}` only prints the state of the build container, which is thrown "
                f"away when this RUN ends: drop it.")
    if base in SHUTDOWN:
        return f"`{base}` has no system to stop in a build: drop it."
    if base in EDITORS and cmd.args and not _scripted_editor(cmd):
        return (f"`{base}` waits for someone to type, and nobody does in a build: edit "
                f"files with `sed` or COPY them in.")
    if _is_service(cmd) and not later:
        return (f"`service {cmd.args[0]} {cmd.args[1]}` at the end of a RUN: the daemon "
                f"stops when the RUN ends. Start it from CMD or ENTRYPOINT.")
    if base == "mount" and cmd.args and not later:
        return ("`mount` at the end of a RUN: the mount is gone when the RUN ends. Use "
                "`RUN --mount=...` or mount at run time.")
    if base in KILLERS and not started:
        return (f"`{base}` in a RUN that started no process: every process of the build "
                f"container ends with the RUN anyway. Drop it.")
    return None


def _scripted_editor(cmd) -> bool:
    for a in cmd.args:
        if a.startswith("+") or a in ("-c", "-e", "-E", "-s", "-es", "-Es", "--cmd", "-S"):
            return True
    return False
