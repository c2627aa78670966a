"""dlint.model: variable expansion, image references, --mount options, the stage model."""

from __future__ import annotations

import pytest

from dlint.model import (
    expand,
    expand_words,
    parse_image_ref,
    parse_mount,
    parse_mount_checked,
    split_csv_record,
)

ERROR = object()

# BuildKit's envVarTest environment: PWD=/home, SHELL=bash, NULL set but empty.
ENV = {"PWD": "/home", "SHELL": "bash", "NULL": ""}

# (word, expected) in the spirit of frontend/dockerfile/shell/envVarTest (cases written here).
ENV_VAR_CASES = [
    ("hello", "hello"),
    ("he'll'o", "hello"),
    ("he'llo", ERROR),
    ("he\\'llo", "he'llo"),
    ("he\\\\'llo", ERROR),
    ("abc\\tdef", "abctdef"),
    ('"abc\\tdef"', "abc\\tdef"),
    ('"abc\\\\tdef"', "abc\\tdef"),
    ("'abc\\tdef'", "abc\\tdef"),
    ("hello\\", "hello"),
    ("hello\\\\", "hello\\"),
    ('"hello', ERROR),
    ('"hello\\"', ERROR),
    ('"hel\'lo"', "hel'lo"),
    ("'hello", ERROR),
    ("'hello\\'", "hello\\"),
    ("'hello\\there'", "hello\\there"),
    ('"\'\'"', "''"),
    ("$.", "$."),
    ("he$1x", "hex"),
    ("he$.x", "he$.x"),
    ("he$pwd.", "he."),
    ("he$PWD", "he/home"),
    ("he\\$PWD", "he$PWD"),
    ("he\\\\$PWD", "he\\/home"),
    ('"he\\$PWD"', "he$PWD"),
    ('"he\\\\$PWD"', "he\\/home"),
    ("\\${}", "${}"),
    ("\\${}aaa", "${}aaa"),
    ("he\\${}", "he${}"),
    ("${}", ERROR),
    ("${}xx", ERROR),
    ("he${}", ERROR),
    ("he${hi}", "he"),
    ("he${hi}xx", "hexx"),
    ("he${PWD}", "he/home"),
    ("he${.}", ERROR),
    ("he${XXX:-000}xx", "he000xx"),
    ("he${PWD:-000}xx", "he/homexx"),
    ("he${XXX:-$PWD}xx", "he/homexx"),
    ("he${XXX:-${PWD:-yyy}}xx", "he/homexx"),
    ("he${XXX:-${YYY:-yyy}}xx", "heyyyxx"),
    ("he${XXX:YYY}", ERROR),
    ("he${XXX?}", ERROR),
    ("he${XXX:?}", ERROR),
    ("he${PWD?}", "he/home"),
    ("he${PWD:?}", "he/home"),
    ("he${NULL?}", "he"),
    ("he${NULL:?}", ERROR),
    ("he${XXX:+${PWD}}xx", "hexx"),
    ("he${PWD:+${XXX}}xx", "hexx"),
    ("he${PWD:+${SHELL}}xx", "hebashxx"),
    ("he${XXX:+000}xx", "hexx"),
    ("he${PWD:+000}xx", "he000xx"),
    ("'he${XX}'", "he${XX}"),
    ('"he${PWD}"', "he/home"),
    ('"he\'$PWD\'"', "he'/home'"),
    ('"$PWD"', "/home"),
    ("'$PWD'", "$PWD"),
    ("'\\$PWD'", "\\$PWD"),
    ("'\"hello\"'", '"hello"'),
    ("he${PWD", ERROR),
    ("he${PWD:=000}xx", ERROR),
    ("he${PWD:+${PWD}:}xx", "he/home:xx"),
    ("he${XXX:-\\$PWD:}xx", "he$PWD:xx"),
    ("he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"),
    ("안녕하세요", "안녕하세요"),
    ("안'녕'하세요", "안녕하세요"),
    ("안'녕하세요", ERROR),
    ('"안녕\\t하세요"', "안녕\\t하세요"),
    ("$", "$"),
    ("a$", "a$"),
    ("$ x", "$ x"),
    ("${PWD}${SHELL}", "/homebash"),
    ("$PWD-x", "/home-x"),
    ("$PWD_x", ""),
    # unset vs empty: "-"/"+" test set-ness, ":-"/":+" also treat empty as unset
    ("${NULL-d}", ""),
    ("${NULL:-d}", "d"),
    ("${XXX-d}", "d"),
    ("${NULL+a}", "a"),
    ("${NULL:+a}", ""),
    ("${XXX+a}", ""),
    ("${XXX?custom message}", ERROR),
    # prefix / suffix removal and substitution
    ("${PWD#/}", "home"),
    ("${PWD#*o}", "me"),
    ("${PWD##*o}", "me"),
    ("${SHELL%h}", "bas"),
    ("${SHELL%?h}", "ba"),
    ("${SHELL%%a*}", "b"),
    ("${SHELL%a*}", "b"),
    ("${SHELL#b*}", "ash"),
    ("${SHELL##b*}", ""),
    ("${PWD#xyz}", "/home"),
    ("${XXX#a}", ""),
    ("${PWD:#/}", ERROR),
    ("${SHELL/a/o}", "bosh"),
    ("${PWD/o*/x}", "/hx"),
    ("${SHELL//[ab]/x}", "xxsh"),
    ("${SHELL/zz/x}", "bash"),
]


