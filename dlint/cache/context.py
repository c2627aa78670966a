"""Build-context snapshots: what `COPY`/`ADD` sources and bind mounts can see.

A snapshot is a directory (the working tree) or a git revision read through
`git ls-tree` / `git cat-file --batch` (nothing is checked out). It is lazy: listing
paths is cheap and done once; file content is read only for the files a step selects
(`Snapshot.read` is the one place that reads content, so tests can instrument it).

What counts, as on Docker Engine 26.1.5 (reference/buildkit-cache.md): content, mode,
symlink targets, the set of names (renames, new empty directories); not mtime, not
ownership (the docker CLI and BuildKit both send uid/gid 0). `.dockerignore` is applied
the way the client does before sending the context; the Dockerfile and `.dockerignore`
are context files like any other unless `.dockerignore` excludes them (E04b-e).

Content hashes are git blob ids (sha1 of "blob <size>\\0" + bytes) so that a working tree
can be compared with a revision without reading the revision's blobs. Git only knows
the executable bit, so when one side is a revision, modes are compared as git sees them
(644/755), and the working tree's `.git` folder is left out.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath


class ContextError(Exception):
    """A context or revision that cannot be read: one line for the user."""


@dataclass(frozen=True)
class Entry:
    path: str                  # relative POSIX path, "" never appears
    kind: str                  # "file", "dir", "symlink", "submodule", "other"
    mode: int | None = None    # permission bits; None until stat'ed (directory snapshots)
    blob: str | None = None    # git blob id when known without reading (revisions)


@dataclass(frozen=True)
class FileState:
    """What a copy sees of one path: enough to tell whether the copy would differ."""

    path: str
    kind: str
    mode: int
    digest: str                # content (files), link target (symlinks), "" (dirs)


# --------------------------------------------------------------------------- dockerignore

_SDK_BUILD = None


def _sdk_build_module():
    """docker.utils.build (PatternMatcher), without running `docker/__init__` (~230 ms:
    it imports requests and the whole API client). The two SDK files we need import
    only `re`, `os`, `tarfile` and `docker.constants`, so they are loaded under a
    private package name; if the SDK is already imported, its own module is used."""
    global _SDK_BUILD
    if _SDK_BUILD is not None:
        return _SDK_BUILD
    if "docker.utils.build" in sys.modules:
        _SDK_BUILD = sys.modules["docker.utils.build"]
        return _SDK_BUILD
    import importlib
    import importlib.util
    import types

    spec = importlib.util.find_spec("docker")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ContextError("the docker SDK (package 'docker') is not installed")
    root = list(spec.submodule_search_locations)[0]
    name = "_dlint_docker_sdk"
    if name not in sys.modules:
        pkg = types.ModuleType(name)
        pkg.__path__ = [root]
        utils = types.ModuleType(name + ".utils")
        utils.__path__ = [os.path.join(root, "utils")]
        sys.modules[name] = pkg
        sys.modules[name + ".utils"] = utils
    _SDK_BUILD = importlib.import_module(name + ".utils.build")
    return _SDK_BUILD


def read_dockerignore(text: str) -> list[str]:
    """Patterns of a .dockerignore as the docker CLI reads them: one per line,
    whitespace trimmed, blank lines and `#` comments dropped."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line)
    return patterns


