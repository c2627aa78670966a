"""## What it does
Checks for `pip install` of packages without a version (also `pip3`, `python -m pip`).

Pinned: `==`, `===`, `~=`, or any upper bound (`<2`, `>=1.4,<2`), with extras and
markers (`uvicorn[standard]==0.30`); the version may come from a variable
(`flask==${FLASK_VERSION}`). Not pinned: no version, and `>=`, `>` or `!=` alone (pip takes
the newest release). Local paths, `.`, wheels and archives, archive URLs and direct
references (`name @ url`) are not reported; a VCS URL is pinned by `@<ref>`. A command
that reads a requirements or constraints file (`-r`, `-c`, PIP_REQUIREMENT,
PIP_CONSTRAINT), or installs with `--no-index` (only from local archives), is not
reported: the files decide. Wrappers and `sh -c` strings are looked through; every stage
is checked; Windows stages are not.

Where dlint differs from hadolint (DL3013): `pkg!=1.0` is reported (it excludes one
version and installs the newest; hadolint counts it as pinned) and `pkg<2` is not (an upper
bound, like `~=`); `--no-index` installs, PIP_CONSTRAINT set by ENV and `.zip` archives
are not reported; a variable with a known ARG/ENV value is read, an unknown one is not
reported; pip behind a path (`/venv/bin/pip`) or options before `install` are checked.
Fixtures: bad-open-ranges.Dockerfile, bad-basic.Dockerfile,
good-bounds-and-files.Dockerfile, good-requirements.Dockerfile, good-variables.Dockerfile.

## Why is this bad?
Without a version, each build installs the newest release on PyPI that day: a new major
version can break the image between two builds of the same Dockerfile.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir flask
```
Use instead:
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir flask==3.0.3
```

## Fix
Pin each package (`flask==3.0.3`, or `flask~=3.0` for patch updates), or list the pins in a
requirements file and install with `pip install -r requirements.txt`.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`pip install` without a pinned version for {packages}: every build installs the "
           "newest release. Pin with `package==<version>` or use a requirements file.")


class PipUnpinned(Rule):
    code = "DF515"
    name = "pip-unpinned"
    severity = "warning"
    aliases = ("DL3013",)
    keywords = ("RUN",)
    triggers = ("pip",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("pip"):
            yield self.report(ctx, command, MESSAGE.format(packages=unpinned))
