"""## What it does
Checks for RUN instructions split in a way that costs image size or layers.

Two cases: a RUN that removes or cleans up what an earlier RUN of the same stage put in
the image, and runs of small file or user setup steps that make a layer each.

Reported, on the later RUN:
- a RUN that deletes (`rm`, `find -delete`, PowerShell `Remove-Item`, cmd `del`) a path
  an earlier RUN of the stage created (a download, a checkout, an extracted archive) or
  used, when it is an installer or an archive (`setup.exe`, `app.tar.gz`,
  `install.sh`); or a RUN that removes packages an earlier RUN installed (`apt-get
  purge`, `apk del`, `yum remove`, `pip uninstall`...) without running that package
  manager itself first. The deleted bytes stay in the earlier layer, so the image does
  not shrink. A package cache emptied in a later RUN (`RUN rm -rf /var/lib/apt/lists/*`)
  is the cleanup rules' finding, on the RUN that downloaded it. Only stages whose layers ship are checked (build stages only
  reached through `COPY --from` are not).
- a RUN directly after another RUN (comments and blank lines between them do not count)
  with the same flags, when both are small setup steps: at most two commands each, all
  of them cheap file or account commands (`mkdir`, `chown`, `chmod`, `ln`, `useradd`,
  `echo`...). Joined, they make one layer and one cache step instead of two.

Not reported: two complete steps in a row (`RUN apt-get update && apt-get install ...`
then `RUN rbenv install 3.3.0 && rbenv global 3.3.0`, or `RUN pip install -r
requirements.txt` then `RUN python manage.py collectstatic`): a split like that serves
the build cache, and is good practice. RUNs with different flags, and exec-form RUNs
(no shell to chain with), are never joined. A `RUN apt-get update` on its own is
apt-update-alone's finding.

hadolint's DL3059 reports any two consecutive RUNs with few commands; dlint reports only
splits that cost image size, or layers for trivial steps.

## Why is this bad?
Each RUN makes a layer. A file deleted in a later RUN is still stored in the layer that
created it: the image is as big as if it were never deleted. Many one-line setup RUNs
add layers and cache steps without making the Dockerfile clearer.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt
RUN rm /tmp/tool.tgz
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt \
 && rm /tmp/tool.tgz
```

## Fix
Do the removal or cleanup in the RUN that creates the files (join the RUNs with `&&`, or
write one heredoc RUN); join small setup steps into one RUN.

`dlint check --fix --unsafe-fixes` joins the RUN to the RUN right above it with `&&` and a
continuation (one layer and one cache step instead of two: unsafe): small setup steps, and
a removal or package cleanup when that RUN is the one that created the files or installed
the packages. Not for a file the RUN above only used (an installer it ran, an archive it
extracted): the file stays in the layer that added it, merging would save nothing. No fix
when a line lies between them, their flags differ, a script is not plain POSIX shell
form, the first RUN changes shell state (`cd`, `export`, a variable...) the second would
now see, or the second is more than an `&&` list (its failure would no longer fail the
build).
"""

from __future__ import annotations

import ntpath
import posixpath
from fnmatch import fnmatchcase
from collections.abc import Iterator

from dlint.api import Finding, Rule, fix_merge_runs


MAX_COMMANDS = 2
# Cheap commands that set up files or accounts: a RUN made only of these is a fragment.
SETUP_COMMANDS = frozenset({
    "mkdir", "chmod", "chown", "chgrp", "ln", "touch", "echo", "printf", "useradd", "groupadd",
    "adduser", "addgroup", "usermod", "groupmod", "userdel", "deluser", "cd", "true", "rmdir",
    "unlink", "setcap", "ldconfig", "locale-gen", "update-ca-certificates", "passwd",
    "chpasswd", "sed", "tee", "cat", "cp", "mv", "rm", "export", "set",
})
# Package caches: emptying one in a later RUN is the cleanup rules' finding (they report the
# RUN that filled it), not this one.
CACHE_DIRS = ("/var/lib/apt/lists", "/var/cache/", "/root/.cache", "~/.cache", "$HOME/.cache",
              "/usr/local/share/.cache", "/root/.npm")