class IgnoreMatcher:
    """`.dockerignore` semantics through the docker SDK's PatternMatcher (a port of
    moby's fileutils: last matching pattern wins, `!` re-includes, a pattern matching a
    parent directory matches everything below it, `**`).

    Two differences from the SDK, both to follow the engine: the SDK matches
    case-insensitively (it lower-cases name and pattern; Go's filepath.Match on Linux
    does not), and it always re-includes `.dockerignore` (it must send the file; the
    engine then hides an excluded `.dockerignore` from COPY, E04e). Known remaining
    difference from moby's patternmatcher: the SDK's `[...]` classes follow Python's
    fnmatch (`[!a]`), Go's use `[^a]`."""

    def __init__(self, patterns: list[str]):
        self.patterns = list(patterns)
        self._matcher = None
        if patterns:
            build = _sdk_build_module()
            matcher = build.PatternMatcher(self.patterns)
            matcher.patterns.pop()  # the SDK's appended "!.dockerignore"
            fnmatchcase = sys.modules[build.__name__.rsplit(".", 1)[0] + ".fnmatch"].fnmatchcase
            for pattern in matcher.patterns:
                pattern.match = (lambda p: lambda path: fnmatchcase(path, p.cleaned_pattern))(pattern)
            self._matcher = matcher
            # Patterns are anchored at the context root: one whose first component has no
            # wildcard can only match paths starting with that component. Paths under
            # any other top-level name skip the (slow) SDK matcher; same answers.
            heads = {p.dirs[0] for p in matcher.patterns}
            self._any_head = any(_has_magic(h) for h in heads)
            self._heads = frozenset(heads)

    def __bool__(self) -> bool:
        return self._matcher is not None

    def excluded(self, path: str) -> bool:
        if self._matcher is None:
            return False
        if not self._any_head and path.partition("/")[0] not in self._heads:
            return False
        return self._matcher.matches(path)

    def deciding_pattern(self, path: str) -> tuple[int, str] | None:
        """(index in `patterns`, pattern) of the last pattern matching `path` or one of
        its parents when that pattern excludes it (as `excluded` decides), else None."""
        if self._matcher is None:
            return None
        decided = None
        parents = path.split("/")[:-1]
        for pattern in self._matcher.patterns:
            hit = pattern.match(path)
            if not hit and parents and len(pattern.dirs) <= len(parents):
                hit = pattern.match("/".join(parents[:len(pattern.dirs)]))
            if hit:
                decided = None if pattern.exclusion else pattern
        if decided is None:
            return None
        # the SDK drops empty patterns: the k-th kept one is the k-th with components
        build = _sdk_build_module()
        origin = [i for i, raw in enumerate(self.patterns) if build.Pattern(raw).dirs]
        index = origin[self._matcher.patterns.index(decided)]
        return index, self.patterns[index]

    def may_reinclude_below(self, directory: str) -> bool:
        """Whether an exception pattern (`!x`) could re-include something under an
        excluded directory, so that its subtree must still be walked (as moby does)."""
        if self._matcher is None:
            return False
        prefix = directory + "/"
        for pattern in self._matcher.patterns:
            if pattern.exclusion and (pattern.cleaned_pattern.startswith(prefix)
                                      or _has_magic(pattern.cleaned_pattern)):
                return True
        return False


# --------------------------------------------------------------------------- path patterns

_MAGIC = re.compile(r"[*?\[\\]")


def _has_magic(text: str) -> bool:
    return bool(_MAGIC.search(text))


