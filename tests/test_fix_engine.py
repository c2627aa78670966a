"""Safe fixes keep the image: build before and after `dlint check --fix` on the real engine.

A safe fix claims it cannot change what the image contains or how it runs. This test builds
each Dockerfile as written and as `--fix` (safe fixes only, every rule) leaves it, on the
project's engine (`scripts/test-engine`: offline, local base `dlint-base:1`, no registry),
and compares:

- the filesystem: the `docker export` listing of a container of each image (path, type,
  mode, size, link target, owner), minus files a fix deliberately removes (none of the
  cases below: the cleanup fixes need apt/dnf/... and a network, so they cannot build here);
- the image config: Env, Cmd, Entrypoint, WorkingDir, User. The JSON (exec) form fix
  changes Cmd/Entrypoint by design (`sh -c "cat /x"` -> `["cat", "/x"]`); there the test
  runs both images and compares their output and exit status instead.

Cases: purpose-written Dockerfiles that exercise every safe fix that can build offline
(instruction casing, `AS` casing, `ENV k v` -> `k=v`, stage-name casing, `COPY --from=<n>`
-> name, JSON CMD/ENTRYPOINT, ADD -> COPY), and every bad fixture of a rule with a safe fix
whose instructions can build offline once its base images are rewritten to `dlint-base:1`
(no RUN, no ADD, no COPY from the build context).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest_engine import docker_cli, docker_engine, engine_location  # noqa: F401  (pytest fixture)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "rules"
BASE = "dlint-base:1"
CONFIG_KEYS = ("Env", "Cmd", "Entrypoint", "WorkingDir", "User")
TAG = "dlint-fix-engine-test"

WRITTEN = {
    "casing-env-stage-index": """\
from dlint-base:1 AS Build
env GREETING hello
Run mkdir -p /out && echo "$GREETING" > /out/msg && chmod 644 /out/msg
workdir /out
run echo second > second.txt

FROM dlint-base:1 as Final
COPY --from=0 /out /srv
ENV A 1
ENV B two words
copy --from=build /out/second.txt /srv/again.txt
WORKDIR /srv
USER 1000:1000
CMD cat /srv/msg
""",
    "mount-by-name-casing": """\
FROM dlint-base:1 AS Tools
RUN echo tool > /tool.txt
FROM dlint-base:1
RUN --mount=type=bind,from=Tools,source=/tool.txt,target=/mnt/tool.txt cp /mnt/tool.txt /copied.txt
COPY --from=0 /tool.txt /again.txt
ENTRYPOINT ["cat", "/copied.txt"]
""",
    "add-local-file": """\
