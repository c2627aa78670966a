# The shared fixes of dlint.fix.helpers for the package rules of issue 9 that live on
# another branch (apt-get -y, --no-install-recommends, apt -> apt-get, npm cache clean):
# built on real scripts here, so wiring them into a rule is one line.

from __future__ import annotations

from dlint.fix import apply_edits
from dlint.fix.helpers import (fix_add_flag, fix_append_cleanup, fix_merge_runs, fix_remove_sudo,
                               fix_rename_command)
from dlint.lint.context import LintContext
from dlint.syntax import parse


def _commands(text: str, name: str):
    ctx = LintContext(parse(text), "Dockerfile")
    return ctx, [c for _, c in ctx.run_commands((name,))]


def _fixed(text: str, fix) -> str:
    assert fix is not None
    new, applied = apply_edits(text, [fix.edits])
    assert applied == 1
    return new


def test_apt_get_yes_after_install_not_after_update():
    text = "FROM debian:12\nRUN apt-get update && apt-get install \\\n    curl\n"
    ctx, cmds = _commands(text, "apt-get")
    assert fix_add_flag(ctx, cmds[0], ("install",), "-y") is None  # `install` is another command's
    fix = fix_add_flag(ctx, cmds[1], ("install",), "-y")
    assert fix.safe
    assert _fixed(text, fix) == "FROM debian:12\nRUN apt-get update && apt-get install -y \\\n    curl\n"


def test_no_install_recommends_is_unsafe_and_lands_after_install():
    text = "FROM debian:12\nRUN apt-get -q install -y curl\n"
    ctx, cmds = _commands(text, "apt-get")
    fix = fix_add_flag(ctx, cmds[0], ("install",), "--no-install-recommends", safe=False)
    assert not fix.safe
    assert _fixed(text, fix) == "FROM debian:12\nRUN apt-get -q install --no-install-recommends -y curl\n"


def test_apt_to_apt_get_keeps_sudo_and_the_rest():
    text = "FROM debian:12\nRUN sudo apt install -y curl\n"
    ctx, cmds = _commands(text, "apt")
    fix = fix_rename_command(ctx, cmds[0], "apt-get")
    assert _fixed(text, fix) == "FROM debian:12\nRUN sudo apt-get install -y curl\n"


def test_npm_cache_clean_appended_in_a_heredoc():
    text = "FROM node:22\nRUN <<EOF\nset -e\nnpm install -g serve\nEOF\n"
    ctx, cmds = _commands(text, "npm")
    fix = fix_append_cleanup(ctx, cmds[0], "npm cache clean --force")
    assert fix.safe
    assert _fixed(text, fix) == ("FROM node:22\nRUN <<EOF\nset -e\nnpm install -g serve && "
                                 "npm cache clean --force\nEOF\n")


def test_cleanup_is_unsafe_when_a_later_run_uses_the_tool():
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    ctx, cmds = _commands(text, "apt-get")
    fix = fix_append_cleanup(ctx, cmds[0], "rm -rf /var/lib/apt/lists/*")
    assert not fix.safe and "later RUN runs apt-get" in fix.description
    assert fix_append_cleanup(ctx, cmds[1], "rm -rf /var/lib/apt/lists/*").safe


def test_sudo_with_options_is_not_removed():
    text = "FROM debian:12\nRUN sudo -E make && sudo make install\n"
    ctx = LintContext(parse(text), "Dockerfile")
    cmds = [c for _, c in ctx.run_commands(("sudo",))]
    assert fix_remove_sudo(ctx, cmds[0]) is None
    fix = fix_remove_sudo(ctx, cmds[1])
    assert not fix.safe
    assert _fixed(text, fix) == "FROM debian:12\nRUN sudo -E make && make install\n"


def test_copy_from_index_to_name():
    from dlint.fix.helpers import fix_stage_index_reference

    text = ("FROM golang:1.22 AS Build\nRUN go build\nFROM alpine\nRUN true\n"
            "FROM scratch\nCOPY --from=0 /a /a\nCOPY --from=1 /b /b\n"
            "RUN --mount=type=bind,from=0,target=/s true\n")
    ctx = LintContext(parse(text), "Dockerfile")
    copy0, copy1, run = ctx.document.instructions[5], ctx.document.instructions[6], ctx.document.instructions[7]
    fix = fix_stage_index_reference(ctx, copy0)
    assert fix.safe and _fixed(text, fix).splitlines()[5] == "COPY --from=build /a /a"
    fix = fix_stage_index_reference(ctx, run)
    assert fix.safe and _fixed(text, fix).splitlines()[7] == "RUN --mount=type=bind,from=build,target=/s true"
    fix = fix_stage_index_reference(ctx, copy1)  # stage 1 has no name: name it too
    assert not fix.safe
    new, applied = apply_edits(text, [fix.edits])
    assert new.splitlines()[2] == "FROM alpine AS stage-1"
    assert new.splitlines()[6] == "COPY --from=stage-1 /b /b"


def _runs(text: str):
    ctx = LintContext(parse(text), "Dockerfile")
    return ctx, [i for i in ctx.document.instructions if i.keyword == "RUN"]


def test_merge_runs_joins_a_removal_into_the_run_that_made_it():
    text = "FROM debian:12\nRUN curl -o /tmp/a.tgz https://x/a.tgz && tar -xzf /tmp/a.tgz\nRUN rm /tmp/a.tgz\n"
    ctx, (first, second) = _runs(text)
    fix = fix_merge_runs(ctx, first, second)
    assert fix is not None and not fix.safe
    assert _fixed(text, fix) == ("FROM debian:12\nRUN curl -o /tmp/a.tgz https://x/a.tgz && "
                                 "tar -xzf /tmp/a.tgz && \\\n    rm /tmp/a.tgz\n")


def test_merge_runs_refuses_what_would_change_behaviour():
    cases = [
        # the second RUN's mount would be dropped
        "FROM debian:12\nRUN mkdir /a\nRUN --mount=type=cache,target=/root/.cache rm -rf /a\n",
        # a shell variable the second RUN would now see
        "FROM debian:12\nRUN DIR=/tmp/x; mkdir -p $DIR\nRUN rm -rf $DIR\n",
        "FROM debian:12\nRUN read -r V < /etc/hostname\nRUN echo $V\n",
        # more than an && list: its failure would no longer fail the build
        "FROM debian:12\nRUN mkdir /a\nRUN rm -rf /a || true\n",
        # a SHELL between them (a line lies between)
        'FROM debian:12\nRUN mkdir /a\nSHELL ["/bin/bash", "-c"]\nRUN rm -rf /a\n',
    ]
    for text in cases:
        ctx, runs = _runs(text)
        assert fix_merge_runs(ctx, runs[0], runs[1]) is None, text
