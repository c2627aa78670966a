# `--fix --unsafe-fixes` over every file of ../shared/corpus (a temporary copy): every
# changed file still parses with BuildKit's parser (the `dockerfile` oracle) with the same
# number of stages; the findings that were fixed are gone; no rule starts firing except
# the moves listed in ALLOWED_NEW; a second run changes nothing. Prints the counts
# (files changed, findings fixed per rule): run with -s to see them.

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from dlint.fix import fix_run, fix_text_result
from dlint.lint.engine import lint_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"MANIFEST.tsv", "DUPLICATES.tsv"}

# A fix may make another rule fire where it necessarily moves a finding:
ALLOWED_NEW = {
    # cache-busting-copy: the COPY of the manifests it adds where `COPY . .` was has the
    # same relative destination, so copy-relative-without-workdir reports it too (the
    # finding on the moved COPY stays): one more finding of the same problem.
    "DF206",
    # cache-busting-copy again: the manifests it names (package.json...) are copied one by
    # one, and the corpus folder, which stands in for each file's build context, does not
    # hold them; in the file's real context the install that needs them finds them.
    "DF305",
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_fix_unsafe_over_the_corpus(tmp_path):
    pytest.importorskip("dockerfile")
    from test_parser_support import oracle_parse

    copy = tmp_path / "corpus"
    copy.mkdir()
    for path in CORPUS.iterdir():
        if path.is_file() and path.name not in SKIP:
            shutil.copyfile(path, copy / path.name)
    files = [p.name for p in copy.iterdir()]
    run = lint_paths(files, root=copy)
    before: dict[str, Counter] = {}
    for finding in run.findings:
        before.setdefault(finding.file, Counter())[finding.code] += 1
    outcome = fix_run(run, unsafe=True, write=True)
    assert not outcome.errors, outcome.errors[:5]
    after: dict[str, Counter] = {}
    for finding in run.findings:
        after.setdefault(finding.file, Counter())[finding.code] += 1

    problems: list[str] = []
    new_codes: Counter = Counter()
    for shown, (old, new) in outcome.changed.items():
        assert (copy / shown).read_bytes().decode("utf-8").lstrip("\ufeff") == new
        old_commands, old_error = oracle_parse(old)
        new_commands, new_error = oracle_parse(new)
        if old_error is None and new_error is not None:
            problems.append(f"{shown}: BuildKit rejects the fixed file: {new_error}")
            continue
        if old_commands is not None and new_commands is not None:
            stages = (sum(c.cmd.lower() == "from" for c in old_commands),
                      sum(c.cmd.lower() == "from" for c in new_commands))
            if stages[0] != stages[1]:
                problems.append(f"{shown}: {stages[0]} stages before, {stages[1]} after")
        was, now = before.get(shown, Counter()), after.get(shown, Counter())
        for code in set(was) | set(now):
            if now[code] > was[code]:
                new_codes[code] += now[code] - was[code]
    fixed: Counter = Counter(outcome.by_code)
    left = Counter(f.code for f in run.findings if f.file in outcome.changed and f.code in fixed)
    # the findings fixed are gone: what is left of a rule that fixed something has no fix
    # (a case the fix refuses: a comment at the end of the RUN, a `sudo -u`...)
    for finding in run.findings:
        if finding.file in outcome.changed and finding.fix is not None and finding.fix.edits:
            problems.append(f"{finding.file}:{finding.line}: {finding.code} still fixable "
                            f"after the run: {finding.fix.description}")
    # a second run changes nothing
    for shown, (_, new) in outcome.changed.items():
        findings = [f for f in run.findings if f.file == shown]
        again = fix_text_result(new, run.linters[shown], unsafe=True, findings=findings)
        if again.applied:
            problems.append(f"{shown}: a second run applies {again.applied} more: {again.by_code}")
    unexpected = {code: n for code, n in new_codes.items() if code not in ALLOWED_NEW}
    print(f"\ncorpus fix: {len(files)} files, {len(outcome.changed)} changed, "
          f"{outcome.applied} findings fixed")
    for code, count in sorted(fixed.items()):
        print(f"  {code}: {count} fixed, {left[code]} left unfixed in the changed files")
    print(f"  new findings after fixing: {dict(new_codes)}")
    assert not problems, "\n".join(problems[:30])
    assert not unexpected, f"rules that start firing after the fixes: {unexpected}"
    assert outcome.changed  # the corpus has fixable findings: the test exercised something
