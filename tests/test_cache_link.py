"""COPY/ADD --link per builder (issue 15): linked on `buildkit-container` (MergeOp), a plain
copy on `buildkit` (Docker Engine's graphdriver store) and `classic`. The engine oracle for
these is fixtures/cache/L01-L06 and E18 (tests/test_cache_engine.py, containerd-store
engine); here: reasons, the cases the engine rejects, the observation of LINK vertices."""

from __future__ import annotations

import json

import pytest

from dlint.cache.engine import _buildkit_steps, _instructions, _split_stages
from dlint.cache.predict import PredictError, predict, steps_invalidated_by
from dlint.syntax import parse

from test_cache_predict import ctx

EARLIER_RERUN = ("FROM b\nRUN echo {v}\nCOPY --link a.txt /a.txt\nRUN cat /a.txt\n", {"a.txt": "a"})


def statuses(prediction):
    return {s.line: s.cached for s in prediction.steps if s.cached is not None and s.instruction != "FROM"}


def earlier_rerun(tmp_path, template=EARLIER_RERUN[0], builder="buildkit-container"):
    before = ctx(tmp_path, "b", template.format(v="one"), EARLIER_RERUN[1])
    after = ctx(tmp_path, "a", template.format(v="two"), EARLIER_RERUN[1])
    return predict(before, after, builder=builder)


def test_a_linked_copy_stays_cached_and_says_why(tmp_path):
    p = earlier_rerun(tmp_path)
    assert statuses(p) == {2: False, 3: True, 4: False}
    step = next(s for s in p.steps if s.line == 3)
    assert step.reason == ("--link: independent of the steps before it on this builder (RUN on line 2 "
                           "changed; only the merge onto the new layers below reruns)")
    assert step.certain and p.summary() == "2 of 3 steps rerun"
    # the step after it still depends on the chain, through the merge
    assert next(s for s in p.steps if s.line == 4).reason == "RUN on line 2 changed"
    assert step.to_json()["cached"] is True and step.to_json()["reason"].startswith("--link:")


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_other_builders_keep_link_a_plain_copy(tmp_path, builder):
    p = earlier_rerun(tmp_path, builder=builder)
    assert statuses(p) == {2: False, 3: False, 4: False}
    assert {s.line: s.reason for s in p.steps if s.cached is False}[3].startswith(
        "previous step rebuilt" if builder == "classic" else "RUN on line 2 changed")
    assert not any((s.reason or "").startswith("--link") for s in p.steps)


def test_chmod_turns_the_link_off_and_the_reason_says_so(tmp_path):
    p = earlier_rerun(tmp_path, "FROM b\nRUN echo {v}\nCOPY --link --chmod=644 a.txt /a.txt\nRUN cat /a.txt\n")
    assert statuses(p) == {2: False, 3: False, 4: False}
    assert next(s for s in p.steps if s.line == 3).reason == \
        "RUN on line 2 changed (--link has no effect with --chmod: a plain copy)"


@pytest.mark.parametrize("flag, linked", [("--link", True), ("--link=true", True), ("--link=True", True),
                                          ("--link=false", False)])
def test_link_flag_values(tmp_path, flag, linked):
    p = earlier_rerun(tmp_path, "FROM b\nRUN echo {v}\nCOPY " + flag + " a.txt /a.txt\nRUN cat /a.txt\n")
    assert statuses(p)[3] is linked


def test_own_source_change_reruns_it_and_a_later_linked_copy_stays(tmp_path):
    dockerfile = "FROM b\nRUN echo\nCOPY --link a.txt /a.txt\nCOPY --link b.txt /b.txt\nRUN cat /a.txt\n"
    before = ctx(tmp_path, "b", dockerfile, {"a.txt": "1", "b.txt": "b"})
    after = ctx(tmp_path, "a", dockerfile, {"a.txt": "2", "b.txt": "b"})
    p = predict(before, after, builder="buildkit-container")
    assert statuses(p) == {2: True, 3: False, 4: True, 5: False}
    reasons = {s.line: s.reason for s in p.steps if s.reason}
    assert reasons[3] == "file a.txt changed"
    assert reasons[4].startswith("--link: independent of the steps before it on this builder (file a.txt "
                                 "changed (COPY on line 3)")
    assert reasons[5] == "file a.txt changed (COPY on line 3)"
    assert statuses(predict(before, after, builder="buildkit")) == {2: True, 3: False, 4: False, 5: False}


