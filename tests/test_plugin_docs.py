"""docs/plugins.md shows the example plugin's files verbatim.

A code block whose info string has `title="<path>"` is the file of that path under
examples/acme-dlint-rules/; every such block must equal its file, and every file of the
plugin (its code, packaging and tests; fixtures only where shown) must have a block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "plugins.md"
EXAMPLE = REPO / "examples" / "acme-dlint-rules"
FENCE = re.compile(r"^(`{3,})(.*)$")
TITLE = re.compile(r'\btitle="([^"]+)"')


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, content) of each fenced block; a fence closes only on a line of at
    least as many backticks (a ```` block may hold ``` lines)."""
    blocks = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i].rstrip("\n"))
        if not opening:
            i += 1
            continue
        fence, info = opening.groups()
        body = []
        i += 1
        while i < len(lines):
            stripped = lines[i].rstrip("\n")
            if stripped.startswith(fence) and set(stripped) == {"`"}:
                break
            body.append(lines[i])
            i += 1
        else:
            raise AssertionError(f"docs/plugins.md: unclosed code block {fence}{info}")
        blocks.append((info, "".join(body)))
        i += 1
    return blocks


def titled_blocks() -> dict[str, str]:
    found: dict[str, str] = {}
    for info, body in code_blocks(DOC.read_text(encoding="utf-8")):
        match = TITLE.search(info)
        if match:
            assert match.group(1) not in found, f"{match.group(1)} is shown twice"
            found[match.group(1)] = body
    return found


def test_the_parser_sees_nested_fences():
    text = 'a\n````python title="x.py"\n"""\n```toml\nk = 1\n```\n"""\n````\n```\nplain\n```\n'
    assert code_blocks(text) == [('python title="x.py"', '"""\n```toml\nk = 1\n```\n"""\n'), ("", "plain\n")]


@pytest.mark.parametrize("path", sorted(titled_blocks()))
def test_block_is_the_example_file(path):
    file = EXAMPLE / path
    assert file.is_file(), f"docs/plugins.md shows {path}, which examples/acme-dlint-rules/ does not have"
    assert titled_blocks()[path] == file.read_text(encoding="utf-8"), (
        f"docs/plugins.md's block for {path} differs from examples/acme-dlint-rules/{path}")


def test_every_file_of_the_plugin_is_shown():
    shown = set(titled_blocks())
    files = {p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in p.as_posix()
             and "build" not in p.relative_to(EXAMPLE).parts}
    code = {f for f in files if not f.startswith("fixtures/")}
    assert code - shown == set(), "docs/plugins.md must show every code and packaging file"
    fixtures = {f for f in shown if f.startswith("fixtures/")}
    assert any(f.endswith(".findings") for f in fixtures) and any("/good-" in f for f in fixtures)
    assert any(f.endswith(".dlint.toml") for f in fixtures)


def test_the_doc_names_the_fixtures_it_does_not_show():
    text = DOC.read_text(encoding="utf-8")
    stems = {p.name.split(".")[0] for p in (EXAMPLE / "fixtures").rglob("*.Dockerfile")}
    missing = [s for s in sorted(stems) if not re.search(rf"[`/]{re.escape(s)}\b", text)]
    assert not missing, f"docs/plugins.md does not mention the fixtures {missing}"