@pytest.mark.parametrize("word,expected", ENV_VAR_CASES)
def test_envvar_semantics(word, expected):
    result = expand(word, ENV)
    if expected is ERROR:
        assert result.error is not None, result
        assert result.unresolved
        assert result.value == word  # raw word kept on error
    else:
        assert result.error is None, result.error
        assert result.value == expected


def test_backtick_escape():
    assert expand("he`$PWD", ENV, "`").value == "he$PWD"
    assert expand("C:\\path\\$PWD", ENV, "`").value == "C:\\path\\/home"
    assert expand('"a`"b"', ENV, "`").value == 'a"b'
    # with backtick escape, a backslash is an ordinary character
    assert expand("a\\b", ENV, "`").value == "a\\b"


def test_names_and_unknown_tracking():
    env = {"A": "1", "DECLARED": None}
    r = expand("$A-${B}-${DECLARED:-x}", env)
    assert r.value == "1--x"
    assert r.names == {"A", "B", "DECLARED"}
    assert r.unknown == {"B", "DECLARED"}
    assert r.unresolved
    ok = expand("v$A", env)
    assert ok.names == {"A"} and not ok.unknown and not ok.unresolved
    plain = expand("plain", env)
    assert plain.names == frozenset() and not plain.unresolved


def test_keep_unknown_keeps_plain_references_only():
    env = {"A": "1"}
    assert expand("$HOME/x:${PATH}:$A", env, keep_unknown=True).value == "$HOME/x:${PATH}:1"
    assert expand("${TAG:-latest}", env, keep_unknown=True).value == "latest"


def test_windows_keys_are_case_insensitive():
    assert expand("$pwd", ENV, windows=True).value == "/home"
    assert expand("$pwd", ENV).value == ""


def test_process_words():
    env = {"X": "a b", "E": ""}
    assert expand_words("$X c", env) == ["a", "b", "c"]
    assert expand_words('"$X" c', env) == ["a b", "c"]
    assert expand_words("80/tcp  443", env) == ["80/tcp", "443"]
    assert expand_words("$E", env) == []
    assert expand_words("'a  b'", env) == ["a  b"]


def test_unsupported_replacement_left_raw():
    r = expand("${SHELL/a/\\x}", ENV)
    assert r.unsupported and r.unresolved
    assert r.value == "${SHELL/a/\\x}"


def test_deep_nesting_does_not_raise():
    word = "${A:-" * 3000 + "x" + "}" * 3000
    r = expand(word, {})
    assert r.value == "x" or r.error is not None


# -- image references ------------------------------------------------------------------

@pytest.mark.parametrize("text,domain,path,tag,digest,familiar", [
    ("alpine", "docker.io", "library/alpine", None, None, "alpine"),
    ("alpine:3.19", "docker.io", "library/alpine", "3.19", None, "alpine:3.19"),
    ("user/app:1", "docker.io", "user/app", "1", None, "user/app:1"),
    ("docker.io/library/python:3.12-slim", "docker.io", "library/python", "3.12-slim", None,
     "python:3.12-slim"),
    ("index.docker.io/nginx", "docker.io", "library/nginx", None, None, "nginx"),
    ("ghcr.io/owner/app:v1", "ghcr.io", "owner/app", "v1", None, "ghcr.io/owner/app:v1"),
    ("localhost/app", "localhost", "app", None, None, "localhost/app"),
    ("localhost:5000/a/b:t", "localhost:5000", "a/b", "t", None, "localhost:5000/a/b:t"),
    ("registry:5000/app", "registry:5000", "app", None, None, "registry:5000/app"),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com", "windows/servercore",
     "ltsc2022", None, "mcr.microsoft.com/windows/servercore:ltsc2022"),
    ("alpine@sha256:" + "a" * 64, "docker.io", "library/alpine", None, "sha256:" + "a" * 64,
     "alpine@sha256:" + "a" * 64),
    ("alpine:3@sha256:" + "b" * 64, "docker.io", "library/alpine", "3", "sha256:" + "b" * 64,
     "alpine:3@sha256:" + "b" * 64),
    ("a__b/c-d.e:x", "docker.io", "a__b/c-d.e", "x", None, "a__b/c-d.e:x"),
    ("[::1]:5000/app", "[::1]:5000", "app", None, None, "[::1]:5000/app"),
])
def test_valid_image_refs(text, domain, path, tag, digest, familiar):
    ref = parse_image_ref(text)
    assert ref.valid, ref.error
    assert (ref.domain, ref.path, ref.tag, ref.digest) == (domain, path, tag, digest)
    assert ref.familiar == familiar
    assert ref.normalized.startswith(domain + "/" + path)


