"""dlint.shell.packages: package arguments, pins and prompts of install commands, read
from real tree-sitter-bash parses; LintContext.installs/configured on real documents."""

from __future__ import annotations

import pytest

from dlint.lint.context import LintContext
from dlint.shell import parse_script
from dlint.shell.packages import answers_prompts, install_packages, skips_recommends
from dlint.syntax import parse


def packages(text: str) -> list[tuple[str, bool | None]]:
    command = next(c for c in parse_script(text).effective_commands
                   if install_packages(c) is not None)
    return [(p.word, p.pinned) for p in install_packages(command)]


@pytest.mark.parametrize("text, expected", [
    # apt: =version pins; /release only selects a suite; .deb and paths are files
    ("apt-get -q -o Dpkg::Options::=--force-confold install -y curl=7.88 git g++ golang/bookworm",
     [("curl=7.88", True), ("git", False), ("g++", False), ("golang/bookworm", False)]),
    ("apt-get install -y ./app.deb /tmp/x.deb \"curl=${V}\" $PKGS",
     [("./app.deb", None), ("/tmp/x.deb", None), ("curl=${V}", True), ("$PKGS", None)]),
    # apk: = ~ =~ and upper bounds pin; >= alone and @tag do not; --virtual is no package
    ("apk add --no-cache --virtual .deps a=1 b~1.2 c=~1 'd<2' 'e>=1' f@edge /x.apk",
     [("a=1", True), ("b~1.2", True), ("c=~1", True), ("d<2", True), ("e>=1", False),
      ("f@edge", False), ("/x.apk", None)]),
    # pip: == ~= and upper bounds pin; >= != alone do not; files, URLs, VCS refs
    ("python3 -m pip --no-cache-dir install a==1 'b>=1,<2' c~=1 'd<2' 'e>=1' 'f!=1' g "
     "'h[x]==1; python_version>\"3\"' . ./src x.whl y.zip https://h/p.tar.gz "
     "git+https://github.com/a/b git+ssh://git@github.com/a/b@v1",
     [("a==1", True), ("b>=1,<2", True), ("c~=1", True), ("d<2", True), ("e>=1", False),
      ("f!=1", False), ("g", False), ('h[x]==1; python_version>"3"', True), (".", None),
      ("./src", None), ("x.whl", None), ("y.zip", None), ("https://h/p.tar.gz", None),
      ("git+https://github.com/a/b", False), ("git+ssh://git@github.com/a/b@v1", True)]),
    ("apt-get install -s curl", [("curl", None)]),
    ("pip install -r req.txt flask", [("flask", None)]),
    ("pip install --no-index --find-links /w flask", [("flask", None)]),
    ("pip install name @ https://h/p.whl", [("name", None)]),
    # npm: versions and ranges pin; dist-tags, * and >= alone do not; git needs #ref
    ("npm i -g a@1.2.3 b@^4 @s/c @s/d@1 e@latest 'f@*' 'g@>=1' u/r u/r#v1 ./l file:../x t.tgz",
     [("a@1.2.3", True), ("b@^4", True), ("@s/c", False), ("@s/d@1", True),
      ("e@latest", False), ("f@*", False), ("g@>=1", False), ("u/r", False), ("u/r#v1", True),
      ("./l", None), ("file:../x", None), ("t.tgz", None)]),
    ("npm install -g --unsafe-perm true a@1 b", [("a@1", True), ("b", False)]),
    # gem: name:version, -v for the one gem, .gem files
    ("gem install -N rails bundler:2.5 ./x.gem", [("rails", False), ("bundler:2.5", True),
                                                  ("./x.gem", None)]),
    ("gem install rails -v '~> 7.1'", [("rails", True)]),
    # rpm family: NEVRA, operators, files, groups, capabilities
    ("yum -y install httpd httpd-2.4.6-99.el7 java-1.8.0-openjdk java-1.8.0-openjdk-1.8.0.4 "
     "'nginx = 1:1.20' 'x >= 1' httpd.x86_64 /t/a.rpm @base 'perl(JSON)' \"p-${V}\"",
     [("httpd", False), ("httpd-2.4.6-99.el7", True), ("java-1.8.0-openjdk", False),
      ("java-1.8.0-openjdk-1.8.0.4", True), ("nginx = 1:1.20", True), ("x >= 1", False),
      ("httpd.x86_64", False), ("/t/a.rpm", None), ("@base", None), ("perl(JSON)", None),
      ("p-${V}", True)]),
    ("microdnf install -y tar-1.34 shadow-utils", [("tar-1.34", True), ("shadow-utils", False)]),
    ("zypper -n in -t pattern devel_basis", [("devel_basis", None)]),
    ("zypper -n in curl=8 vim-9.1 git", [("curl=8", True), ("vim-9.1", True), ("git", False)]),
    # go: @version pins, @latest and branches move; no @ follows go.mod except for go get
    ("go install a.io/x a.io/y@latest a.io/z@v1 a.io/w@master ./... cmd/t",
     [("a.io/x", None), ("a.io/y@latest", False), ("a.io/z@v1", True), ("a.io/w@master", False),
      ("./...", None), ("cmd/t", None)]),
    ("go get a.io/x", [("a.io/x", False)]),
    ("go run a.io/x@latest a.io/not-a-package", [("a.io/x@latest", False)]),
])
def test_install_packages(text, expected):
    assert packages(text) == expected