@lru_cache(maxsize=512)
def _component_regex(pattern: str) -> re.Pattern[str]:
    """Go's filepath.Match for one path component: `*`, `?`, `[...]` (with `^`
    negation and ranges), `\\x` escapes."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\" and i < n:
            out.append(re.escape(pattern[i]))
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
                continue
            body = pattern[i:j]
            i = j + 1
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append(f"[{'^' if negate else ''}{body}]")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out) + r"\Z")


def clean_source(source: str) -> str:
    """A COPY/ADD source as BuildKit resolves it against the context root: leading `/`
    and `./` dropped, `..` cannot leave the root, "" means the whole context."""
    parts: list[str] = []
    for part in source.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


# --------------------------------------------------------------------------- snapshots

def blob_id(data: bytes) -> str:
    """The git blob id of these bytes (sha1 of the header and content)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class Snapshot:
    """A build context: folders listed on demand, content read lazily.

    Only the folders a selection walks are listed, and .dockerignore is evaluated only
    for the paths listed there, so `COPY src/` in a huge context costs what src/ costs.
    """

    label: str = ""
    git_modes: bool = False     # modes known only as git records them (644/755)

    def __init__(self) -> None:
        self._listed: dict[str, list[Entry]] = {}      # folder -> its children
        self._entry: dict[str, Entry] = {}
        self._excluded: dict[str, bool] = {}
        self._ignore: IgnoreMatcher | None = None
        self._digests: dict[str, str] = {}

    # -- to implement
    def _scan(self, directory: str) -> list[Entry]:
        """The children of one folder ("" = the context root)."""
        raise NotImplementedError

    def read(self, path: str) -> bytes:
        """The content of one file (the only method that reads file content)."""
        raise NotImplementedError

    def _stat_mode(self, entry: Entry) -> int:
        return entry.mode if entry.mode is not None else 0o644

    def _link_target(self, entry: Entry) -> str:
        return self.read(entry.path).decode("utf-8", "surrogateescape")

    # -- listing
    def children(self, directory: str) -> list[Entry]:
        found = self._listed.get(directory)
        if found is None:
            found = self._listed[directory] = self._scan(directory)
            for entry in found:
                self._entry[entry.path] = entry
        return found

    def entry(self, path: str) -> Entry | None:
        """One path's entry (listing its parent folders if needed), .dockerignore not applied."""
        if path in self._entry:
            return self._entry[path]
        parent = path.rpartition("/")[0]
        if parent:
            up = self.entry(parent)
            if up is None or up.kind != "dir":
                return None
        self.children(parent)
        return self._entry.get(path)

    def entries(self) -> dict[str, Entry]:
        """Every path of the context, .dockerignore not applied (lists everything)."""
        stack = [""]
        while stack:
            for entry in self.children(stack.pop()):
                if entry.kind == "dir":
                    stack.append(entry.path)
        return dict(self._entry)

    def has_file(self, path: str) -> bool:
        entry = self.entry(path)
        return entry is not None and entry.kind in ("file", "symlink")

    def read_text(self, path: str) -> str:
        return self.read(path).decode("utf-8", "replace")

    def dockerignore(self) -> IgnoreMatcher:
        if self._ignore is None:
            text = self.read_text(".dockerignore") if self.has_file(".dockerignore") else ""
            self._ignore = IgnoreMatcher(read_dockerignore(text))
        return self._ignore

    def excluded(self, path: str) -> bool:
        known = self._excluded.get(path)
        if known is None:
            known = self._excluded[path] = self.dockerignore().excluded(path)
        return known

    def visible_children(self, directory: str) -> list[Entry]:
        """Children the builder sees. Below an excluded folder nothing is seen unless an
        exception pattern may re-include something there (moby walks it then)."""
        ignore = self.dockerignore()
        if not ignore:
            return self.children(directory)
        out = []
        for entry in self.children(directory):
            if not self.excluded(entry.path):
                out.append(entry)
            elif entry.kind == "dir" and ignore.may_reinclude_below(entry.path):
                # The folder itself is excluded but something under it may come back:
                # keep walking it without listing the folder.
                out.append(Entry(entry.path, "hidden-dir"))
        return out

    def is_visible(self, path: str) -> bool:
        entry = self.entry(path)
        if entry is None:
            return False
        if not self.dockerignore():
            return True
        parent = path.rpartition("/")[0]
        if parent and not self.is_visible(parent) and not self.dockerignore().may_reinclude_below(parent):
            return False
        return not self.excluded(path)

    def _walk(self, directory: str, out: list[str]) -> None:
        stack = [directory]
        while stack:
            for entry in self.visible_children(stack.pop()):
                if entry.kind != "hidden-dir":
                    out.append(entry.path)
                if entry.kind in ("dir", "hidden-dir"):
                    stack.append(entry.path)

    def visible(self) -> dict[str, Entry]:
        """Every entry the builder sees after .dockerignore (lists everything)."""
        paths: list[str] = []
        self._walk("", paths)
        return {p: self._entry[p] for p in paths}

    # -- selection
    def match(self, source: str) -> list[str]:
        """Visible paths a COPY/ADD source (or a bind-mount source) names: the path
        itself, or every match of a wildcard pattern; "" is the context root."""
        source = clean_source(source)
        if source == "":
            return [""]
        if not _has_magic(source):
            return [source] if self.is_visible(source) else []
        current = [""]
        for part in source.split("/"):
            nxt = []
            if _has_magic(part):
                regex = _component_regex(part)
                for directory in current:
                    for child in self.visible_children(directory):
                        if child.kind != "hidden-dir" and regex.match(child.path.rpartition("/")[2]):
                            nxt.append(child.path)
            else:
                for directory in current:
                    child = f"{directory}/{part}" if directory else part
                    if self.is_visible(child):
                        nxt.append(child)
            current = [p for p in nxt]
            if not current:
                break
        return sorted(current)

    def subtree(self, root: str) -> list[str]:
        """`root` and every visible path below it ("" = the whole context), sorted."""
        out: list[str] = []
        if root == "":
            self._walk("", out)
            return sorted(out)
        entry = self.entry(root)
        if entry is None or not self.is_visible(root):
            return []
        out.append(root)
        if entry.kind == "dir":
            self._walk(root, out)
        return sorted(out)

    def state(self, path: str, *, git_modes: bool = False) -> FileState:
        """Content state of one visible path. `git_modes` compares modes as git does."""
        entry = self._entry[path]
        mode = self._stat_mode(entry)
        if entry.kind == "file":
            digest = self.digest(path)
        elif entry.kind == "symlink":
            digest = entry.blob or self._digest_link(entry)
        elif entry.kind == "submodule":
            digest = entry.blob or ""
        else:
            digest = ""
        if git_modes or self.git_modes:
            mode = _git_mode(entry.kind, mode)
        return FileState(path, entry.kind, mode, digest)

    def _digest_link(self, entry: Entry) -> str:
        return blob_id(self._link_target(entry).encode("utf-8", "surrogateescape"))

    def digest(self, path: str) -> str:
        """Content hash of one file: the git blob id (known for revisions, computed by
        reading the file for directories)."""
        known = self._digests.get(path)
        if known is None:
            entry = self._entry[path]
            known = entry.blob or blob_id(self.read(path))
            self._digests[path] = known
        return known

    def select(self, source: str, *, git_modes: bool = False) -> tuple[FileState, ...]:
        """What one source brings into a step: every matched path and its subtree."""
        states: dict[str, FileState] = {}
        for root in self.match(source):
            for path in self.subtree(root):
                if path not in states:
                    states[path] = self.state(path, git_modes=git_modes)
        return tuple(states[p] for p in sorted(states))


