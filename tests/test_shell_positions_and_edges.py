"""Shell-model behaviour no other test pinned down: each test here kills a mutant that
scripts/mutation showed surviving (named in the test), i.e. a change of the shell model
that users would see (a finding's column, a missed or invented command) and the suite
let through."""

from __future__ import annotations

from dataclasses import dataclass, field

from dlint.shell import parse_script, script_of
from dlint.shell.flow import option_set_before, program_operand
from dlint.syntax import parse


@dataclass
class State:
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    windows: bool = False


def positions(dockerfile: str) -> list[tuple[list[str], int, int]]:
    run = parse(dockerfile).instructions[1]
    return [(c.argv, c.line, c.column) for c in script_of(run, State()).commands]


def test_chomped_heredoc_columns_count_the_stripped_tabs():
    # run.py: `col = found + 1` (a `<<-` body's leading tabs are stripped from the script
    # but are still in the file: the finding's caret must skip them)
    assert positions("FROM alpine\nRUN <<-EOF\n\t\tapk add x\n\techo hi\n\tEOF\n") == [
        (["apk", "add", "x"], 3, 3), (["echo", "hi"], 4, 2)]


def test_repeated_continuation_lines_map_to_their_own_lines():
    # run.py: the search for the next line resumes after the previous one (`i = j + len`);
    # three identical lines must give lines 2, 3, 4, not the first one thrice
    assert positions("FROM alpine\nRUN echo a && \\\n    echo a && \\\n    echo a\n") == [
        (["echo", "a"], 2, 5), (["echo", "a"], 3, 5), (["echo", "a"], 4, 5)]


def test_redirect_of_a_compound_command_is_scanned_for_substitutions():
    # parse.py: a compound command's file redirect is a redirect, not a heredoc
    s = parse_script('while read l; do echo "$l"; done < "$(ls /x)"')
    assert [c.argv for c in s.commands] == [["read", "l"], ["echo", "$l"], ["ls", "/x"]]


def test_heredoc_in_the_middle_of_a_pipeline_keeps_one_pipeline():
    # parse.py: `a | cat <<EOF | b` is one pipeline of three (index == len(stages) - 1)
    s = parse_script("a | cat <<EOF | b\nbody\nEOF\n")
    a, cat, b = s.commands
    assert a.pipeline is cat.pipeline is b.pipeline and len(a.pipeline.stages) == 3
    assert [c.pipeline_index for c in s.commands] == [0, 1, 2]
    assert cat.pipe_neighbours() == ([a], [b])


def test_attached_option_value_may_start_with_a_dash():
    # tools.py: `-f-` is -f with the value "-" (a[1] != "-", not a[2])
    assert parse_script("tar -f- -x").commands[0].flag_values("-f") == ["-"]


def test_dot_runs_its_first_operand_and_eval_all_of_them():
    # flow.py: only `eval` joins its words; `.`/`source` run the file operand
    assert program_operand(parse_script(". /opt/env.sh arg1").commands[0]) == ("/opt/env.sh", True)
    assert program_operand(parse_script("source /opt/env.sh arg1").commands[0]) == ("/opt/env.sh", True)
    assert program_operand(parse_script("eval echo hi").commands[0]) == ("echo hi", True)


def test_only_set_enables_a_shell_option():
    # flow.py: another command's `-o pipefail` words do not turn pipefail on
    assert not option_set_before(parse_script("mytool -o pipefail && curl x | sh"), "pipefail", 10**6)
    assert option_set_before(parse_script("set -o pipefail && curl x | sh"), "pipefail", 10**6)
    assert not option_set_before(parse_script('x="$(set -o pipefail)" && curl x | sh'), "pipefail", 10**6)


def test_pipe_neighbours_deep_in_a_pipeline():
    # model.py pipe_neighbours: the stage before is stages[i - 1] (i >> 1 agrees for i < 3)
    s = parse_script("a | b | c | d | e")
    a, b, c, d, e = s.commands
    assert d.pipe_neighbours() == ([c], [e])
    assert e.pipe_neighbours() == ([d], [])


def test_shell_name_looks_through_env_and_its_options():
    # run.py shell_name: `env -i FOO=1 bash` runs bash
    from dlint.shell.run import shell_name

    assert shell_name(["/usr/bin/env", "-i", "FOO=1", "bash", "-c"]) == "bash"
    assert shell_name(["env", "bash"]) == "bash"
    assert shell_name(["C:\\Windows\\System32\\cmd.EXE", "/S", "/C"]) == "cmd"


def test_only_shells_and_su_run_their_argument_as_a_shell_script():
    # wrappers.py inner_script: `su -c` runs a shell script; `python -c` / `perl --command=`
    # run other languages, whose text must not become shell commands (wrong findings)
    def effective(text):
        return [c.argv[0] for c in parse_script(text).effective_commands]

    assert effective('su app -c "apt-get install y"') == ["su", "apt-get"]
    assert effective('python -c "apt-get install x"') == ["python"]
    assert effective('perl -e 1 --command="apk add z"') == ["perl"]
    # ... and inner_script() itself, which rules call directly, agrees
    assert parse_script('python -c "apt-get install x"').commands[0].inner_script() is None
    assert parse_script('perl --command="apk add z"').commands[0].inner_script() is None
    assert parse_script('su -c "apk add z"').commands[0].inner_script() is not None
