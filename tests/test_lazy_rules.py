"""Built-in rules load lazily: the rule index holds their metadata, and a rule module is
imported only when a file can trigger the rule (its keywords and triggers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlint.lint.config import Config
from dlint.lint.engine import lint_document, trigger_text
from dlint.lint.registry import RuleRef, _index_key, builtin_rules, load_registry, metadata, rule_class
from dlint.syntax import parse

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DLINT_RULE_INDEX", raising=False)
    return tmp_path / "cache"


def test_index_metadata_is_the_classes_metadata(cache_home):
    errors: list[str] = []
    written = builtin_rules(errors)  # a miss: imports every module and writes the index
    assert errors == [] and list(cache_home.glob("dlint/rules-*.json"))
    read = builtin_rules(errors)  # a hit: nothing loaded yet
    assert errors == []
    assert all(isinstance(r, RuleRef) and not r.loaded for r in read)
    eager = builtin_rules(errors, use_index=False)
    assert [r.code for r in read] == [r.code for r in written] == [r.code for r in eager]
    for ref, cls in zip(read, eager):
        assert metadata(ref.load()) == metadata(cls)
        assert ref.load() is cls
        for attr in ("code", "name", "severity", "enabled", "aliases", "keywords", "triggers",
                     "checks_broken_files"):
            value = getattr(cls, attr)
            assert getattr(ref, attr) == (tuple(value) if isinstance(value, list) else value), (ref, attr)


def test_index_key_follows_every_edit(tmp_path):
    package = tmp_path / "pkg"
    (package / "family").mkdir(parents=True)
    (package / "family" / "rule_a.py").write_text("x = 1\n")
    key = _index_key([str(package)])
    assert _index_key([str(package)]) == key
    (package / "family" / "rule_a.py").write_text("x = 22\n")  # edited (size changes)
    edited = _index_key([str(package)])
    assert edited != key
    os.utime(package / "family" / "rule_a.py", ns=(1, 1))  # touched
    touched = _index_key([str(package)])
    assert touched != edited
    (package / "family" / "rule_b.py").write_text("")  # added
    assert _index_key([str(package)]) != touched


def test_a_stale_or_broken_index_is_rebuilt(cache_home):
    builtin_rules([])
    (index,) = cache_home.glob("dlint/rules-*.json")
    data = json.loads(index.read_text())
    data["rules"][0]["name"] = "renamed-in-a-stale-index"
    data["key"][0] = -1  # an index written by another version
    index.write_text(json.dumps(data))
    assert "renamed-in-a-stale-index" not in [r.name for r in builtin_rules([])]
    index.write_text("{not json")
    assert len(builtin_rules([])) == len(builtin_rules([], use_index=False))


LOADED = """
import json, sys
from dlint.cli import main
code = main(["check", "--format", "json", sys.argv[1]])
print(json.dumps(sorted(m for m in sys.modules if m.startswith("dlint.rules."))))
"""


def loaded_rule_modules(path: Path, env: dict[str, str]) -> tuple[list[str], list[dict]]:
    """(dlint.rules.* modules imported, findings) of one `dlint check --format json`."""
    proc = subprocess.run([sys.executable, "-c", LOADED, str(path)], capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    out = proc.stdout.strip().splitlines()
    return json.loads(out[-1]), json.loads("\n".join(out[:-1]))


def test_a_run_imports_only_the_rules_its_file_can_trigger(tmp_path, cache_home):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("DLINT_RULE_INDEX", None)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine\nRUN apk add curl\n")
    loaded_rule_modules(dockerfile, env)  # writes the index
    modules, findings = loaded_rule_modules(dockerfile, env)
    names = {m.rsplit(".", 1)[-1] for m in modules if m.count(".") == 3}
    registry = load_registry(plugins=False)
    assert "apk_no_cache" in names and {"DF502", "DF101"} <= {f["code"] for f in findings}
    for rule in registry.rules:  # the apt/pip/yum... rules were not imported: "apk" only
        module = rule.rule_module.rsplit(".", 1)[-1]
        if rule.triggers and not any(t in dockerfile.read_text() for t in rule.triggers):
            assert module not in names, f"{module} imported for a file without {rule.triggers}"
        if rule.keywords and not {"FROM", "RUN"} & set(rule.keywords):
            assert module not in names, f"{module} imported for a file without {rule.keywords}"
        if rule.reads_pragmas:  # they run only on files with pragmas
            assert module not in names, f"{module} imported for a file without pragmas"
    # the eager path finds the same
    eager_modules, eager_findings = loaded_rule_modules(dockerfile, {**env, "DLINT_RULE_INDEX": "0"})
    assert eager_findings == findings and len(eager_modules) > len(modules)


def test_trigger_text_joins_continuations():
    document = parse("FROM alpine\nRUN ap\\\n  # comment\n\nk add curl\n", "Dockerfile")
    assert "apk add curl" in trigger_text(document).replace("  ", "")
    document = parse("# escape=`\nFROM x\nRUN yu`\nm install -y a\n", "Dockerfile")
    assert "yum install" in trigger_text(document)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_triggers_never_hide_a_finding_on_the_corpus():
    """Where a rule's triggers are absent from a file, the rule, run anyway (every rule:
    `--select ALL`, the default-off ones too), finds nothing: on every corpus file and on
    every fixture Dockerfile (where the rule authors put their edge cases: `python -m pip`,
    microdnf, commands behind sudo or in ARG values...)."""
    registry = load_registry(plugins=False)
    triggered = [rule_class(r) for r in registry.rules if r.triggers]
    assert len(triggered) >= 30
    paths = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith((".tsv", ".md")))
    paths += sorted((REPO / "fixtures" / "rules").glob("*/*.Dockerfile"))
    paths += sorted((REPO / "fixtures" / "rules").glob("*/*/Dockerfile"))
    checked = 0
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        document = parse(text, path.name)
        haystack = trigger_text(document)
        absent = [r for r in triggered if not any(t in haystack for t in r.triggers)]
        if not absent:
            continue
        # same module (its docstring is the rule's docs: a subclass elsewhere fails validation)
        untriggered = [type(r.__name__, (r,), {"triggers": (), "__module__": r.__module__})
                       for r in absent]
        reg = load_registry(untriggered, builtin=False, plugins=False)
        assert not reg.errors and len(reg.rules) == len(absent), reg.errors
        found = lint_document(document, path.name, Config(select=("ALL",)), registry=reg, errors=[])
        assert found == [], (str(path), [(f.code, f.line) for f in found])
        checked += 1
    assert checked > 1000