def test_two_linked_copies_swapped_compare_with_their_own_counterpart(tmp_path):
    # Both keyed without a parent: the reason of the edited one compares it with the BEFORE
    # copy at its place, not with the first linked copy of the stage.
    before = ctx(tmp_path, "b", "FROM b\nCOPY --link a.txt /a.txt\nCOPY --link b.txt /b.txt\n", {"a.txt": "a", "b.txt": "1"})
    after = ctx(tmp_path, "a", "FROM b\nCOPY --link a.txt /a.txt\nCOPY --link b.txt /b.txt\n", {"a.txt": "a", "b.txt": "2"})
    p = predict(before, after, builder="buildkit-container")
    assert statuses(p) == {2: True, 3: False}
    assert next(s for s in p.steps if s.line == 3).reason == "file b.txt changed"


def test_linked_copy_in_a_stage_from_a_rebuilt_stage_and_after_a_new_base(tmp_path):
    two = "FROM b AS base\nRUN echo {v}\n\nFROM base\nCOPY --link a.txt /a.txt\nRUN cat /a.txt\n"
    assert statuses(earlier_rerun(tmp_path, two)) == {2: False, 5: True, 6: False}
    before = ctx(tmp_path, "b2", "FROM b:1\nCOPY --link a.txt /a.txt\nRUN cat /a.txt\n", {"a.txt": "a"})
    after = ctx(tmp_path, "a2", "FROM b:2\nCOPY --link a.txt /a.txt\nRUN cat /a.txt\n", {"a.txt": "a"})
    p = predict(before, after, builder="buildkit-container")
    assert statuses(p) == {2: True, 3: False}
    assert "base image changed (FROM on line 1)" in next(s for s in p.steps if s.line == 2).reason


def test_chown_by_name_fails_on_a_linking_builder(tmp_path):
    dockerfile = "FROM b\nARG OWNER=app\nCOPY --link --chown=$OWNER a.txt /a.txt\n"
    root = ctx(tmp_path, "x", dockerfile, {"a.txt": "a"})
    with pytest.raises(PredictError, match=r"COPY --link --chown=app fails on a builder with MergeOp "
                                           r"\(\"invalid user index: -1\".*use a numeric uid:gid"):
        predict(root, root, builder="buildkit-container")
    predict(root, root, builder="buildkit")   # a plain copy there: the name is looked up
    for owner in ("1000:1000", "root", "0:root"):
        ok = ctx(tmp_path, f"ok{owner.replace(':', '-')}", f"FROM b\nCOPY --link --chown={owner} a.txt /a.txt\n",
                 {"a.txt": "a"})
        predict(ok, ok, builder="buildkit-container")


def test_uncertain_linked_copy_from_a_stage_and_the_merge_after_it(tmp_path):
    # Both linked copies wait on what the rebuilt stage writes; the RUN after them waits on both.
    dockerfile = ("FROM b AS build\nRUN echo {v} > /out.txt\nRUN echo fixed > /fixed.txt\n\nFROM b\n"
                  "COPY --link --from=build /out.txt /out.txt\nCOPY --link --from=build /fixed.txt /fixed.txt\n"
                  "RUN cat /out.txt\n")
    p = earlier_rerun(tmp_path, dockerfile)
    by_line = {s.line: s for s in p.steps}
    assert [(n, by_line[n].cached, by_line[n].certain) for n in (6, 7, 8)] == [
        (6, False, False), (7, False, False), (8, False, False)]
    assert by_line[8].condition == (
        "cached if /out.txt from stage build comes out byte-identical (RUN on line 2 reran) and /fixed.txt "
        "from stage build comes out byte-identical (RUN on line 3 reran)")


def test_steps_invalidated_by_an_edit_under_each_builder():
    document = parse("FROM b\nCOPY deps.txt /d\nRUN install\nCOPY --link src/ /src/\nRUN build\n")
    linked = steps_invalidated_by(document, "deps.txt", "buildkit-container")
    plain = steps_invalidated_by(document, "deps.txt", "buildkit")
    assert [s.line for s in linked.rerun_steps] == [2, 3, 5]
    assert [s.line for s in plain.rerun_steps] == [2, 3, 4, 5]