@pytest.mark.parametrize("text", [
    "", "Alpine", "alpine:", "alpine:-bad", ":tag", "alpine@sha256:abc",
    "alpine@sha256:" + "A" * 64, "alpine@md5:" + "a" * 32, "a//b", "a/", "-a", "a b",
    "f" * 64, "image:" + "t" * 129, "python:${TAG}", "UPPER.io:x/app/",
])
def test_invalid_image_refs(text):
    ref = parse_image_ref(text)
    assert not ref.valid
    assert ref.error


def test_image_ref_details():
    assert parse_image_ref("Docker.IO/app").domain == "Docker.IO"  # upper case => a domain
    assert parse_image_ref("Alpine").error.endswith("must be lowercase")
    assert parse_image_ref("scratch").is_scratch
    assert not parse_image_ref("docker.io/library/scratch").is_scratch
    assert parse_image_ref("alpine").effective_tag == "latest"
    assert parse_image_ref("alpine@sha256:" + "c" * 64).effective_tag is None
    assert parse_image_ref("alpine").normalized == "docker.io/library/alpine"
    assert parse_image_ref("user/app").familiar_name == "user/app"
    assert parse_image_ref("localhost:5000").tag == "5000"  # docker reads it as a tag


# -- --mount options --------------------------------------------------------------------

def test_parse_mount_basic_and_aliases():
    assert parse_mount("type=cache,target=/root/.cache/pip,sharing=locked") == {
        "type": "cache", "target": "/root/.cache/pip", "sharing": "locked"}
    m = parse_mount("from=builder,src=/out,dst=/in,ro")
    assert m == {"type": "bind", "from": "builder", "source": "/out", "target": "/in",
                 "readonly": "true"}
    assert parse_mount("type=bind,destination=/x,rw")["readonly"] == "false"
    assert parse_mount("TYPE=secret,ID=tok,required")["required"] == "true"
    assert parse_mount("type=secret,id=tok")["id"] == "tok"


def test_parse_mount_quoted_fields():
    m = parse_mount('type=bind,"source=a,b","target=/x ""y"""')
    assert m["source"] == "a,b"
    assert m["target"] == '/x "y"'
    opts, problems = parse_mount_checked('type=bind,target="/a,b"')
    assert problems and "bare" in problems[0]
    assert split_csv_record('a,"b,c",d') == (["a", "b,c", "d"], None)
    assert split_csv_record('"a') [1] is not None


def test_parse_mount_problems():
    assert parse_mount_checked("type=nope,target=/x")[1]
    assert parse_mount_checked("type=cache,oops")[1]
    assert parse_mount_checked(None) == ({"type": "bind"}, ["--mount needs a value"])
    assert parse_mount_checked("type=cache,target=/x")[1] == []


# -- the stage model ---------------------------------------------------------------------
# Documents are built by hand here (BuildKit's node shapes), so these tests do not depend
# on the parser; test_corpus_* below runs the real parser over real files.

from dlint.model import DEFAULT_SHELL, build_model  # noqa: E402
from dlint.syntax.nodes import Document, Flag, Instruction  # noqa: E402


def ins(keyword, *value, flags=(), json=False, line=0, sub=None):
    flag_objs = []
    for f in flags:
        name, sep, val = f.partition("=")
        flag_objs.append(Flag(name=name, value=val if sep else None, raw="--" + f))
    return Instruction(keyword=keyword, raw_keyword=keyword, start_line=line, end_line=line,
                       flags=flag_objs, value=list(value), json=json, sub_instruction=sub)


def document(*instructions, escape="\\"):
    for n, i in enumerate(instructions, 1):
        i.start_line = i.end_line = n
    return Document(path="Dockerfile", text="", lines=[], instructions=list(instructions),
                    escape=escape)


