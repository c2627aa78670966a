"""## What it does
Checks for downloads run as a program without being checked (`curl URL | sh`). Also:
`wget -O- URL | bash`, `curl URL | sudo -E bash -`, `curl URL | python3`,
`bash <(curl URL)`, `sh -c "$(curl URL)"`, `eval "$(wget -qO- URL)"`,
`source <(curl URL)`.

A download is `curl` without `-o`/`-O` (or with `-o -`), or `wget -O -`/`-qO-`; the
program is a shell (sh, bash, ash, dash, zsh, ksh, busybox sh) or an interpreter
(python, perl, ruby, node, php) reading its script from the pipe, or given the download
as its script through `<( )` or `$( )`. Wrappers (`sudo`, `env`) and `sh -c` strings are
looked through. Every stage is checked (a build stage that runs a tampered script builds
tampered artifacts); Windows stages are not.

Not reported: downloading to a file, checking it, then running it
(`curl -fsSLo install.sh URL && sha256sum -c ... && sh install.sh`), and a download given
to a program as data (`sh install.sh "$(curl URL/version)"`).

hadolint has no such rule; Checkov and Trivy have none for Dockerfiles either.

## Why is this bad?
Whatever the server (or anyone between it and the build) sends runs as root in the
build, with nothing to check it against: a compromised or hijacked download site, a
truncated transfer (half a script still runs), or a changed script all go unnoticed, and
the build is not reproducible. The image's provenance is as strong as the weakest server
it pipes from.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSL https://example.com/install.sh | sh
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
ARG INSTALL_SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\
    && echo "${INSTALL_SHA256}  /tmp/install.sh" | sha256sum -c - \\
    && sh /tmp/install.sh && rm /tmp/install.sh
```

## Fix
Download to a file, verify it against a pinned checksum or signature, then run it; or
install the tool from a package repository (signed) or `COPY --from` an official image.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import (
    Finding, Rule, downloads_to_stdout, interpreter_name, program_operand,
    reads_program_from_stdin, substitutions_in,
)


class CurlPipeShell(Rule):
    code = "DF900"
    name = "curl-pipe-shell"
    severity = "warning"
    keywords = ("RUN",)
    triggers = ("curl", "wget")

    def check(self, ctx) -> Iterator[Finding]:
        reported: set[int] = set()
        for _, download in ctx.run_commands(("curl", "wget")):
            if not downloads_to_stdout(download):
                continue
            runner = _piped_into(download) or _substituted_into(download)
            if runner is None or id(runner.origin) in reported:
                continue
            reported.add(id(runner.origin))
            program = interpreter_name(runner) or runner.basename
            yield self.report(
                ctx, runner,
                f"`{download.basename}` output runs as a program (`{program}`) without "
                f"being checked: download to a file, verify its checksum or signature, "
                f"then run it.")


def _piped_into(download):
    """A later stage of the download's pipeline that runs its stdin as a program."""
    pipeline = download.pipeline
    if pipeline is None:
        return None
    for stage in pipeline.stages[download.pipeline_index + 1:]:
        for cmd in stage:
            real = cmd.unwrapped()
            if reads_program_from_stdin(real) and not any(
                    r.op in ("<", "<<", "<<-", "<<<") and r.fd in (None, "0")
                    for r in real.redirects):
                return real
    return None


def _substituted_into(download):
    """A shell, interpreter, eval or source given the download's `<( )`/`$( )` as its
    program."""
    script = download.script
    if not download.in_substitution or script is None:
        return None
    for cmd in script.commands:
        if cmd is download.origin or not (
                cmd.start_byte <= download.start_byte < cmd.end_byte):
            continue
        real = cmd.unwrapped()
        if real.basename not in ("eval", ".", "source") and interpreter_name(real) is None:
            continue
        word, literal = program_operand(real)
        if word is not None and not literal and download in substitutions_in(real, word):
            return real
    return None
