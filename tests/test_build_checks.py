"""Docker's `# check=` directive, the model helpers the build checks read, and the
corpus counts of the build-check rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlint.api import Rule, parse_platform, suggest
from dlint.lint.buildcheck import find_build_check_config, parse_check_value
from dlint.lint.config import Config
from dlint.lint.engine import lint_document
from dlint.lint.registry import build_registry, load_registry
from dlint.model import build_model
from dlint.syntax import parse

REGISTRY = load_registry(builtin=True, plugins=False)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def lint(source: str, *select: str, registry=REGISTRY):
    return lint_document(parse(source, "Dockerfile"), "Dockerfile", Config(select=select),
                         registry=registry)


# -- the directive ---------------------------------------------------------------------


def test_error_true_makes_build_check_findings_errors_only() -> None:
    source = ("# check=error=true\n"
              "FROM alpine:latest as base\n")
    findings = {f.name: f.severity for f in lint(source, "FromAsCasing", "latest-tag")}
    assert findings == {"from-as-casing": "error", "latest-tag": "warning"}
    # without the directive the build check stays a warning
    (finding,) = lint("FROM alpine:3.20 as base\n", "FromAsCasing")
    assert finding.severity == "warning"


def test_error_true_does_not_touch_rules_that_are_not_build_checks() -> None:
    source = "# check=error=true\nFROM ubuntu\n"
    (finding,) = lint(source, "DL3006")
    assert finding.severity == "warning"


def test_error_false_and_go_booleans() -> None:
    assert parse_check_value("error=T").error is True
    assert parse_check_value("error=1").error is True
    assert parse_check_value("error=false").error is False
    assert parse_check_value("error=maybe").problem is not None


def test_skip_all_and_names() -> None:
    options = parse_check_value("skip=all;error=true")
    assert options.skip_all and options.error
    options = parse_check_value("skip=A, B")  # cut at the first space, as BuildKit does
    assert options.skip == {"A"}
    assert parse_check_value("skip=A;").problem is not None  # a part without '='
    assert parse_check_value("skipp=A").problem is not None


def test_malformed_file_directive_is_reported_like_the_build_fails() -> None:
    source = "# check=skip=FromAsCasing;\nFROM alpine:3.20 as base\n"
    assert [(f.name, f.line) for f in lint(source, "ALL")] == [("syntax-error", 1)]


def test_skip_all_skips_every_build_check_but_no_other_rule() -> None:
    source = ("# check=skip=all\n"
              "FROM ubuntu as base\n"
              "MAINTAINER me\n"
              "CMD run.sh\n")
    names = {f.name for f in lint(source, "ALL")}
    assert "untagged-image" in names
    assert not names & {"from-as-casing", "maintainer-deprecated", "json-args-recommended"}


def test_per_instruction_comment_only_skips_its_instruction() -> None:
    source = ("FROM alpine:3.20\n"
              "# check=skip=JSONArgsRecommended\n"
              "CMD run.sh\n"
              "ENTRYPOINT run.sh\n")
    assert [f.line for f in lint(source, "JSONArgsRecommended")] == [4]
    config = find_build_check_config(parse(source, "Dockerfile"))
    assert config.file is None and [(a, b) for a, b, _ in config.ranges] == [(3, 3)]


def test_per_instruction_error_true_is_ignored() -> None:
    source = "FROM alpine:3.20\n# check=error=true\nCMD run.sh\n"
    (finding,) = lint(source, "JSONArgsRecommended")
    assert finding.severity == "warning"


def test_engine_decides_by_the_rule_attribute_not_by_name() -> None:
    """A third-party rule marked as a build check is skipped through its own alias."""

    class Plugin(Rule):
        @classmethod
        def docs(cls) -> str:
            return ("## What it does\nChecks for anything.\n## Why is this bad?\nTest.\n"
                    "## Example\nFROM a\n## Fix\nNone.\n")

        code = "ZZ001"
        name = "zz-plugin"
        aliases = ("ZzCheck",)
        build_check = True

        def check(self, ctx):
            yield self.report(ctx, ctx.document.instructions[0], "hit")

    registry = build_registry([Plugin])
    assert registry.errors == []
    assert len(lint("FROM a\n", "ZZ001", registry=registry)) == 1
    assert lint("# check=skip=ZzCheck\nFROM a\n", "ZZ001", registry=registry) == []
    (finding,) = lint("# check=error=true\nFROM a\n", "ZZ001", registry=registry)
    assert finding.severity == "error"
    Plugin.build_check = False
    assert len(lint("# check=skip=ZzCheck\nFROM a\n", "ZZ001", registry=registry)) == 1


def test_every_build_check_alias_names_a_docker_check() -> None:
    checks = [r for r in REGISTRY.rules if r.build_check]
    assert len(checks) == 22
    names = {a for r in checks for a in r.aliases if not a.startswith("DL")}
    assert len(names) == 22


# -- model helpers -----------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("linux/amd64", "linux/amd64"), ("x86_64", "linux/amd64"), ("linux/aarch64", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"), ("linux/arm", "linux/arm/v7"), ("armhf", "linux/arm/v7"),
    ("windows/amd64", "windows/amd64"), ("linux", "linux/amd64"), ("bogus", None),
    ("linux/amd64/v2/x", None), ("linux/$ARCH", None), ("", None),
])
def test_parse_platform(text: str, expected: str | None) -> None:
    platform = parse_platform(text)
    assert (str(platform) if platform else None) == expected


def test_suggest_like_buildkit() -> None:
    assert suggest("BULIDPLATFORM", ["BUILDPLATFORM", "TARGETOS"]) == "BUILDPLATFORM"
    assert suggest("PATH", ["PATH", "PAT"]) is None  # an exact match means no suggestion
    assert suggest("XYZABC", ["PATH"]) is None


def test_undefined_variables_reads_the_words_buildkit_expands() -> None:
    document = parse("FROM scratch\n"
                     "ARG A=1 B=$A C=$D\n"
                     "RUN --mount=type=cache,target=$CACHE echo $NOT_CHECKED\n"
                     "COPY --chown=$OWNER $SRC $DEST\n", "Dockerfile")
    model = build_model(document)
    arg, run, copy = document.instructions[1:]
    assert model.undefined_variables(arg) == [("D", None)]
    assert model.undefined_variables(run) == [("CACHE", None)]
    assert [n for n, _ in model.undefined_variables(copy)] == ["OWNER", "SRC", "DEST"]


# -- corpus ------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_build_checks_on_the_corpus_stay_within_reviewed_counts() -> None:
    """The counts hand-reviewed for the report; a big jump means a new false positive."""
    codes = tuple(r.code for r in REGISTRY.rules if r.build_check or "DL3011" in r.aliases)
    counts: dict[str, int] = {}
    for path in sorted(CORPUS.iterdir()):
        if not path.is_file() or path.name.endswith(".tsv"):
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        for finding in lint_document(parse(text, path.name), path.name, Config(select=codes),
                                     registry=REGISTRY):
            counts[finding.name] = counts.get(finding.name, 0) + 1
    print("\nbuild-check findings on the corpus:", dict(sorted(counts.items())))
    ceilings = {"undefined-var": 10, "secrets-used-in-arg-or-env": 60, "invalid-base-image-platform": 0,
                "from-platform-flag-const-disallowed": 5, "workdir-relative-path": 15,
                "undefined-arg-in-from": 3, "invalid-default-arg-in-from": 5}
    for name, ceiling in ceilings.items():
        assert counts.get(name, 0) <= ceiling, (name, counts.get(name))
    for name in ("maintainer-deprecated", "legacy-key-value-format", "json-args-recommended"):
        assert counts.get(name, 0) > 0, name


def test_a_check_directive_buildkit_rejects_is_a_syntax_error() -> None:
    for value in ("skip=A;", "Skip=A", "error=yes", "skip=A;skip=B;error=false;x"):
        document = parse(f"# check={value}\nFROM alpine:3.20\n", "Dockerfile")
        assert [e.message.split(":")[0] for e in document.errors] == ["failed to parse check options"], value
    assert parse("# check=skip=A,B;error=true\nFROM alpine:3.20\n", "Dockerfile").errors == []