def test_arg_templated_from_and_global_args():
    arg = ins("ARG", "BASE=python:3.12", "TAG")
    f1 = ins("FROM", "${BASE}", "AS", "Build")
    f2 = ins("FROM", "alpine:${TAG}")
    f3 = ins("FROM", "alpine:${TAG:-3.19}")
    m = build_model(document(arg, f1, f2, f3))
    assert m.global_args == {"BASE": "python:3.12", "TAG": None}
    s0, s1, s2 = m.stages
    assert s0.name == "build" and s0.raw_name == "Build"
    assert s0.base_text == "${BASE}" and s0.base_name == "python:3.12"
    assert s0.base.familiar == "python:3.12" and not s0.base_unresolved
    assert s1.base_name == "alpine:" and s1.base_unresolved and not s1.base.valid
    assert s2.base.tag == "3.19" and s2.base_unresolved  # TAG may come from --build-arg
    m2 = build_model(document(arg, f1, f2), build_args={"TAG": "3.20", "UNDECLARED": "x"})
    assert m2.stages[1].base_name == "alpine:3.20" and not m2.stages[1].base_unresolved
    assert "UNDECLARED" not in m2.global_args
    assert m.state_at(arg).args == {} and m.state_at(f1).stage is s0


def test_global_arg_defaults_expand_earlier_globals():
    m = build_model(document(ins("ARG", "V=3"), ins("ARG", "IMG=alpine:$V"),
                             ins("FROM", "$IMG")))
    assert m.stages[0].base_name == "alpine:3"


def test_global_arg_redeclaration_in_stage():
    a = ins("ARG", "VERSION=3.19")
    run0 = ins("RUN", "echo")
    redeclare = ins("ARG", "VERSION")
    run1 = ins("RUN", "echo $VERSION")
    own = ins("ARG", "OTHER=x-${VERSION}", "NODEF")
    run2 = ins("RUN", "x")
    m = build_model(document(a, ins("FROM", "alpine:${VERSION}"), run0, redeclare, run1,
                             own, run2))
    assert m.stages[0].base_name == "alpine:3.19"
    assert m.state_at(run0).args == {}  # a global ARG is not in scope until re-declared
    assert m.expand("$VERSION", run0).value == "" and m.expand("$VERSION", run0).unresolved
    assert m.state_at(run1).args == {"VERSION": "3.19"}
    assert m.state_at(run2).args == {"VERSION": "3.19", "OTHER": "x-3.19", "NODEF": None}
    assert m.expand("$NODEF", run2).unresolved
    m2 = build_model(m.document, build_args={"VERSION": "4", "NODEF": "y"})
    assert m2.state_at(run2).args == {"VERSION": "4", "OTHER": "x-4", "NODEF": "y"}
    assert m2.stages[0].base_name == "alpine:4"


def test_env_and_arg_precedence_and_same_instruction_references():
    env1 = ins("ENV", "APP_HOME", "/app", "PATH", "$APP_HOME/bin:$PATH")
    arg = ins("ARG", "APP_HOME=/from-arg")
    env2 = ins("ENV", "X", "${UNSET:-default}", "Y", "${APP_HOME:+set}", "OLD", '"a b"')
    wd = ins("WORKDIR", "$APP_HOME")
    label = ins("LABEL", "version", '"${APP_HOME:-latest}"')
    m = build_model(document(ins("FROM", "alpine"), env1, arg, env2, wd, label))
    s = m.state_at(env2)
    # a reference inside the same ENV sees the value from before the instruction (none
    # here: BuildKit would give "/bin:" + the image's PATH); unknown references are kept
    assert s.env == {"APP_HOME": "/app", "PATH": "$APP_HOME/bin:$PATH"}
    assert "PATH" in s.uncertain and "APP_HOME" not in s.uncertain
    assert m.expand("$APP_HOME", env2).value == "/app"  # ENV wins over ARG
    assert m.expand("$PATH", env2).unresolved           # the image's PATH is unknown
    after = m.state_at(wd)
    assert after.env["X"] == "default" and after.env["Y"] == "set" and after.env["OLD"] == "a b"
    assert m.state_at(label).workdir == "/app"
    assert m.expand('"${APP_HOME:-latest}"', label).value == "/app"


def test_arg_default_sees_env():
    m = build_model(document(ins("FROM", "a"), ins("ENV", "E", "1"), ins("ARG", "A=$E-x"),
                             last := ins("RUN", "true")))
    assert m.state_at(last).args == {"A": "1-x"}