def test_the_cli_accepts_the_builder_and_shows_the_reason(tmp_path):
    import subprocess
    import sys

    before = ctx(tmp_path, "b", EARLIER_RERUN[0].format(v="one"), EARLIER_RERUN[1])
    after = ctx(tmp_path, "a", EARLIER_RERUN[0].format(v="two"), EARLIER_RERUN[1])
    run = [sys.executable, "-m", "dlint", "cache", "diff", str(before), str(after), "--builder"]
    out = subprocess.run(run + ["buildkit-container"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "3  cached   COPY --link a.txt /a.txt\n" in out.stdout
    assert "= --link: independent of the steps before it on this builder" in out.stdout
    assert "2 of 3 steps rerun (buildkit-container builder)" in out.stdout
    data = json.loads(subprocess.run(run + ["buildkit-container", "--format", "json"], capture_output=True,
                                     text=True).stdout)
    assert data["builder"] == "buildkit-container"
    bad = subprocess.run(run + ["buildkit-docker"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "dlint: error: --builder 'buildkit-docker' is not one of buildkit, buildkit-container, classic")


def test_link_merge_vertices_are_part_of_their_step():
    """How BuildKit with MergeOp reports a linked copy (rawjson, containerd image store,
    Docker 26.1.5): the copy onto scratch under the step's name, then `LINK <same name>`,
    the merge. The step is the copy: CACHED although its merge reran."""
    text = "FROM b\nRUN echo two\nCOPY --link a.txt /a.txt\nRUN echo x\n"
    global_args, stages = _split_stages(_instructions(text))
    vertices = {
        "d1": {"digest": "d1", "name": "[1/4] FROM docker.io/library/b", "inputs": []},
        "d2": {"digest": "d2", "name": "[2/4] RUN echo two", "inputs": ["d1"]},
        "ctx": {"digest": "ctx", "name": "[internal] load build context", "inputs": []},
        "d3": {"digest": "d3", "name": "[3/4] COPY --link a.txt /a.txt", "inputs": ["ctx"], "cached": True},
        "d3m": {"digest": "d3m", "name": "[3/4] LINK COPY --link a.txt /a.txt", "inputs": ["d2", "d3"]},
        "d4": {"digest": "d4", "name": "[4/4] RUN echo x", "inputs": ["d3m"]},
    }
    observed = {s.line: s.cached for s in _buildkit_steps(stages, global_args, None, vertices)}
    assert observed == {1: None, 2: False, 3: True, 4: False}
    vertices["d3"]["cached"] = False   # the copy itself reran (its source changed)
    assert _buildkit_steps(stages, global_args, None, vertices)[2].cached is False


def test_verify_progress_counts_a_linked_copy_once(capsys):
    from dlint.cache.engine import BuildProgress
    from dlint.cache.verify import Phase
    from dlint.cli.cache import _BuildProgress

    with _BuildProgress() as progress:
        progress(Phase("AFTER"))
        for name, state in (("[internal] load build context", "done"), ("[2/4] RUN echo two", "done"),
                            ("[3/4] COPY --link a.txt /a.txt", "cached"),
                            ("[3/4] LINK COPY --link a.txt /a.txt", "done"), ("[4/4] RUN echo x", "done")):
            progress(Phase("AFTER", BuildProgress("buildkit", name, state)))
    err = capsys.readouterr().err
    assert "  AFTER [3/4] LINK COPY --link a.txt /a.txt: done" in err
    assert "(3 steps, 1 cached)" in err


def test_a_linked_copy_is_timed_by_its_own_vertices_not_the_wait_between_them():
    """The times of a real build on the containerd image store (Docker 26.1.5): the copy
    onto scratch ran at once (0.016 s), its merge only after the 2 s RUN before it had
    finished (0.019 s). The step's duration is the work of its vertices; it was the span
    from the copy's start to the merge's end, the RUN's 2 s included."""
    from dlint.cache.timings import from_rawjson

    text = "FROM b\nRUN sleep 2\nCOPY --link a.txt /a\nRUN cat /a\n"
    t = "2026-12-07T01:57:{}Z".format
    log = [
        {"digest": "d1", "name": "[1/4] FROM docker.io/library/b", "started": t("20.973613469"),
         "completed": t("20.979023898")},
        {"digest": "d2", "name": "[2/4] RUN sleep 2", "inputs": ["d1"], "started": t("20.981526201"),
         "completed": t("23.078286159")},
        {"digest": "d3", "name": "[3/4] COPY --link a.txt /a", "inputs": ["ctx"], "started": t("20.963777183"),
         "completed": t("20.979705469")},
        {"digest": "d3m", "name": "[3/4] LINK COPY --link a.txt /a", "inputs": ["d2", "d3"],
         "started": t("23.079027589"), "completed": t("23.09796418")},
        {"digest": "d4", "name": "[4/4] RUN cat /a", "inputs": ["d3m"], "started": t("23.13446254"),
         "completed": t("24.217417676")},
    ]
    data = "\n".join(json.dumps({"vertexes": [v]}) for v in log).encode()
    seconds = {s.keyword + str(s.ordinal): round(s.seconds, 3) for s in from_rawjson(data, text).steps}
    assert seconds == {"RUN1": 2.097, "COPY2": 0.035, "RUN3": 1.083}