def _git_mode(kind: str, mode: int) -> int:
    if kind == "file":
        return 0o755 if mode & 0o100 else 0o644
    if kind == "symlink":
        return 0o777
    return 0o755


class DirectorySnapshot(Snapshot):
    """A context folder as it is on disk."""

    def __init__(self, root: str | os.PathLike[str], *, skip_git_dir: bool = False):
        super().__init__()
        self.root = Path(root)
        self._root = os.fspath(root)
        self.label = str(root)
        self.skip_git_dir = skip_git_dir
        self._modes: dict[str, int] = {}
        if not self.root.is_dir():
            raise ContextError(f"context {str(root)!r} is not a directory")

    def _scan(self, directory: str) -> list[Entry]:
        if self.skip_git_dir and directory == "" :
            skip = ".git"
        else:
            skip = None
        prefix = f"{directory}/" if directory else ""
        try:
            it = os.scandir(os.path.join(self._root, directory) if directory else self._root)
        except OSError as exc:
            raise ContextError(f"cannot list {self.root / directory}: {exc.strerror}") from None
        out = []
        with it:
            for item in it:
                if item.name == skip:
                    continue
                if item.is_symlink():
                    kind = "symlink"
                elif item.is_dir(follow_symlinks=False):
                    kind = "dir"
                elif item.is_file(follow_symlinks=False):
                    kind = "file"
                else:
                    kind = "other"
                out.append(Entry(prefix + item.name, kind))
        return out

    def _stat_mode(self, entry: Entry) -> int:
        mode = self._modes.get(entry.path)
        if mode is None:
            mode = stat.S_IMODE(os.lstat(os.path.join(self._root, entry.path)).st_mode)
            self._modes[entry.path] = mode
        return mode

    def _link_target(self, entry: Entry) -> str:
        return os.readlink(os.path.join(self._root, entry.path))

    def read(self, path: str) -> bytes:
        try:
            with open(os.path.join(self._root, path), "rb") as f:
                return f.read()
        except OSError as exc:
            raise ContextError(f"cannot read {self.root / path}: {exc.strerror}") from None


CHECKOUT_GIT_FILE = ".git/HEAD"   # the one file the modelled checkout's .git holds


def is_git_dir_path(path: str) -> bool:
    """Whether a context path is the checkout's `.git` folder or lies in it."""
    return path == ".git" or path.startswith(".git/")