def test_user_workdir_shell_tracking_and_inheritance():
    f0 = ins("FROM", "debian", "AS", "base")
    w1 = ins("WORKDIR", "/srv")
    w2 = ins("WORKDIR", "app/../src")
    e = ins("ENV", "HOME_DIR", "/home/u")
    u = ins("USER", "app:app")
    sh = ins("SHELL", "/bin/bash", "-eo", "pipefail", "-c", json=True)
    end0 = ins("RUN", "true")
    f1 = ins("FROM", "BASE", "AS", "child")
    c1 = ins("RUN", "true")
    w3 = ins("WORKDIR", "$HOME_DIR")
    w4 = ins("WORKDIR", "$UNKNOWN/x")
    c2 = ins("RUN", "true")
    f2 = ins("FROM", "debian")
    c3 = ins("RUN", "true")
    m = build_model(document(f0, w1, w2, e, u, sh, end0, f1, c1, w3, w4, c2, f2, c3))
    assert m.state_at(w1).workdir == "/" and m.state_at(w1).user is None
    assert m.state_at(w1).shell == DEFAULT_SHELL
    assert m.state_at(e).workdir == "/srv/src"
    assert m.state_at(end0).user == "app:app"
    assert m.state_at(end0).shell == ["/bin/bash", "-eo", "pipefail", "-c"]
    child = m.stages[1]
    assert child.base_stage is m.stages[0] and child.base is None  # case-insensitive name
    st = m.state_at(c1)
    assert (st.user, st.workdir, st.env, st.shell) == (
        "app:app", "/srv/src", {"HOME_DIR": "/home/u"}, ["/bin/bash", "-eo", "pipefail", "-c"])
    assert m.state_at(w4).workdir == "/home/u"
    assert m.state_at(c2).workdir == "$UNKNOWN/x"
    fresh = m.state_at(c3)
    assert (fresh.user, fresh.workdir, fresh.env, fresh.shell) == (None, "/", {}, DEFAULT_SHELL)
    assert m.final_state(m.stages[0]).user == "app:app"


def test_from_stage_must_be_earlier_and_args_inherit():
    f0 = ins("FROM", "later")         # names a later stage: an image, not a stage
    f1 = ins("FROM", "alpine", "AS", "later")
    a = ins("ARG", "V=1")
    f2 = ins("FROM", "later")
    r = ins("RUN", "x")
    m = build_model(document(f0, f1, a, f2, r))
    assert m.stages[0].base_stage is None and m.stages[0].base.familiar == "later"
    assert m.stages[2].base_stage is m.stages[1]
    assert m.state_at(r).args == {"V": "1"}


def test_platform_args_resolve_stage_names_but_stay_unresolved():
    f0 = ins("FROM", "alpine", "AS", "bin-linux")
    f1 = ins("FROM", "alpine", "AS", "bin-windows")
    f2 = ins("FROM", "bin-$TARGETOS")
    a = ins("ARG", "TARGETARCH")
    r = ins("RUN", "x")
    m = build_model(document(f0, f1, f2, a, r))
    final = m.final_stage
    assert final.base_stage is m.stages[0] and final.base_unresolved
    assert [s.name for s in m.reachable()] == ["bin-linux", None]
    assert m.state_at(r).args == {"TARGETARCH": "amd64"}
    assert m.expand("$TARGETARCH", r).unresolved and m.expand("$TARGETARCH", a).value == ""
    m = build_model(document(f0, f1, f2), platform="windows/amd64")
    assert m.final_stage.base_stage is m.stages[1]
    m = build_model(document(f0, f1, f2), build_args={"TARGETOS": "windows"})
    assert m.final_stage.base_stage is m.stages[1] and not m.final_stage.base_unresolved
    g = ins("ARG", "TARGETPLATFORM")
    m = build_model(document(g, ins("FROM", "x")))
    assert m.global_args == {"TARGETPLATFORM": "linux/amd64"}


def test_dependencies_copy_from_and_mount():
    f0 = ins("FROM", "golang:1.22", "AS", "build")
    f1 = ins("FROM", "node", "AS", "web")
    f2 = ins("FROM", "scratch")
    c_name = ins("COPY", "/out", "/bin/", flags=["from=BUILD"])
    c_index = ins("COPY", "/x", "/x", flags=["from=1"])
    c_image = ins("COPY", "/etc/passwd", "/etc/", flags=["from=busybox:1.36"])
    c_arg = ins("COPY", "/y", "/y", flags=["from=${SRC}"])
    run = ins("RUN", "make", flags=["mount=type=cache,target=/c",
                                     "mount=type=bind,from=web,source=/dist,target=/d",
                                     'mount="from=nginx:1",target=/n'])
    arg = ins("ARG", "SRC=web")
    m = build_model(document(f0, f1, f2, c_name, c_index, c_image, arg, c_arg, run))
    final = m.final_stage
    assert final is m.stages[2] and final.is_scratch and final.base.is_scratch
    deps = m.dependencies(final)
    kinds = [(d.kind, d.stage.name if d.stage else None, d.image.familiar if d.image else None)
             for d in deps]
    assert kinds == [
        ("from", None, "scratch"),
        ("copy", "build", None),
        ("copy", "web", None),
        ("copy", None, "busybox:1.36"),
        ("copy", "web", None),
        ("mount", "web", None),
        ("mount", None, "nginx:1"),
    ]
    assert deps[4].reference == "web" and not deps[4].unresolved
    assert [s.index for s in m.reachable()] == [0, 1, 2]
    assert [s.index for s in m.reachable("web")] == [1]
    assert m.reachable("nope") == []
    assert m.stage("BUILD") is m.stages[0] and m.stage(1) is m.stages[1]
    assert m.stage("1") is m.stages[1] and m.stage(7) is None


