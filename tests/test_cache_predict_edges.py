"""Cache-predictor behaviour no other test pinned down: each test here kills a mutant
that scripts/mutation showed surviving tests/test_cache_predict.py (named in the test)."""

from __future__ import annotations

from dlint.cache.predict import explain, predict

from test_cache_predict import ctx  # one build-context maker for the predictor tests


def test_explain_ranks_a_deep_file_a_copy_names(tmp_path):
    # predict.py explain: the paths the sources name are candidates, however deep
    root = ctx(tmp_path, "x", "FROM b\nCOPY config/app/settings/prod.toml /etc/app.toml\nRUN echo\nCOPY . /src\n",
               {"config/app/settings/prod.toml": "x", "config/app/settings/dev.toml": "y", "main.py": "m"})
    ranking = {r["path"]: r["rerun"] for r in explain(root)["ranking"]}
    assert ranking["config/app/settings/prod.toml"] == 3
    assert ranking["main.py"] == 1


def test_a_build_arg_in_an_unchanged_instruction_is_named_as_the_cause(tmp_path):
    # keys.py _field_cause: same instruction text, different expansion -> the variable
    root = ctx(tmp_path, "a", "FROM b\nARG DIR=/a\nWORKDIR $DIR\nCOPY x.txt ./\nRUN echo\n", {"x.txt": "1"})
    p = predict(root, root, before_build_args={"DIR": "/a"}, after_build_args={"DIR": "/b"})
    reasons = {s.line: s.reason for s in p.steps if s.cached is False}
    assert reasons == {n: "build arg DIR changed (declared on line 2)" for n in (3, 4, 5)}


def test_add_of_a_url_depends_on_the_url_not_on_the_context(tmp_path):
    # keys.py: `ADD https://...` is a URL source ("://" or git@), not a context path
    def dockerfile(version):
        return f"FROM b\nADD https://example.com/{version}/tool.tar.gz /opt/\nRUN echo\nCOPY . /src\n"
    p = predict(ctx(tmp_path, "b1", dockerfile("v1"), {"f": "1"}), ctx(tmp_path, "a1", dockerfile("v1"), {"f": "2"}))
    assert {s.line: s.cached for s in p.steps if s.cached is not None} == {1: True, 2: True, 3: True, 4: False}
    p = predict(ctx(tmp_path, "b2", dockerfile("v1"), {"f": "1"}), ctx(tmp_path, "a2", dockerfile("v2"), {"f": "1"}))
    assert {s.line: s.cached for s in p.steps if s.cached is not None} == {1: True, 2: False, 3: False, 4: False}


def test_an_edited_instruction_is_the_cause_even_when_its_variable_changed_too(tmp_path):
    # keys.py _field_cause: the variable is the cause only when the text is the same
    # (`==`, not `<=`: the edited text here sorts before the old one)
    before = ctx(tmp_path, "b", "FROM b\nARG DIR=/a\nWORKDIR $DIR/y\nRUN echo\n")
    after = ctx(tmp_path, "a", "FROM b\nARG DIR=/a\nWORKDIR $DIR/x\nRUN echo\n")
    p = predict(before, after, before_build_args={"DIR": "/a"}, after_build_args={"DIR": "/b"})
    assert {s.line: s.reason for s in p.steps if s.cached is False} == {
        3: "instruction changed", 4: "WORKDIR on line 3 changed"}


def test_a_sure_rerun_after_an_uncertain_one_names_its_own_cause(tmp_path):
    # keys.py _cause: the step after an uncertain COPY --from reruns for certain because its
    # own source changed; its reason said "copied path ... may have changed" (the parent's
    # uncertain cause) on a REBUILT line and in --fail-on-rerun's message.
    def dockerfile(word):
        return (f"FROM b AS build\nCOPY . /src\nRUN cat /src/app.py > /out\n\n"
                f"FROM b\nCOPY --from=build /out /out\nCOPY app.py /srv/\n")
    before = ctx(tmp_path, "b", dockerfile("x"), {"app.py": "1"})
    after = ctx(tmp_path, "a", dockerfile("x"), {"app.py": "2"})
    p = predict(before, after)
    steps = {s.line: s for s in p.steps if s.cached is False}
    assert steps[6].certain is False and "may have changed" in steps[6].reason
    assert steps[7].certain is True
    assert steps[7].reason == "file app.py changed"
