"""## What it does
Checks for a pipe (`a | b`) in a RUN whose shell does not have `pipefail` set. A failure
of a command before the last `|` then goes unnoticed.

`pipefail` counts when SHELL sets it (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`,
`-eo pipefail`, also `["/bin/sh", "-o", "pipefail", "-c"]`: a shell that lacks the
option fails every RUN, so a working build proves it has it), when an exec-form RUN or a heredoc
shebang runs the shell with it (`#!/bin/bash -eo pipefail`), or when the script runs
`set -o pipefail` before the pipe. SHELL is inherited from the stage a stage is built
`FROM`, as BuildKit does. One finding per RUN, on the first pipe that needs it. Windows
stages and non-POSIX shells are not checked.

How dlint differs from hadolint (DL4006):
- a pipe whose earlier commands cannot fail (`echo`, `printf`, `yes`, `true`, `cat` of a
  heredoc) is not reported: `pipefail` changes nothing there
  (fixture `good-cannot-fail.Dockerfile`);
- a pipe inside `$( )` that is a word of another command (`apk add $(a | b)`) is not
  reported: its status is lost with or without `pipefail` (one inside an assignment,
  `x="$(a | b)"`, is reported: its status is the statement's);
- `set -o pipefail` in the RUN, `sh -o pipefail` in SHELL and a SHELL inherited from the
  base stage count (hadolint ignores all three; fixtures `good-set-pipefail.Dockerfile`,
  `good-inherited-shell.Dockerfile`).

## Why is this bad?
A shell reports the exit status of a pipeline's last command only. In
`RUN curl -fsSL https://example.com/tool.tgz | tar -xz`, a failed download gives `tar` an
empty input; depending on `tar`, the step fails with a confusing message or succeeds, and
the build carries on without the tool. With `pipefail`, the failed `curl` fails the step.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
```

## Fix
Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (on Alpine, where bash is
not installed: `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`), or start the script with
`set -o pipefail &&` when its shell supports it.

`dlint check --fix --unsafe-fixes` adds `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`
(`/bin/ash` on Alpine and BusyBox bases) above the first such RUN of a stage, and above
its comments so pragmas keep their instruction. Unsafe: the SHELL applies to every later
RUN, CMD and ENTRYPOINT of the stage and of stages built from it, and needs that shell in
the image.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_pipefail_shell, option_enabled_by, option_set_before

CANNOT_FAIL = frozenset({"echo", "printf", "yes", "true", ":"})


class PipeWithoutPipefail(Rule):
    code = "DF418"
    name = "pipe-without-pipefail"
    severity = "warning"
    aliases = ("DL4006",)
    keywords = ("RUN",)
    triggers = ("|",)

    def check(self, ctx) -> Iterator[Finding]:
        fixed_stages = set()  # one SHELL per stage: it applies to the RUNs after it too
        for ins, script in ctx.run_scripts():
            if script.form == "exec" or option_enabled_by(script.shell[1:], "pipefail"):
                continue
            for pipeline in script.pipelines:
                if len(pipeline.stages) < 2 or not _can_hide_a_failure(pipeline):
                    continue
                if _inside_a_command(script, pipeline):
                    continue
                if option_set_before(script, "pipefail", pipeline.start_byte):
                    continue
                stage = ctx.model.stage_of(ins)
                fix = None if id(stage) in fixed_stages else fix_pipefail_shell(ctx, ins, script)
                if fix is not None:
                    fixed_stages.add(id(stage))
                yield self.report(ctx, pipeline, _message(ctx, ins), fix)
                break


def _inside_a_command(script, pipeline) -> bool:
    """A pipe in a `$( )` that is a word of a command (`apk add $(a | b)`): its status is
    lost whatever the options. In an assignment (`x="$(a | b)"`) it is the status of the
    statement, and `pipefail` matters again."""
    first = pipeline.stages[0][0]
    if not first.in_substitution:
        return False
    members = {id(c) for c in pipeline.commands}
    return any(c.start_byte <= pipeline.start_byte < c.end_byte and id(c) not in members
               for c in script.commands)


def _can_hide_a_failure(pipeline) -> bool:
    stages = pipeline.stages
    if not stages[0]:
        return False
    for stage in stages[:-1]:
        for cmd in stage:
            real = cmd.unwrapped()
            if real.basename in CANNOT_FAIL:
                continue
            if real.basename == "cat" and not real.positional_args(()) and any(
                    r.op in ("<<", "<<-", "<<<") for r in real.redirects):
                continue
            return True
    return False


def _message(ctx, ins) -> str:
    shell = '["/bin/ash", "-eo", "pipefail", "-c"]' if ctx.busybox_base(ins) else \
        '["/bin/bash", "-o", "pipefail", "-c"]'
    return ("A pipe without `pipefail`: if a command before the last `|` fails, the RUN "
            f"still succeeds. Add `SHELL {shell}` before this RUN, or start the script with "
            "`set -o pipefail`.")