# Files whose only reason to be deleted is their size: installers and archives. A file an
# earlier RUN merely used is reported only when it is one of these.
BULKY = (".tar", ".tgz", ".gz", ".xz", ".bz2", ".zst", ".zip", ".7z", ".deb", ".rpm", ".apk",
         ".run", ".sh", ".bin", ".exe", ".msi", ".jar", ".war", ".whl", ".iso", ".dmg", ".pkg")
# Paths too general to say an earlier RUN created them because it named them.
GENERIC = frozenset({"/", "/tmp", "/var/tmp", "/root", "/home", "/var", "/usr", "/usr/local",
                     "/opt", "/etc", "/var/cache", "/var/lib", "/usr/src", "/srv", "~", ".",
                     "c:", "c:\\", "c:\\windows", "c:\\temp", "c:\\users"})

# package manager -> (its tools, does this command download or install?, does it remove
# packages an install left?). A removal counts as "after an earlier RUN" only when no tool
# of the family ran before it in its own RUN. Cache cleanups (`rm -rf
# /var/lib/apt/lists/*`, `yum clean all`...) in a later RUN are left to the cleanup rules
# (apt-lists-not-removed, yum-clean-all...), which report the RUN that downloaded: one
# finding for one problem.
_FAMILIES = {
    "apt": (frozenset({"apt-get", "apt", "aptitude", "dpkg"}),
            lambda c: c.matches(("apt-get", "apt"), {"install", "upgrade", "dist-upgrade",
                                                     "full-upgrade"}),
            lambda c: c.matches(("apt-get", "apt"), {"purge", "remove", "autoremove"})),
    "apk": (frozenset({"apk"}),
            lambda c: c.matches("apk", {"add", "upgrade"}),
            lambda c: c.matches("apk", "del")),
    "rpm": (frozenset({"yum", "dnf", "dnf5", "tdnf", "zypper", "rpm"}),
            lambda c: c.matches(("yum", "dnf", "dnf5", "tdnf", "zypper"),
                                {"install", "in", "update", "upgrade", "groupinstall",
                                 "localinstall", "reinstall", "builddep"}),
            lambda c: c.matches(("yum", "dnf", "dnf5", "tdnf"), {"remove", "erase", "autoremove"})
            or c.matches("zypper", {"remove", "rm"})),
    "pip": (frozenset({"pip"}),
            lambda c: c.matches("pip", "install"),
            lambda c: c.matches("pip", "uninstall")),
}


