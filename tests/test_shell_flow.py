"""dlint.shell.flow: option parsing, downloads, programs read from stdin, data fed to
commands, shell options; and LintContext.run_commands."""

from __future__ import annotations

import pytest

from dlint.lint.context import LintContext
from dlint.shell import parse_script
from dlint.shell.flow import (
    downloads_to_stdout, option_enabled_by, option_set_before, parse_options, program_operand,
    reads_program_from_stdin, stdin_data, substitutions_in, written_files,
)
from dlint.syntax import parse


def command(text: str, name: str):
    """The first effective command named `name` in `text`."""
    return next(c for c in parse_script(text).effective_commands if c.basename == name)


def test_parse_options_bundles_values_and_operands() -> None:
    options, operands = parse_options("curl", ["-fsSLo", "out", "--retry", "3", "https://x", "--", "-y"])
    assert options == [("-f", None), ("-s", None), ("-S", None), ("-L", None), ("-o", "out"),
                       ("--retry", "3")]
    assert operands == ["https://x", "-y"]
    options, operands = parse_options("tar", ["-xzf", "a.tgz", "--strip-components=1", "-Cdir"])
    assert options == [("-x", None), ("-z", None), ("-f", "a.tgz"), ("--strip-components", "1"),
                       ("-C", "dir")]
    assert operands == []


@pytest.mark.parametrize(("text", "expected"), [
    ("curl -fsSL https://x", True),
    ("curl -fsSLo - https://x", True),
    ("curl -fsSLo f https://x", False),
    ("curl -O https://x", False),
    ("curl --version", False),
    ("wget -qO- https://x", True),
    ("wget -O - https://x", True),
    ("wget --output-document=/dev/stdout https://x", True),
    ("wget https://x", False),
    ("wget -O f https://x", False),
])
def test_downloads_to_stdout(text: str, expected: bool) -> None:
    assert downloads_to_stdout(command(text, text.split()[0])) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("x | sh", True),
    ("x | bash -s -- -y", True),
    ("x | sudo -E bash -", True),
    ("x | bash -eux", True),
    ("x | sh install.sh", False),
    ("x | sh -c 'echo hi'", False),
    ("x | python3", True),
    ("x | python3 - --user", True),
    ("x | python3 script.py", False),
    ("x | python3 -c 'print(1)'", False),
    ("x | busybox sh", True),
])
def test_reads_program_from_stdin(text: str, expected: bool) -> None:
    cmd = parse_script(text).effective_commands[-1]
    assert reads_program_from_stdin(cmd) is expected


def test_program_operand_and_substitutions() -> None:
    script = parse_script('sh -c "$(curl -fsSL https://x)" && bash <(wget -qO- https://y) && eval "$(z)"')
    sh, bash, ev = (c for c in script.effective_commands if c.basename in ("sh", "bash", "eval"))
    word, literal = program_operand(sh)
    assert word == "$(curl -fsSL https://x)" and literal is False
    assert [c.basename for c in substitutions_in(sh, word)] == ["curl"]
    word, literal = program_operand(bash)
    assert word.startswith("<(wget") and literal is False
    assert [c.basename for c in substitutions_in(bash, word)] == ["wget"]
    assert program_operand(ev)[0] == "$(z)"
    assert program_operand(command("bash install.sh", "bash")) == ("install.sh", True)


def test_stdin_data_from_pipes_heredocs_and_herestrings() -> None:
    assert stdin_data(command("echo 'root:pw' | chpasswd", "chpasswd")) == ("root:pw\n", True)
    assert stdin_data(command('echo "u:$PW" | chpasswd', "chpasswd")) == ("u:$PW\n", False)
    assert stdin_data(command(r"printf 'a:%s\n' b | chpasswd", "chpasswd")) == ("a:b\n", True)
    assert stdin_data(command("chpasswd <<< 'x:y'", "chpasswd")) == ("x:y\n", True)
    assert stdin_data(command("chpasswd <<EOF\nx:y\nEOF\n", "chpasswd"))[0].strip() == "x:y"
    assert stdin_data(command("chpasswd < /run/secrets/pw", "chpasswd")) is None
    assert stdin_data(command("cat f | chpasswd", "chpasswd")) is None


def test_written_files_through_redirects_and_tee() -> None:
    assert written_files(command("echo 'gpgcheck=0' > /etc/yum.repos.d/x.repo", "echo")) == [
        ("/etc/yum.repos.d/x.repo", "gpgcheck=0\n", True)]
    assert written_files(command("echo deb x | tee -a /etc/apt/sources.list", "echo")) == [
        ("/etc/apt/sources.list", "deb x\n", True)]
    assert written_files(command("echo hi", "echo")) == []


def test_shell_options() -> None:
    assert option_enabled_by(["-o", "pipefail", "-c"], "pipefail")
    assert option_enabled_by(["-euxo", "pipefail"], "pipefail")
    assert not option_enabled_by(["-o", "errexit", "-c"], "pipefail")
    script = parse_script("a | b; set -o pipefail; c | d")
    first, second = script.pipelines
    assert not option_set_before(script, "pipefail", first.start_byte)
    assert option_set_before(script, "pipefail", second.start_byte)


def test_run_commands_index() -> None:
    text = ("FROM debian AS build\nRUN sudo apt-get install -y curl && X=1 make\n"
            "FROM debian\nCOPY --from=build /a /a\nRUN wget -q https://x && curl -fsS https://y\n")
    ctx = LintContext(parse(text, "Dockerfile"), "Dockerfile")
    assert [c.basename for _, c in ctx.run_commands(("sudo",))] == ["apt-get"]
    assert [c.basename for _, c in ctx.run_commands(("=",))] == ["make"]
    assert [c.basename for _, c in ctx.run_commands(("curl", "wget"))] == ["wget", "curl"]
    assert [c.basename for _, c in ctx.run_commands(("apt-get",), shipped_only=True)] == []
    assert ctx.run_commands(("ssh",)) == []


def test_busybox_wget_until_gnu_wget_is_added() -> None:
    text = ("FROM alpine:3.20 AS base\nRUN wget -q https://a\nRUN apk add --no-cache wget\n"
            "FROM base\nRUN wget -q https://b\nFROM debian:bookworm-slim\nRUN wget -q https://c\n")
    ctx = LintContext(parse(text, "Dockerfile"), "Dockerfile")
    verdicts = [ctx.busybox_wget(ins, cmd) for ins, cmd in ctx.run_commands(("wget",))]
    assert verdicts == [True, False, False]
    assert [ctx.busybox_base(ins) for ins, _ in ctx.run_commands(("wget",))] == [True, True, False]
