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