class ConsecutiveRun(Rule):
    code = "DF401"
    name = "consecutive-run"
    severity = "info"
    aliases = ("DL3059",)
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        reported: set[int] = set()
        for stage in ctx.model.shipped_stages():
            yield from self._cleanups(ctx, stage, reported)
        previous = None  # the previous instruction if it was a setup fragment
        for ins in ctx.document.instructions:
            if ins.keyword != "RUN" or not self._fragment(ctx, ins):
                previous = None
                continue
            if (previous is not None and id(ins) not in reported
                    and sorted(previous.flag_strings) == sorted(ins.flag_strings)):
                yield self.report(
                    ctx, ins,
                    f"This RUN and the RUN on line {previous.start_line} are small setup "
                    f"steps with the same flags: joined with `&&` they make one layer and "
                    f"one cache step instead of two.",
                    fix_merge_runs(ctx, previous, ins))
            previous = ins

    # -- a later RUN that deletes what an earlier one made --------------------------------

    def _cleanups(self, ctx, stage, reported: set[int]) -> Iterator[Finding]:
        runs = [ins for ins in stage.instructions if ins.keyword == "RUN"]
        views: dict[int, _RunView] = {}

        def view(n: int) -> _RunView:
            if n not in views:
                views[n] = _RunView(ctx, runs[n], stage.windows)
            return views[n]

        for n, ins in enumerate(runs):
            # the other RUNs are read only for a RUN that deletes something not its own
            if n == 0 or not _may_delete(ctx, ins, stage):
                continue
            current = view(n)
            if not current.removed and current.cleanup is None:
                continue
            found = current.cleans_after([(runs[k], view(k)) for k in range(n)])
            if found is None:
                continue
            kind, text, before = found
            reported.add(id(ins))
            line = before.start_line
            if kind == "used":
                message = (f"This RUN removes `{text}`, which the RUN on line {line} used: "
                           f"deleting it in a later RUN does not shrink the image, the file "
                           f"stays in the layer that added it. Fetch, use and remove it in one "
                           f"RUN (or use it through `RUN --mount=type=bind`).")
            else:
                what = f"runs `{text}`, removing what was installed by" if kind == "cleanup" else \
                    f"removes `{text}`, which was created by"
                message = (f"This RUN {what} the RUN on line {line}: those bytes stay in that "
                           f"earlier layer, so the image does not shrink. Do it in the same "
                           f"RUN (merging them saves what it deletes).")
            # merged into the RUN that made the files, right above it, the removal happens
            # before that layer is written (fix_merge_runs refuses what would change
            # behaviour). Not for a file that RUN only used: it stays in the layer that
            # added it (a download or a COPY further up), merging would save nothing.
            fix = None if kind == "used" else fix_merge_runs(ctx, before, ins)
            yield self.report(ctx, ins, message, fix)

    @staticmethod
    def _fragment(ctx, ins) -> bool:
        script = ctx.script(ins)
        if not script.posix or script.form in ("exec", "none") or script.has_errors:
            return False
        commands = script.commands
        return (0 < len(commands) <= MAX_COMMANDS
                and all(c.basename in SETUP_COMMANDS for c in commands))


_REMOVERS = frozenset({"rm", "rmdir", "unlink", "find"})
# tools whose created_paths() can be non-empty without a redirect
_CREATORS = frozenset({"cp", "mv", "ln", "install", "curl", "wget", "git", "unzip", "tar"})
_FAMILY_TOOLS = frozenset(t for tools, _, _ in _FAMILIES.values() for t in tools)


def _may_delete(ctx, ins, stage) -> bool:
    script = ctx.script(ins)
    if not script.posix:
        return stage.windows
    tools = script.tools
    if tools.isdisjoint(_REMOVERS) and tools.isdisjoint(_FAMILY_TOOLS):
        return False
    for c in script.effective_commands:
        tool = c.tool
        if tool in _REMOVERS:
            return True
        if tool in _FAMILY_TOOLS and any(tool in tools and cleans(c)
                                         for tools, _, cleans in _FAMILIES.values()):
            return True
    return False


