"""## What it does
Checks for `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`) in a stage where
no `SHELL` instruction is in effect.

Docker build check `JSONArgsRecommended`; hadolint DL3025. As in BuildKit, anything that
is not a valid JSON array of strings is shell form (`CMD ["a", 'b']` too), and a `SHELL`
earlier in the stage or in a stage it is built `FROM` silences the check (the file then
says on purpose which shell runs the command).

Differs from hadolint: DL3025 ignores `SHELL` (so it reports Windows stages that set
`SHELL ["powershell", ...]` on purpose) and, since 2.15, also reports `HEALTHCHECK CMD`
in shell form. dlint follows BuildKit on both: a health check is a short-lived process
that receives no stop signal.

## Why is this bad?
In shell form the container's main process is `/bin/sh -c "..."`, not your program.
`docker stop` sends SIGTERM to that shell, which does not pass it on: unless the shell
happened to replace itself with the program (some do for a single simple command, none
do for `a && b`), the program is killed without a chance to shut down cleanly after the
10 s timeout. Exec form makes the signal handling explicit instead of shell-dependent.

## Example
```dockerfile
FROM node:20-slim
COPY . /app
CMD node /app/server.js
```
Use instead:
```dockerfile
FROM node:20-slim
COPY . /app
CMD ["node", "/app/server.js"]
```

## Fix
Write the command as a JSON array: `CMD ["node", "/app/server.js"]`. If you need the
shell (variables, `&&`), use `CMD ["sh", "-c", "exec node \\"$APP\\""]` with `exec`, or set
`SHELL` explicitly.

`dlint check --fix` writes a CMD of plain words in JSON form (safe; unsafe when the
Dockerfile sets an ENTRYPOINT for the stage, which then receives the words instead of
`/bin/sh -c` and the line: an ENTRYPOINT of the base image is not known here). With
`--unsafe-fixes`: an ENTRYPOINT of plain words (in exec form it receives CMD and `docker
run` arguments), and a command with shell syntax as `["/bin/sh", "-c", "..."]` (it keeps
its shell, so signals still stop there: review it). A leading `exec` is dropped. No fix
for text that looks like broken JSON, or on Windows.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, TextEdit, edit_tokens


class JsonArgsRecommended(Rule):
    code = "DF806"
    name = "json-args-recommended"
    severity = "warning"
    aliases = ("JSONArgsRecommended", "DL3025")
    keywords = ("CMD", "ENTRYPOINT")
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            shell_set = any(ins.keyword == "SHELL" for parent in stage.chain()
                            if parent is not stage for ins in parent.instructions)
            for ins in stage.instructions:
                if ins.keyword == "SHELL":
                    shell_set = True
                elif ins.keyword in ("CMD", "ENTRYPOINT") and not ins.json and not shell_set:
                    yield self.report(ctx, ins, f"JSON arguments recommended for {ins.raw_keyword} to "
                                                f"prevent unintended behavior related to OS signals",
                                      None if stage.windows else _fix(ctx.document, ins, _entrypoint(stage)))


# Characters with no meaning to /bin/sh: a command made only of these runs the same
# split on blanks as under `sh -c`.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-")
# words that are the shell's, not a program's: plain text, but shell syntax all the same
_SHELL_WORDS = frozenset({
    "cd", "export", "set", "unset", "source", ".", "eval", "alias", "umask", "ulimit", "trap",
    "wait", "read", "shift", "return", "exit", "readonly", "local", "if", "then", "else", "fi",
    "for", "while", "until", "do", "done", "case", "esac", "function", "time", "!", "{", "}"})


def _entrypoint(stage) -> bool:
    """The Dockerfile sets an ENTRYPOINT in this stage or the stages it is built FROM."""
    return any(i.keyword == "ENTRYPOINT" for parent in stage.chain() for i in parent.instructions)


def _fix(document, ins, entrypoint: bool = False) -> Fix | None:
    """Exec form. Safe for a CMD of plain words (no quotes, variables, globs, operators):
    the same program with the same arguments, only without the /bin/sh in between (it
    becomes PID 1 and gets the signals: what the rule asks for). Unsafe otherwise:
    an ENTRYPOINT in exec form receives CMD and `docker run` arguments that the shell
    form ignored; a command with shell syntax keeps its shell as `["/bin/sh", "-c", ...]`,
    so signals still stop at the shell. One-line instructions only."""
    import json

    span = ins.span
    if span is None or span.line != span.end_line:
        return None
    words = list(edit_tokens(document, span.line, span.column + len(ins.raw_keyword), span.line))
    if not words:
        return None
    line = document.lines[span.line - 1]
    start, end = words[0].column, words[-1].end_column
    command = line[start - 1:end - 1]
    if command.startswith("["):
        return None  # meant as JSON (single quotes, a stray comma): only the author knows
    argv = [w.text for w in words]
    if argv[0] == "exec" and len(argv) > 1:  # `exec app` is what the exec form does anyway
        argv = argv[1:]
    plain = (all(ch in _PLAIN for w in argv for ch in w) and argv[0] not in _SHELL_WORDS
             and "=" not in argv[0] and not argv[0].startswith("-"))
    if plain:
        why = ""
    else:
        argv = ["/bin/sh", "-c", command]
        why = " (unsafe: the command uses shell syntax, so it keeps running under /bin/sh -c)"
    safe = plain and ins.keyword == "CMD" and not entrypoint
    if plain and not safe:
        why = (" (unsafe: an ENTRYPOINT in exec form receives CMD and run arguments)"
               if ins.keyword == "ENTRYPOINT" else
               " (unsafe: the ENTRYPOINT receives the words instead of /bin/sh -c and the line)")
    text = json.dumps(argv, ensure_ascii=False)
    return Fix(f"Write {ins.raw_keyword} in JSON form{why}",
               (TextEdit(span.line, start, span.line, end, text),), safe=safe)