def test_reachability_skips_unused_stages():
    f0 = ins("FROM", "alpine", "AS", "unused")
    f1 = ins("FROM", "alpine", "AS", "base")
    f2 = ins("FROM", "base", "AS", "test")
    f3 = ins("FROM", "base", "AS", "final")
    m = build_model(document(f0, f1, f2, f3))
    assert [s.name for s in m.reachable()] == ["base", "final"]
    assert [s.name for s in m.reachable("test")] == ["base", "test"]
    assert [s.name for s in m.reachable("unused")] == ["unused"]


def test_copy_from_cycle_terminates():
    a = ins("FROM", "alpine", "AS", "a")
    ca = ins("COPY", "x", "y", flags=["from=b"])
    b = ins("FROM", "alpine", "AS", "b")
    cb = ins("COPY", "x", "y", flags=["from=a"])
    cself = ins("COPY", "x", "y", flags=["from=b"])
    m = build_model(document(a, ca, b, cb, cself))
    assert [s.name for s in m.reachable()] == ["a", "b"]
    assert m.dependencies(m.stages[1])[-1].stage is None


@pytest.mark.parametrize("from_value,flags,extra,windows", [
    (["mcr.microsoft.com/windows/servercore:ltsc2022"], [], [], True),
    (["mcr.microsoft.com/windows/nanoserver:1809"], [], [], True),
    (["mcr.microsoft.com/dotnet/framework/sdk:4.8"], [], [], True),
    (["mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022"], [], [], True),
    (["mcr.microsoft.com/dotnet/sdk:8.0"], [], [], False),
    (["alpine"], ["platform=windows/amd64"], [], True),
    (["alpine"], [], [ins("SHELL", "powershell", "-Command", json=True)], True),
    (["alpine"], [], [ins("SHELL", "C:\\Program Files\\PowerShell\\pwsh.exe", "-c",
                          json=True)], True),
    (["alpine"], [], [ins("SHELL", "/bin/bash", "-c", json=True)], False),
])
def test_windows_detection(from_value, flags, extra, windows):
    f = ins("FROM", *from_value, flags=flags)
    r = ins("RUN", "x")
    m = build_model(document(f, *extra, r))
    assert m.stages[0].windows is windows
    assert m.state_at(r).windows is windows


def test_windows_default_shell_and_paths_inherit():
    f0 = ins("FROM", "mcr.microsoft.com/windows/servercore:ltsc2022", "AS", "w")
    wd = ins("WORKDIR", "C:\\app")
    wd2 = ins("WORKDIR", "sub")
    f1 = ins("FROM", "w")
    r = ins("RUN", "dir")
    m = build_model(document(f0, wd, wd2, f1, r, escape="`"))
    assert m.state_at(wd).shell == ["cmd", "/S", "/C"]
    assert m.stages[1].windows and m.state_at(r).workdir == "C:\\app\\sub"
    # with the default escape character BuildKit reads "\a" as "a", as here
    m = build_model(document(f0, wd, wd2))
    assert m.state_at(wd2).workdir == "C:app"


def test_onbuild_recorded_not_applied():
    trigger = ins("ENV", "X", "1")
    onbuild = ins("ONBUILD", "ENV X=1", sub=trigger)
    r = ins("RUN", "x")
    m = build_model(document(ins("FROM", "alpine"), onbuild, r))
    assert m.stages[0].onbuild == [onbuild]
    assert m.state_at(r).env == {}
    assert m.state_at(trigger) is m.state_at(onbuild)


def test_platform_and_broken_documents():
    f = ins("FROM", "--platform=$BUILDPLATFORM", flags=["platform=$BUILDPLATFORM"])
    f.value = ["golang"]
    m = build_model(document(f))
    assert m.stages[0].platform == "$BUILDPLATFORM"
    assert m.stages[0].platform_expanded == "linux/amd64"  # assumed, and marked so:
    assert m.expand("$BUILDPLATFORM", f).unresolved
    # no FROM at all, FROM without arguments, odd ENV, empty ARG / USER / WORKDIR / SHELL
    broken = document(ins("RUN", "x"), ins("ENV", "ONLYKEY"), ins("FROM"),
                      ins("FROM", "a", "b"), ins("ARG"), ins("ARG", "=x"), ins("USER"),
                      ins("WORKDIR"), ins("SHELL", "not json"), ins("COPY", "a", "b",
                                                                      flags=["from"]),
                      ins("RUN", "x", flags=["mount", "mount=from=\"x"]),
                      ins("ENV", "K", "${BAD"))
    m = build_model(broken)
    assert len(m.stages) == 2 and m.stages[0].base_name == "" and not m.stages[0].base.valid
    assert m.stages[1].name is None
    for i in broken.instructions:
        m.state_at(i)
        m.expand("$X", i)
    assert m.state_at(broken.instructions[-1]).shell == DEFAULT_SHELL
    assert build_model(document()).stages == [] and build_model(document()).reachable() == []
    assert build_model(document()).final_stage is None
    stranger = ins("RUN", "not in the document")
    assert m.state_at(stranger).stage is None


