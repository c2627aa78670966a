"""## What it does
Checks for a `COPY`/`ADD` of a folder that sends `.git`, `node_modules`, virtualenvs,
caches or build outputs.

It measures what the source really sends from the build context on disk and reports the
folders a build never needs from the host: `.git/` (and `.hg/`, `.svn/`), `node_modules/`, virtualenvs (a folder
holding `pyvenv.cfg`), `__pycache__/` and tool caches (`.pytest_cache/`, `.mypy_cache/`,
`.tox/`...), and build outputs (`target/` next to `Cargo.toml` or `pom.xml`, `dist/` next
to `package.json` or Python packaging, `build/` of Python packaging or CMake). The finding
says how many files the source sends, those folders with their files and bytes (largest
first), whether `.git` is among them, and the lines to add to `.dockerignore`.

The build context is the Dockerfile's folder, or the one named by `dlint check
--context DIR`, by the config's `contexts` table, or by a compose file's `build:`
(README, "Build context"). `.dockerignore` is applied as the docker CLI does
(`<Dockerfile>.dockerignore` first). A Dockerfile read from stdin has no context: the
rule is silent. Only the folders a source names are listed, once per run; file content
is not read (except the head of `pyproject.toml`/`setup.py`/`setup.cfg`, below). `.git`
is not reported when the build may read it: a `RUN` runs `git` (other than `git clone`),
or the Python packaging at the top of the copied folder takes its version from git
(setuptools-scm, hatch-vcs, versioningit, dunamai, poetry-dynamic-versioning). Build
outputs are reported only when the Dockerfile builds the project itself (`npm run build`,
cargo, mvn, gradle, `pip install`/`pip wheel`, `python -m build`, make): otherwise they
may be what the image ships. `node_modules` is
reported only when the Dockerfile installs node packages itself (`npm ci`, `npm install`,
`yarn`, `pnpm install`, `bun install`): otherwise the image may run on the copied one. A
large context with none of these folders is not reported: size alone is not a mistake. A folder
copied by name (`COPY node_modules/ ...`) is taken as wanted; one a
wildcard matches (`COPY * ./`) is not.

## Why is this bad?
Everything in the context is sent to the builder before the build starts, and a `COPY .`
bakes it into a layer: `.git` changes with every commit, so the layer (and every step
after it) is rebuilt each time; host `node_modules` or virtualenvs hold binaries built for
another system and overwrite what the image installs; caches and build outputs only make
the image bigger.

## Example
```dockerfile
# the folder holds .git/ and node_modules/, and no .dockerignore
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
```
Use instead:
```dockerfile
# .dockerignore:
#   .git
#   node_modules
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
```

## Fix
Add the suggested lines to `.dockerignore` (create it at the context root), or copy only
what the build needs (`COPY package*.json ./`, `COPY src/ src/`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

SHOWN = 3  # offenders named in the message


class CopyUnignoredClutter(Rule):
    code = "DF303"
    name = "copy-unignored-clutter"
    severity = "warning"
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        context = ctx.build_context
        for group in ctx.context_sources_by_copy():
            roots: dict[str, bool] = {}  # folder -> matched by a wildcard
            single: set[str] = set()     # files named or matched
            for source in group:
                candidates = context.match(source.path) if source.wildcard else [source.path]
                for path in candidates:
                    if path in roots or not context.visible(path):
                        continue
                    if context.is_dir(path):
                        roots[path] = source.wildcard
                    else:
                        single.add(path)
            if not roots:
                continue
            files = len(single)
            offenders = {}
            for root, wildcard in roots.items():
                tally = context.tally(root, classify_root=wildcard)
                files += tally.files
                for offender in tally.offenders:
                    offenders.setdefault(offender.path, offender)
            if any(path.rpartition("/")[2] == ".git" for path in offenders) and _needs_git(ctx, context, roots):
                offenders = {p: o for p, o in offenders.items() if p.rpartition("/")[2] != ".git"}
            if not _builds(ctx):
                offenders = {p: o for p, o in offenders.items() if o.kind != "build output"}
            if not _installs_node_packages(ctx):
                offenders = {p: o for p, o in offenders.items() if p.rpartition("/")[2] != "node_modules"}
            if not offenders:
                continue
            ins = group[0].instruction
            yield self.report(ctx, ins, _message(ins, group, files, list(offenders.values()),
                                                 context, ctx))


def _message(ins, group, files, offenders, context, ctx) -> str:
    from dlint.api import human_size

    offenders.sort(key=lambda o: (-o.bytes, o.path))
    shown = ", ".join(f"{o.path}/ ({o.kind}, {_files(o.files)}, {human_size(o.bytes)})"
                      for o in offenders[:SHOWN])
    more = f" and {len(offenders) - SHOWN} more" if len(offenders) > SHOWN else ""
    junk_files = sum(o.files for o in offenders)
    junk_bytes = sum(o.bytes for o in offenders)
    words = " ".join(s.word for s in group)
    ignore = "no .dockerignore" if not context.has_dockerignore else ".dockerignore lets them in"
    lines = []
    for o in offenders:
        if o.ignore_line not in lines:
            lines.append(o.ignore_line)
    git = "; .git is sent, so every commit rebuilds this layer" if any(
        o.path.rpartition("/")[2] == ".git" for o in offenders) else ""
    return (f"`{ins.keyword} {words}` sends {_files(files)} from the build "
            f"context ({ignore}), {_files(junk_files)} ({human_size(junk_bytes)}) of them never "
            f"needed: {shown}{more}{git}. Add to .dockerignore: {', '.join(lines)}")


VCS_VERSIONING = (b"setuptools_scm", b"setuptools-scm", b"hatch-vcs", b"versioningit", b"dunamai",
                  b"poetry-dynamic-versioning")


def _needs_git(ctx, context, roots) -> bool:
    """Whether the build may read `.git`: a RUN runs git (other than `git clone`), or the
    Python packaging at a copied folder's top takes its version from git
    (setuptools-scm, hatch-vcs...: only those few files' first bytes are read)."""
    for _, command in ctx.run_commands(("git",)):
        if command.subcommands()[:1] != ["clone"]:
            return True
    for root in roots:
        for name in ("pyproject.toml", "setup.py", "setup.cfg"):
            path = f"{root}/{name}" if root else name
            if context.exists(path) and any(marker in context.head(path) for marker in VCS_VERSIONING):
                return True
    return False


def _installs_node_packages(ctx) -> bool:
    """Whether the Dockerfile installs node packages itself (npm install/ci, yarn,
    pnpm install, bun install): a host node_modules is then redundant. Without that, the
    image may run on the node_modules it copies, which is then wanted."""
    for _, command in ctx.run_commands(("npm", "yarn", "pnpm", "bun")):
        sub = command.subcommands()[:1]
        if command.tool == "yarn" and sub in ([], ["install"]):
            return True
        if sub and sub[0] in ("install", "i", "ci", "add"):
            return True
    return False


def _builds(ctx) -> bool:
    """Whether the Dockerfile builds the project itself (so host build outputs are stale
    copies): npm/yarn/pnpm `run build`/`build`, cargo, mvn, gradle, pip install/wheel,
    `python -m build`, `python setup.py`, make."""
    for _, command in ctx.run_commands(("npm", "yarn", "pnpm", "cargo", "mvn", "gradle", "pip",
                                        "python", "python3", "make")):
        tool, sub = command.tool, command.subcommands(2)
        if tool in ("cargo", "mvn", "gradle", "make"):
            return True
        if tool in ("npm", "yarn", "pnpm") and ("build" in sub[:1] or sub == ["run", "build"]):
            return True
        if tool == "pip" and sub[:1] in (["install"], ["wheel"]):
            return True
        if command.basename.startswith("python") and (command.args[:2] == ["-m", "build"]
                                                      or command.args[:1] == ["setup.py"]):
            return True
    return False


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
