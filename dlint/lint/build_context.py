"""The build context as the context rules see it: what a COPY/ADD source sends.

One BuildContext per context folder and `.dockerignore` per run (the engine shares them
between the Dockerfiles of a run), over the cache analyzer's DirectorySnapshot: folders
are listed only when a source walks them, `.dockerignore` is applied through the docker
SDK's matcher as the docker CLI does, and file content is never read (sizes come from
`lstat`). Nothing here runs unless a rule asks, so a plain `dlint check` never lists a
folder for a file without COPY/ADD sources from the context.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dlint.cache.context import DirectorySnapshot, IgnoreMatcher

# Folders a build never needs from the host, by name: (kind, suggested .dockerignore line
# for a top-level one; nested ones get `**/<name>`).
CLUTTER_DIRS = {
    ".git": "version control",
    ".hg": "version control",
    ".svn": "version control",
    "node_modules": "installed packages",
    "__pycache__": "bytecode cache",
    ".pytest_cache": "tool cache",
    ".mypy_cache": "tool cache",
    ".ruff_cache": "tool cache",
    ".tox": "tool cache",
    ".nox": "tool cache",
}
# Build outputs, only next to (or holding) the file that says so: `target/` of Cargo or
# Maven, `dist/` of npm or Python packaging, `build/` of Python packaging or CMake.
BUILD_OUTPUTS = {
    "target": ("Cargo.toml", "pom.xml"),
    "dist": ("package.json", "setup.py", "pyproject.toml"),
    "build": ("setup.py", "pyproject.toml"),
}


@dataclass
class Offender:
    path: str           # folder path in the context
    kind: str           # "version control", "virtualenv", ...
    files: int = 0
    bytes: int = 0

    @property
    def ignore_line(self) -> str:
        name = self.path.rpartition("/")[2]
        if name in CLUTTER_DIRS and ("/" in self.path or CLUTTER_DIRS[name] in ("bytecode cache", "tool cache")):
            return f"**/{name}"
        return self.path


@dataclass
class Tally:
    """What one source sends: every visible file below it, clutter folders (with sizes)."""

    files: int = 0
    offenders: list[Offender] = field(default_factory=list)
    # visible files outside clutter folders: what secret checks look at
    plain_files: list[str] = field(default_factory=list)


class BuildContext:
    def __init__(self, root: str, ignore: IgnoreMatcher | None, explicit: bool):
        from dlint.cache.context import DirectorySnapshot, IgnoreMatcher

        self.root = root
        self.explicit = explicit          # named by --context, config or compose
        self.ignore = ignore if ignore is not None else IgnoreMatcher([])
        self.snapshot: DirectorySnapshot = DirectorySnapshot(root)
        self.snapshot._ignore = self.ignore   # the ignore file the CLI picked for this Dockerfile
        self._tallies: dict[str, Tally] = {}

    @property
    def has_dockerignore(self) -> bool:
        return bool(self.ignore.patterns)

    # -- one path
    # A folder that cannot be listed (permissions) must not fail a lint: the questions
    # below then get the answer that reports nothing.

    def exists(self, path: str) -> bool:
        """Whether a path is in the context folder at all, .dockerignore not applied. A
        path through a symlinked folder counts as present (BuildKit follows the link)."""
        from dlint.cache.context import ContextError

        if path == "":
            return True
        try:
            if self.snapshot.entry(path) is not None:
                return True
            parts = path.split("/")
            for i in range(1, len(parts)):
                entry = self.snapshot.entry("/".join(parts[:i]))
                if entry is None:
                    return False
                if entry.kind != "dir":
                    return entry.kind == "symlink"
            return False
        except ContextError:
            return True

    def visible(self, path: str) -> bool:
        from dlint.cache.context import ContextError

        try:
            return path == "" or self.snapshot.is_visible(path)
        except ContextError:
            return False

    def is_dir(self, path: str) -> bool:
        from dlint.cache.context import ContextError

        if path == "":
            return True
        try:
            entry = self.snapshot.entry(path)
        except ContextError:
            return False
        return entry is not None and entry.kind == "dir"

    def match(self, source: str) -> list[str]:
        """Visible paths a (cleaned) COPY source names, wildcards expanded."""
        from dlint.cache.context import ContextError

        try:
            return self.snapshot.match(source)
        except ContextError:
            return []

    def excluding_pattern(self, path: str) -> tuple[int, str] | None:
        """(line number in .dockerignore, pattern) of the pattern that hides `path`."""
        found = self.ignore.deciding_pattern(path)
        if found is None:
            return None
        index, pattern = found
        return self._pattern_line(index), pattern

    def _pattern_line(self, index: int) -> int:
        # patterns are the non-blank, non-comment lines in order: find the index-th one
        path = self.ignore_path
        if path is None:
            return 0
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return 0
        seen = -1
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                seen += 1
                if seen == index:
                    return number
        return 0

    ignore_path: str | None = None

    def head(self, path: str, size: int = 65536) -> bytes:
        """The first bytes of one file (what secret checks read; nothing else is read)."""
        try:
            with open(os.path.join(self.root, path), "rb") as fh:
                return fh.read(size)
        except OSError:
            return b""

    # -- a subtree
    def tally(self, root: str, *, classify_root: bool = False) -> Tally:
        """Everything a source `root` ("" = the context root) sends, measured once.
        `classify_root`: `root` itself may be a clutter folder (a wildcard matched it);
        a folder named in a COPY is taken as wanted."""
        from dlint.cache.context import ContextError

        key = (root, classify_root)
        known = self._tallies.get(key)
        if known is None:
            try:
                known = self._measure(root, classify_root)
            except ContextError:
                known = Tally()
            self._tallies[key] = known
        return known

    def _measure(self, root: str, classify_root: bool = False) -> Tally:
        """One walk of what `root` sends. Sizes are taken (lstat) only inside clutter
        folders, the rest is counted: a 100,000-file context costs its listing."""
        snapshot = self.snapshot
        base = self.root
        tally = Tally()
        lstat = os.lstat
        join = os.path.join

        def walk(directory: str, offender: Offender | None, siblings: set[str]) -> None:
            children = snapshot.visible_children(directory)
            names = {c.path.rpartition("/")[2] for c in children}
            if offender is None and (directory != root or (classify_root and root)):
                what = _clutter_kind(directory, siblings, names)
                if what is not None:
                    offender = Offender(directory, what)
                    tally.offenders.append(offender)
            for child in children:
                kind = child.kind
                if kind in ("file", "symlink", "other"):
                    tally.files += 1
                    if offender is not None:
                        offender.files += 1
                        if kind == "file":
                            try:
                                offender.bytes += lstat(join(base, child.path)).st_size
                            except OSError:
                                pass
                    else:
                        tally.plain_files.append(child.path)
                elif kind in ("dir", "hidden-dir"):
                    walk(child.path, offender, names)

        if root == "" or self.is_dir(root):
            parent = root.rpartition("/")[0]
            siblings = ({c.path.rpartition("/")[2] for c in snapshot.visible_children(parent)}
                        if classify_root and root else set())
            walk(root, None, siblings)
        elif self.visible(root):
            tally.files = 1
            tally.plain_files.append(root)
        tally.offenders.sort(key=lambda o: (-o.bytes, o.path))
        return tally


def _clutter_kind(path: str, siblings: set[str], children: set[str]) -> str | None:
    """Why a folder is never needed from the host, from its name, its siblings' and its
    children's names (no stat), or None."""
    name = path.rpartition("/")[2]
    kind = CLUTTER_DIRS.get(name)
    if kind is not None:
        return kind
    if "pyvenv.cfg" in children:
        return "virtualenv"
    markers = BUILD_OUTPUTS.get(name)
    if markers and (siblings.intersection(markers) or (name == "build" and "CMakeCache.txt" in children)):
        return "build output"
    return None


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"