FROM dlint-base:1
ADD data.txt /data/
ADD --chmod=600 data.txt /data/private.txt
cmd ["cat", "/data/data.txt"]
""",
}

# Bad fixtures taken as they are (after the base rewrite) only when every instruction
# is one of these: nothing that needs a network or files of a build context.
_OFFLINE = {"FROM", "ENV", "ARG", "LABEL", "WORKDIR", "USER", "CMD", "ENTRYPOINT", "EXPOSE",
            "STOPSIGNAL", "HEALTHCHECK", "VOLUME", "SHELL", "COPY", "MAINTAINER"}


def _docker(*args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    host, config = engine_location()
    env = dict(os.environ, DOCKER_HOST=host, DOCKER_BUILDKIT="1")
    if config:
        env["DOCKER_CONFIG"] = config
    return subprocess.run([docker_cli(), *args], input=input, env=env, capture_output=True,
                          check=check, timeout=120)


def _safe_fixed(text: str) -> str:
    out = subprocess.run([sys.executable, "-m", "dlint", "check", "--fix", "--no-config", "-"],
                         input=text.encode(), capture_output=True, cwd=REPO, timeout=60)
    if out.returncode not in (0, 1) or not out.stdout:
        out = subprocess.run([sys.executable, "-m", "dlint", "check", "--fix", "-"],
                             input=text.encode(), capture_output=True, cwd=REPO, timeout=60)
    assert out.returncode in (0, 1), out.stderr.decode()
    return out.stdout.decode()


def _rewrite_bases(text: str) -> str | None:
    """Every FROM of an image -> dlint-base:1; None if the fixture cannot build offline."""
    if re.search(r"^#\s*escape", text, re.M | re.I) or "<<" in text:
        return None
    stages: set[str] = set()
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            lines.append(line)
            continue
        keyword = stripped.split()[0].upper()
        if keyword not in _OFFLINE or line[0].isspace() or line.rstrip().endswith("\\"):
            return None
        if keyword == "COPY" and not re.search(r"--from=", stripped, re.I):
            return None
        if keyword == "FROM":
            words = stripped.split()
            at = next(i for i in range(1, len(words)) if not words[i].startswith("--")) \
                if any(not w.startswith("--") for w in words[1:]) else None
            if at is None:
                return None
            if words[at].lower() not in stages:
                words[at] = BASE
            words = [w for w in words if not w.lower().startswith("--platform")]
            if len(words) >= 4:
                stages.add(words[-1].lower())
            line = " ".join(words)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _fixture_cases() -> list[tuple[str, str]]:
    cases = []
    for fixed in sorted(FIXTURES.glob("*/bad-*.fixed")):
        findings = fixed.with_suffix(".findings").read_text(encoding="utf-8")
        if "fix (safe)" not in findings:
            continue
        text = _rewrite_bases(fixed.with_suffix(".Dockerfile").read_text(encoding="utf-8"))
        if text is not None:
            cases.append((f"{fixed.parent.name}/{fixed.stem}", text))
    return cases


def _export_listing(image: str) -> dict[str, tuple]:
    cid = _docker("create", image, "/bin/true").stdout.decode().strip()
    try:
        data = _docker("export", cid).stdout
    finally:
        _docker("rm", "-f", cid, check=False)
    listing = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            listing[member.name.rstrip("/")] = (member.type, member.mode, member.size,
                                                 member.linkname, member.uid, member.gid)
    return listing


def _config(image: str) -> dict:
    import json

    info = json.loads(_docker("image", "inspect", image).stdout)[0]["Config"]
    return {key: info.get(key) for key in CONFIG_KEYS}


def _run(image: str) -> tuple[int, bytes, bytes]:
    out = _docker("run", "--rm", "--network=none", image, check=False)
    return out.returncode, out.stdout, out.stderr


def _build(text: str, tag: str, context: Path) -> None:
    (context / "Dockerfile").write_text(text, encoding="utf-8")
    out = _docker("build", "-q", "--network=none", "-t", tag, str(context), check=False)
    assert out.returncode == 0, f"build failed:\n{text}\n{out.stderr.decode()[-2000:]}"


CASES = [(name, text) for name, text in WRITTEN.items()] + _fixture_cases()


@pytest.mark.parametrize(("name", "text"), CASES, ids=[c[0] for c in CASES])
def test_safe_fix_keeps_the_image(name, text, docker_engine, tmp_path):  # noqa: F811
    fixed = _safe_fixed(text)
    assert fixed != text, f"{name}: no safe fix applied, the case tests nothing"
    (tmp_path / "data.txt").write_text("data\n", encoding="utf-8")
    before, after = f"{TAG}:before", f"{TAG}:after"
    try:
        _build(text, before, tmp_path)
        _build(fixed, after, tmp_path)
        assert _export_listing(before) == _export_listing(after)
        config_before, config_after = _config(before), _config(after)
        for key in ("Env", "WorkingDir", "User"):
            assert config_before[key] == config_after[key], key
        if (config_before["Cmd"], config_before["Entrypoint"]) != \
                (config_after["Cmd"], config_after["Entrypoint"]):
            # the JSON-form fix: a different config by design; the same behaviour
            shell = ["/bin/sh", "-c"]
            for key in ("Cmd", "Entrypoint"):
                old, new = config_before[key] or [], config_after[key] or []
                if old != new:  # `sh -c "a b"` became ["a", "b"]: the same words, no shell
                    assert old[:2] == shell and len(old) == 3 and new == shlex.split(old[2]), key
            ran = _run(before)
            if ran[0] == 0:  # the command exists in the test image: it behaves the same
                assert ran[1] and ran == _run(after)
            else:  # a fixture's `app --serve`: only the config check above applies
                assert name not in WRITTEN, f"{name}: {ran}"
    finally:
        _docker("rmi", "-f", before, after, check=False)


def test_a_mount_from_a_stage_number_is_an_image_name(docker_engine, tmp_path):  # noqa: F811
    """Why DF230's fix is unsafe for `RUN --mount=from=<n>`: BuildKit looks a mount's
    `from` up by stage name only, and takes `0` as the image `docker.io/library/0`."""
    text = ("FROM dlint-base:1 AS tools\nRUN echo tool > /tool.txt\nFROM dlint-base:1\n"
            "RUN --mount=type=bind,from=0,source=/tool.txt,target=/t cat /t\n")
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    out = _docker("build", "-q", "--network=none", "-t", f"{TAG}:mount", str(tmp_path), check=False)
    _docker("rmi", "-f", f"{TAG}:mount", check=False)
    assert out.returncode != 0
    assert "library/0" in out.stderr.decode()


def test_the_comparison_sees_a_change(docker_engine, tmp_path):  # noqa: F811
    """The listing catches a one-byte difference and a mode change (the test can fail)."""
    a = "FROM dlint-base:1\nRUN echo a > /f && chmod 644 /f\n"
    b = "FROM dlint-base:1\nRUN echo ab > /f && chmod 644 /f\n"
    c = "FROM dlint-base:1\nRUN echo a > /f && chmod 600 /f\n"
    try:
        _build(a, f"{TAG}:a", tmp_path)
        _build(b, f"{TAG}:b", tmp_path)
        _build(c, f"{TAG}:c", tmp_path)
        la, lb, lc = (_export_listing(f"{TAG}:{x}") for x in "abc")
        assert la != lb and la != lc
        assert la["f"][2] == 2 and lb["f"][2] == 3 and lc["f"][1] == 0o600
    finally:
        _docker("rmi", "-f", f"{TAG}:a", f"{TAG}:b", f"{TAG}:c", check=False)
