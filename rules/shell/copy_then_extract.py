"""## What it does
Checks for a tar archive COPYed into the image, then extracted by a RUN (`tar -xf`). The
RUN is a later one of the same stage; `ADD` would extract the archive in one step.

Archives ADD extracts: `.tar`, `.tar.gz`/`.tgz`, `.tar.bz2`/`.tbz2`, `.tar.xz`/`.txz`
from the build context. Variables in the COPY and the RUN are expanded with the ARG and
ENV values in effect. Only stages that ship are checked (a build stage's layers never
reach the image).

How dlint differs from hadolint (DL3010): hadolint also reports archives extracted with
`unzip`, `gunzip`, `zcat`... but ADD unpacks tar archives only; it copies a `.zip` or a
lone `.gz` as is, so the advice would break the build (fixture `good-zip.Dockerfile`).
dlint also stays quiet when the RUN needs what ADD cannot do: `--strip-components`,
`--transform`, `--exclude`, or extracting only some members; and when the archive comes
`--from` another stage or image (ADD has no `--from`). It does read old-style `tar xzf
FILE` (no dash), which hadolint misses (fixture `bad-old-style.Dockerfile`).

## Why is this bad?
The COPY layer keeps the whole archive, and the RUN layer adds the extracted files: the
image carries the content twice, even when the RUN deletes the archive afterwards
(deleting in a later layer does not shrink an earlier one). ADD extracts a local tar
archive while copying, in one layer without the archive.

## Example
```dockerfile
FROM debian:bookworm-slim
COPY vendor.tar.gz /tmp/
RUN tar -xzf /tmp/vendor.tar.gz -C /opt && rm /tmp/vendor.tar.gz
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
ADD vendor.tar.gz /opt/
```

## Fix
Replace the COPY and the extraction with `ADD archive.tar.gz /destination/` (the
directory the RUN extracted to), or extract in a build stage and `COPY --from` the
result.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
TARS = ("tar", "bsdtar", "gtar")
UNSUPPORTED = frozenset({"--strip-components", "--transform", "--xform", "--exclude",
                         "--wildcards", "--exclude-from", "-X", "--files-from", "-T",
                         "--to-stdout", "-O"})


class CopyThenExtract(Rule):
    code = "DF413"
    name = "copy-then-extract"
    severity = "info"
    aliases = ("DL3010",)
    keywords = ("COPY",)
    triggers = ("tar",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        tars: dict[int, list] = {}
        for ins, cmd in ctx.run_commands(TARS, shipped_only=True):
            tars.setdefault(id(ins), []).append(cmd)
        if not tars:
            return
        for stage in model.shipped_stages():
            if stage.windows:
                continue
            copied: dict[str, object] = {}     # archive basename -> COPY instruction
            reported: set[int] = set()
            for ins in stage.instructions:
                if ins.keyword == "COPY" and ins.flag("from") is None and not ins.heredocs:
                    for name in _copied_archives(model, ins):
                        copied[name] = ins
                elif ins.keyword == "RUN" and copied and id(ins) in tars:
                    state = model.state_at(ins)
                    for cmd in tars[id(ins)]:
                        name = _extracted_archive(cmd, state)
                        copy = copied.get(name) if name else None
                        if copy is not None and id(copy) not in reported:
                            reported.add(id(copy))
                            yield self.report(
                                ctx, copy,
                                f"`{name}` is COPYed here and extracted by the RUN on line "
                                f"{ins.start_line}: the image keeps the archive in this "
                                f"layer. `ADD {name} <dir>/` extracts it in one step.")


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _copied_archives(model, ins) -> list[str]:
    words = [w for w in ins.value]
    if len(words) < 2:
        return []
    expanded = [model.expand(w, ins) for w in words]
    if any(e.unresolved for e in expanded):
        return []
    *sources, dest = [e.value for e in expanded]
    if len(sources) == 1 and not dest.endswith("/") and _is_archive(dest):
        return [posixpath.basename(dest)] if _is_archive(sources[0]) else []
    return [posixpath.basename(s.rstrip("/")) for s in sources if _is_archive(s)
            and "*" not in s and "?" not in s]


def _extracted_archive(cmd, state) -> str | None:
    """The basename of the archive a `tar` command extracts as a whole, else None."""
    args = list(cmd.args)
    if args and not args[0].startswith("-") and args[0].isalpha():
        args[0] = "-" + args[0]                 # old style: `tar xzf file`
    options, operands = parse_options("tar", args)
    names = {name for name, _ in options}
    if not ({"--extract", "--get", "-x"} & names):
        return None
    if names & UNSUPPORTED or operands:
        return None
    files = [v for name, v in options if name in ("-f", "--file") and v]
    if len(files) != 1 or files[0] == "-":
        return None
    expansion = state.expand(files[0])
    if expansion.unresolved:
        return None
    name = posixpath.basename(expansion.value)
    return name if _is_archive(name) else None
