"""## What it does
Checks for `ADD` of local files or folders, where `COPY` does the same thing.

`ADD` is left alone when any source is a URL, a git repository, or a local tar archive
(`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, `.tar.zst`, ...: ADD extracts those), and when a
source depends on an ARG without a default. A `.zip` is not extracted by ADD, so `ADD`
of a local zip is reported. Sources given through an ARG default are checked with the
default substituted.

## Why is this bad?
`ADD` has extra, implicit behaviours (fetching URLs, unpacking archives) that a reader
must rule out every time. `COPY` says exactly what happens: files from the build context
are copied, nothing else.

## Example
```dockerfile
FROM python:3.12-slim
ADD app.py /app/
```
Use instead:
```dockerfile
FROM python:3.12-slim
COPY app.py /app/
```

## Fix
Replace `ADD` with `COPY` (`--fix` does it: `COPY` accepts the same `--chown`, `--chmod`
and `--link` flags, and heredocs).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Fix, Rule, TextEdit


_REMOTE_PREFIXES = ("http://", "https://", "git@", "git://", "ssh://")
# ADD unpacks local tar archives, plain or compressed (gzip, bzip2, xz, zstd); a
# compressed file is treated as a possible archive.
_ARCHIVE_SUFFIXES = (
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz",
    ".tar.zst", ".tzst", ".tar.lzma", ".tlz", ".gz", ".bz2", ".xz", ".zst", ".lzma",
)
# Flags that only make sense for a remote ADD source.
_REMOTE_FLAGS = ("checksum", "keep-git-dir", "unpack")


def _needs_add(source: str) -> bool:
    low = source.lower()
    if low.startswith(_REMOTE_PREFIXES) or ".git#" in low or low.endswith(".git"):
        return True
    return low.rstrip("/").endswith(_ARCHIVE_SUFFIXES)


class AddInsteadOfCopy(Rule):
    code = "DF201"
    name = "add-instead-of-copy"
    severity = "error"
    aliases = ("DL3020",)
    keywords = ("ADD",)

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for ins in ctx.document.instructions:
            if ins.keyword != "ADD" or len(ins.value) < 2:
                continue
            if any(ins.flag(name) is not None for name in _REMOTE_FLAGS):
                continue
            heredoc_names = {h.name for h in ins.heredocs}
            sources: list[str] = []
            unresolved = False
            for word in ins.value[:-1]:
                if word.startswith("<<") and word.lstrip("<-").strip("'\"") in heredoc_names:
                    sources.append(word)  # a heredoc: COPY takes them too
                    continue
                expansion = model.expand(word, ins)
                if expansion.unresolved:
                    unresolved = True
                    break
                sources.append(expansion.value)
            if unresolved or any(_needs_add(s) for s in sources):
                continue
            shown = ", ".join(f"`{s}`" for s in sources[:3]) + (", ..." if len(sources) > 3 else "")
            yield self.report(
                ctx,
                ins,
                f"ADD of local {shown}: use COPY. ADD is only needed for URLs, git "
                f"repositories and tar archives to extract.",
                fix=self._fix(ins),
            )

    @staticmethod
    def _fix(ins) -> Fix | None:
        if ins.span is None:
            return None
        line, column = ins.span.line, ins.span.column
        return Fix(
            description="Replace ADD with COPY",
            edits=(TextEdit(line, column, line, column + len(ins.raw_keyword),
                            "copy" if ins.raw_keyword.islower() else "COPY"),),
        )