# -- robustness ----------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

from dlint.syntax import parse  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORD_ALPHABET = st.sampled_from(list("ab$:{}-+?#%/'\"\\` =_1.*[]!@ \t"))


@settings(max_examples=400, deadline=None)
@given(st.text(_WORD_ALPHABET, max_size=30), st.sampled_from(["\\", "`"]), st.booleans())
def test_expand_never_raises(word, escape, keep):
    r = expand(word, {"a": "x y", "b": "", "c": None}, escape, keep_unknown=keep)
    assert isinstance(r.value, str)
    assert isinstance(r.words, tuple)
    assert r.unknown <= r.names


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_image_ref_and_mount_never_raise(text):
    ref = parse_image_ref(text)
    assert ref.valid or ref.error
    assert isinstance(parse_mount(text), dict)


_KEYWORDS = ["FROM", "ARG", "ENV", "RUN", "COPY", "WORKDIR", "USER", "SHELL", "ONBUILD", "LABEL"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_KEYWORDS),
                          st.lists(st.text(_WORD_ALPHABET, max_size=8), max_size=4),
                          st.lists(st.sampled_from(["from=0", "from=a", "mount=from=a",
                                                    "mount", "platform=$X", "from"]),
                                   max_size=2),
                          st.booleans()),
                max_size=12))
def test_build_model_never_raises(spec):
    doc = document(*[ins(k, *v, flags=f, json=j) for k, v, f, j in spec])
    m = build_model(doc)
    for i in doc.instructions:
        state = m.state_at(i)
        assert isinstance(state.workdir, str) and isinstance(state.shell, list)
        m.expand("${a:-$b}", i)
    for stage in m.stages:
        m.dependencies(stage)
    assert all(s in m.stages for s in m.reachable())


# -- with the real parser over real files ------------------------------------------------

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"




def test_parsed_arg_env_substitution_case():
    doc = parse('ARG VERSION=3.19\nFROM alpine:${VERSION}\nARG VERSION\n'
                'ENV APP_HOME=/app PATH=$APP_HOME/bin:$PATH\nENV OLD_STYLE value with spaces\n'
                'LABEL version="${VERSION:-latest}" desc="x y"\n'
                'ENV X=${UNSET:-default} Y=${VERSION:+set}\nWORKDIR $APP_HOME\nRUN true\n')
    m = build_model(doc)
    stage = m.stages[0]
    assert stage.base.familiar == "alpine:3.19"
    last = doc.instructions[-1]
    state = m.state_at(last)
    assert state.args == {"VERSION": "3.19"}
    assert state.env["X"] == "default" and state.env["Y"] == "set"
    assert state.env["OLD_STYLE"] == "value with spaces"
    assert state.workdir == "/app"
    label = doc.instructions[5]
    assert [m.expand(w, label).value for w in label.value] == ["version", "3.19", "desc", "x y"]


def test_parsed_multistage_graph():
    doc = parse("FROM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache go build\n"
                "FROM build as TEST\nRUN go test\n"
                "FROM scratch\nCOPY --from=build /out /out\n"
                "COPY --from=0 /x /x\n")
    m = build_model(doc)
    assert [s.name for s in m.stages] == ["build", "test", None]
    assert m.stages[1].base_stage is m.stages[0]
    assert [s.index for s in m.reachable()] == [0, 2]
    assert [s.index for s in m.reachable("test")] == [0, 1]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_models_without_exception():
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "DUPLICATES.tsv")
    assert len(files) > 1000
    stages = 0
    for path in files:
        doc = parse(path.read_bytes(), str(path))
        m = build_model(doc)
        for i in doc.instructions:
            m.state_at(i)
        for s in m.stages:
            m.dependencies(s)
        m.reachable()
        stages += len(m.stages)
    assert stages >= len(files) // 2


def _model_of(text):
    from dlint.syntax import parse

    return build_model(parse(text))


def test_shipped_stages_leave_out_stages_only_read_through_copy_or_mount():
    m = _model_of(
        "FROM golang AS build\n"
        "FROM alpine AS base\n"
        "FROM base AS test\n"
        "FROM node AS assets\n"
        "FROM base AS final\n"
        "COPY --from=build /x /x\n"
        "RUN --mount=from=assets,target=/a true\n"
    )
    # test is used by no stage: a possible --target, so shipped; base is FROM of shipped ones
    assert [s.name for s in m.shipped_stages()] == ["base", "test", "final"]