class _RunView:
    """What one RUN creates, names, removes and which package managers it runs."""

    def __init__(self, ctx, ins, windows: bool):
        state = ctx.model.state_at(ins)
        self.windows = windows or state.windows
        self.workdir = state.workdir or ("C:\\" if self.windows else "/")
        self.created: set[str] = set()
        self.trees: set[str] = set()                      # filled by it (checkouts, archives)
        self.named: set[str] = set()
        self.removed: list[tuple[str, str]] = []          # (resolved, as written)
        self.downloads: set[str] = set()                  # families that download here
        self.used: set[str] = set()                       # families whose tools run here
        self.cleanup: str | None = None                   # family cleaned before any download
        self.moves = False                                # a `cd`: relative paths unknown
        script = ctx.script(ins)
        if script.posix and script.form != "none":
            self.moves = any(c.basename in ("cd", "pushd") for c in script.effective_commands)
            self._read_posix(script)
        elif self.windows:
            self._read_windows(script.text)
        # what this RUN deletes after making or using it itself is its own business
        self.removed = [(r, w) for r, w in self.removed
                        if r is not None and r not in GENERIC and not self._own(r)]

    def _own(self, path: str) -> bool:
        sep = "\\" if self.windows else "/"
        if any(ch in path for ch in "*?["):
            return any(fnmatchcase(p, path) for p in (*self.created, *self.named, *self.trees))
        return path in self.named or self.made(path, sep)

    def _resolve(self, path: str) -> str | None:
        """The absolute path (lower case on Windows); None for a relative path in a RUN
        that changes directory."""
        if self.moves and not path.startswith(("/", "~", "\\")) and not (len(path) > 1 and path[1] == ":"):
            return None
        if self.windows:
            path = path.replace("/", "\\")
            if not (len(path) > 1 and path[1] == ":") and not path.startswith("\\"):
                path = ntpath.join(self.workdir, path)
            return ntpath.normpath(path).lower()
        if path.startswith("~"):
            return path
        if not path.startswith("/"):
            if self.workdir.startswith("$"):
                return path
            path = posixpath.join(self.workdir, path)
        return posixpath.normpath(path)

    def _read_posix(self, script) -> None:
        for c in script.effective_commands:
            if c.in_substitution:
                continue
            tool = c.tool
            if tool in _FAMILY_TOOLS:
                for family, (tools, downloads, cleans) in _FAMILIES.items():
                    if tool not in tools:
                        continue
                    if downloads(c):
                        self.downloads.add(family)
                    elif cleans(c) and family not in self.used and self.cleanup is None:
                        self.cleanup = family
                        self.cleanup_text = " ".join([c.basename, *c.positional_args()[:2]])
                    self.used.add(family)
            if tool in _REMOVERS:
                for p in c.removed_paths():
                    if not p.startswith(CACHE_DIRS):
                        self.removed.append((self._resolve(p), p))
                if tool != "find":
                    continue
            if tool in ("mkdir", "touch"):
                continue   # an empty directory or file: removing it later costs nothing
            if c.redirects or tool in _CREATORS:
                for p, tree in c.created_paths():
                    self._add(self.trees if tree else self.created, p)
            for word, literal in zip(c.args, c.literal[1:]):
                if literal and "." in word and not word.startswith("-") \
                        and "." in word.rsplit("/", 1)[-1]:
                    self._add(self.named, word)

    def _add(self, paths: set[str], path: str) -> None:
        resolved = self._resolve(path)
        if resolved is not None:
            paths.add(resolved)

    def _read_windows(self, text: str) -> None:
        from dlint.api import windows_commands, windows_created, windows_removed

        for words in windows_commands(text):
            removed = windows_removed(words)
            for p in removed:
                self.removed.append((self._resolve(p), p))
            for p, tree in windows_created(words):
                self._add(self.trees if tree else self.created, p)
            if removed:
                continue
            for word in words[1:]:
                if "." in word.replace("/", "\\").rsplit("\\", 1)[-1] and not word.startswith("-"):
                    self._add(self.named, word)

    def cleans_after(self, earlier: list) -> tuple[str, str, object] | None:
        """(kind, text, earlier RUN) when this RUN deletes what an earlier RUN of the
        stage left: kind "cleanup" (a package manager's cleanup after its download),
        "created" (a path it created), or "used" (a file it named); else None. The
        nearest earlier RUN wins, a creation before a mere use."""
        if self.cleanup is not None:
            for before, view in reversed(earlier):
                if self.cleanup in view.downloads:
                    return "cleanup", self.cleanup_text, before
        sep = "\\" if self.windows else "/"
        removed = [(r, w) for r, w in self.removed if r not in GENERIC]
        for resolved, written in removed:
            for before, view in reversed(earlier):
                if view.made(resolved, sep):
                    return "created", written, before
        for resolved, written in removed:
            if not resolved.endswith(BULKY):
                continue   # a config file may be deleted for what it does, not for its size
            for before, view in reversed(earlier):
                if resolved in view.named or (any(ch in resolved for ch in "*?[") and any(
                        fnmatchcase(p, resolved) for p in view.named)):
                    return "used", written, before
        return None

    def made(self, path: str, sep: str) -> bool:
        """This RUN created `path`, something inside it, or the tree holding it."""
        for made in (*self.created, *self.trees):
            if made not in GENERIC and (made == path or made.startswith(path + sep)
                                        or fnmatchcase(made, path)):
                return True
        return any(t not in GENERIC and path.startswith(t + sep) for t in self.trees)