class GitSnapshot(Snapshot):
    """A folder of the context as recorded in a git revision (nothing is checked out)."""

    def __init__(self, repo: str | os.PathLike[str], revision: str, prefix: str = "", *,
                 checkout_git: bool = False, missing_ok: bool = False):
        super().__init__()
        # `missing_ok`: a context folder this revision does not have is an empty context
        # (the commit that adds a service), `missing` then holding the error to give when
        # the other side has no such folder either.
        self.missing: str | None = None
        self.repo = str(repo)
        self.revision = revision
        self.prefix = prefix.strip("/")
        self.git_modes = True
        self._tree_index: dict[str, list[Entry]] | None = None
        self.label = f"{revision}:{self.prefix}" if self.prefix else revision
        self.commit = resolve_revision(self.repo, revision)
        if self.commit is None:
            raise ContextError(f"{revision!r} is neither a folder nor a git revision")
        # `checkout_git`: the context is a checkout of this commit (`docker build .`), whose
        # `.git` folder a git tree does not record. It is modelled as the `.git/HEAD` of a
        # detached checkout (the commit id): the same for the same commit, different for
        # any two commits, as a real `.git` is. Only at the repository root (a context
        # folder below it has no `.git`).
        self._synthetic: dict[str, bytes] = {}
        if checkout_git and not self.prefix:
            self._synthetic[CHECKOUT_GIT_FILE] = f"{self.commit}\n".encode()
        if self.prefix:
            kind = subprocess.run(["git", "-C", self.repo, "cat-file", "-t", f"{self.commit}:{self.prefix}"],
                                  capture_output=True, text=True)
            if kind.returncode != 0 or kind.stdout.strip() != "tree":
                what = "is not a folder" if kind.returncode == 0 else "does not exist"
                message = (f"{self.prefix}/ {what} in revision {revision} (the context folder "
                           f"must be in both sides; name another with {revision}:PATH)")
                if not (missing_ok and kind.returncode != 0):
                    raise ContextError(message)
                self.missing = message
                self._tree_index = {}

    def _tree(self) -> str:
        return f"{self.commit}:{self.prefix}" if self.prefix else f"{self.commit}^{{tree}}"

    def _scan(self, directory: str) -> list[Entry]:
        if self._tree_index is None:
            index: dict[str, list[Entry]] = {}
            for entry in self._ls_tree().values():
                index.setdefault(entry.path.rpartition("/")[0], []).append(entry)
            for path, data in self._synthetic.items():
                index.setdefault("", []).append(Entry(".git", "dir", 0o755))
                index.setdefault(".git", []).append(Entry(path, "file", 0o644, blob_id(data)))
            self._tree_index = index
        return self._tree_index.get(directory, [])

    def _ls_tree(self) -> dict[str, Entry]:
        proc = subprocess.run(["git", "-C", self.repo, "ls-tree", "-r", "-t", "-z", self._tree()],
                              capture_output=True)
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ContextError(f"cannot read {self.label}: {message[-1] if message else 'git ls-tree failed'}")
        entries: dict[str, Entry] = {}
        for record in proc.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode_text, kind_text, obj = meta.decode().split()
            path = raw_path.decode("utf-8", "surrogateescape")
            git_mode = int(mode_text, 8)
            if kind_text == "tree":
                entries[path] = Entry(path, "dir", 0o755)
            elif kind_text == "commit":
                entries[path] = Entry(path, "submodule", 0o755, obj)
            elif stat.S_ISLNK(git_mode):
                entries[path] = Entry(path, "symlink", 0o777, obj)
            else:
                entries[path] = Entry(path, "file", 0o755 if git_mode & 0o100 else 0o644, obj)
        return entries

    def read(self, path: str) -> bytes:
        return self.read_many([path])[path]

    def read_many(self, paths: list[str]) -> dict[str, bytes]:
        """Blobs through one `git cat-file --batch`."""
        synthetic = {p: self._synthetic[p] for p in paths if p in self._synthetic}
        if synthetic:
            rest = [p for p in paths if p not in synthetic]
            return {**synthetic, **(self.read_many(rest) if rest else {})}
        ids = [self.entry(p).blob for p in paths]
        proc = subprocess.run(["git", "-C", self.repo, "cat-file", "--batch"],
                              input="".join(f"{i}\n" for i in ids).encode(), capture_output=True)
        if proc.returncode != 0:
            raise ContextError(f"cannot read blobs of {self.label}")
        out, data, pos = {}, proc.stdout, 0
        for path in paths:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            if len(header) < 3:
                raise ContextError(f"cannot read {path} in {self.label}")
            size = int(header[2])
            out[path] = data[end + 1:end + 1 + size]
            pos = end + 1 + size + 1
        return out


def resolve_revision(repo: str, revision: str) -> str | None:
    """The commit id of a revision in the repository at `repo`, or None."""
    if revision.startswith("-"):
        return None
    proc = subprocess.run(["git", "-C", repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_toplevel(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """(repository root, path of `path` relative to it) when `path` is in a git work
    tree, else None."""
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel", "--show-prefix"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    lines = proc.stdout.splitlines()
    if not lines:
        return None
    prefix = lines[1] if len(lines) > 1 else ""
    return lines[0], str(PurePosixPath(prefix)) if prefix.strip("/") else ""