def test_shipped_stages_include_the_from_ancestors_of_a_shipped_stage():
    m = _model_of(
        "FROM alpine AS build\n"
        "FROM build AS tools\n"
        "FROM scratch AS final\n"
        "COPY --from=build /x /x\n"
        "COPY --from=final /x /x\n"
    )
    # build is copied from, but tools (used by nobody) is built FROM it; the last stage
    # ships even when another stage reads it
    assert [s.name for s in m.shipped_stages()] == ["build", "tools", "final"]
    assert _model_of("").shipped_stages() == []


def test_cache_mount_targets_are_expanded_normalised_cache_and_tmpfs_only():
    m = _model_of(
        "FROM alpine\n"
        "ARG C=/var/cache\n"
        "RUN --mount=type=cache,target=${C}/apk/ --mount=type=bind,target=/src "
        "--mount=type=tmpfs,target=/tmp/x/.. --mount=type=cache,target= apk add x\n"
    )
    run = m.stages[0].instructions[-1]
    assert m.cache_mount_targets(run) == ["/var/cache/apk", "/tmp"]
    assert m.cache_mounted(run, ["/etc/apk/cache", "/var/cache/apk"])
    assert m.cache_mounted(run, ["/var/cache/apk/sub"]) and m.cache_mounted(run, ["/tmp/a"])
    assert not m.cache_mounted(run, ["/var/cache/apkx"])
    assert not m.cache_mounted(run, ["/src"]) and not m.cache_mounted(run, ["/var/cache"])
    root = _model_of("FROM alpine\nRUN --mount=type=cache,target=/ true\n")
    assert root.cache_mounted(root.stages[0].instructions[-1], ["/var/cache/apk"])


def test_stage_chain_and_external_image():
    m = _model_of(
        "ARG V\n"
        "FROM alpine:3.20 AS a\n"
        "FROM a AS b\n"
        "FROM b AS c\n"
        "FROM scratch\n"
        "FROM python:${V}\n"
        "FROM Not-Valid\n"
    )
    a, b, c, scratch, unresolved, invalid = m.stages
    assert list(c.chain()) == [c, b, a] and list(a.chain()) == [a]
    assert a.external_image is a.base and a.external_image.text == "alpine:3.20"
    assert b.external_image is None and scratch.external_image is None
    assert unresolved.external_image is None and invalid.external_image is None


# -- expansion growth: values are capped, never built unboundedly -------------------------

from dlint.model.expand import MAX_EXPANSION  # noqa: E402


def _chain(copies: list[int], seed: str) -> tuple[str, list[int]]:
    """ARG A0=seed, then ARG Ai repeating A(i-1) copies[i-1] times; with the true length
    of each value (what BuildKit would build)."""
    lines = [f"ARG A0={seed}"]
    sizes = [len(seed)]
    for i, k in enumerate(copies, start=1):
        lines.append(f"ARG A{i}=" + f"${{A{i - 1}}}" * k)
        sizes.append(sizes[-1] * k)
    return "\n".join(lines) + "\n", sizes


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=45), st.text("xy", min_size=1, max_size=6),
       st.booleans())
def test_expansion_growth_is_capped_and_reported_once(copies, seed, global_scope):
    text, sizes = _chain(copies, seed)
    source = (text + "FROM alpine:3.20\nRUN true\n") if global_scope else \
        ("FROM alpine:3.20\n" + text + "RUN true\n")
    m = build_model(parse(source))
    values = (m.global_args if global_scope else m.state_at(parse_last(m)).args)
    assert all(v is None or len(v) <= MAX_EXPANSION for v in values.values())
    first_over = next((i for i, size in enumerate(sizes) if size > MAX_EXPANSION), None)
    if first_over is None:
        assert m.too_large == []
        assert values[f"A{len(copies)}"] == seed * (sizes[-1] // len(seed))
    else:
        # one finding, on the first ARG over the cap; the ARGs built from it do not grow again
        ((instruction, message),) = m.too_large
        assert instruction.value == [f"A{first_over}=" + f"${{A{first_over - 1}}}" * copies[first_over - 1]]
        assert str(MAX_EXPANSION) in message and f"`A{first_over}`" in message
        assert all(not values[f"A{i}"] for i in range(first_over, len(copies) + 1))


def parse_last(m):
    return m.document.instructions[-1]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200_000), st.integers(0, 2_000), st.sampled_from(["${V}", "$V", "${V//x/yy}",
                                                                        "${V:-z}", "${V%%x*}"]))
def test_one_expansion_never_passes_the_cap(size, repeats, form):
    result = expand(form * repeats, {"V": "x" * size})
    assert len(result.value) <= MAX_EXPANSION + len(form) * repeats
    assert result.too_large == (result.error is not None and "larger than" in result.error)