def test_not_an_install():
    for text in ("apt-get update", "pip download flask", "npm ci", "dnf module install x:1",
                 "yum groupinstall -y x", "go build ./...", "echo apt-get install x"):
        assert all(install_packages(c) is None for c in parse_script(text).effective_commands), text


@pytest.mark.parametrize("text, answered", [
    ("apt-get install x", False), ("apt-get -y install x", True), ("apt-get -qq install x", True),
    ("apt-get -q -q install x", True), ("apt-get -q install x", False),
    ("apt-get -o APT::Get::Assume-Yes=true install x", True), ("yes | apt-get install x", True),
    ("yum install x", False), ("yum --setopt=assumeyes=1 install x", True),
    ("microdnf install x", True), ("dnf install x", False), ("dnf -y install x", True),
    ("zypper install x", False), ("zypper -n install x", True), ("zypper install -n x", False),
    ("zypper in --no-confirm x", True), ("zypper -qn in x", True),
    ("apt-get install $OPTS x", True), ("apt-get install -s x", True), ("yum install \"$OPTS\" x", True),
])
def test_answers_prompts(text, answered):
    command = [c for c in parse_script(text).effective_commands if c.tool != "yes"][0]
    assert answers_prompts(command) is answered


@pytest.mark.parametrize("text, skips", [
    ("apt-get install -y x", False), ("apt-get install -y --no-install-recommends x", True),
    ("apt-get install -y -o APT::Install-Recommends=false x", True),
    ("apt-get install -y -o APT::Install-Recommends=true x", False),
    ("apt-get install -y --install-recommends=no x", True),
    ("apt-get install -y $OPTS x", True),
])
def test_skips_recommends(text, skips):
    (command,) = parse_script(text).commands
    assert skips_recommends(command) is skips


def test_installs_expands_known_args_and_leaves_script_variables_alone():
    source = ("FROM debian:12\nARG PKGS=\"curl git=1\"\nARG NONE\n"
              "RUN apt-get install -y $PKGS $NONE && X=vim; apt-get install -y $X\n"
              "FROM python:3\nENV PIP_CONSTRAINT=/c.txt\nRUN pip install flask\n")
    ctx = LintContext(parse(source, "Dockerfile"), "Dockerfile")
    found = [[(p.word, p.pinned) for p in packages]
             for _, _, packages in ctx.installs(("apt-get", "pip"))]
    assert found == [[("curl", False), ("git=1", True), ("$NONE", None)], [("$X", None)],
                     [("flask", None)]]


def test_configured_reads_earlier_runs_of_the_stage_chain_and_copies():
    source = ("FROM debian:12 AS base\nRUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/x\n"
              "FROM base\nRUN apt-get install x\nFROM debian:12\nRUN apt-get install x\n"
              "COPY apt.conf /etc/apt/apt.conf.d/\nRUN apt-get install y\n")
    doc = parse(source, "Dockerfile")
    ctx = LintContext(doc, "Dockerfile")
    runs = [i for i in doc.instructions if i.keyword == "RUN"]
    keys = ('apt::get::assume-yes "true"',)
    assert [ctx.configured(r, keys, ("/etc/apt/apt.conf",)) for r in runs] == [
        True, True, False, True]
