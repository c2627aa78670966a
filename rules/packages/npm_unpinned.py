"""## What it does
Checks for `npm install` (and its aliases `npm i`, `npm add`...) of packages without a
version.

Pinned: `pkg@1.2.3` or a range (`@^4.18`, `@~1.2`, `@1.x`), scoped packages too
(`@scope/pkg@1.0.0`); the version may come from a variable (`pkg@${VERSION}`). Not
pinned: no version, a dist-tag (`@latest`, `@next`, `@beta`), `@*`, and `@>=x` alone.
Paths, `file:` specs, tarballs and tarball URLs are not reported; a git spec
(`user/repo`, `git+https://...`, `github:user/repo`) is pinned by `#<commit-ish>`.
`npm install` and `npm ci` without packages install from package.json and the lockfile:
not reported. Wrappers and `sh -c` strings are looked through; every stage is checked;
Windows stages are not.

Where dlint differs from hadolint (DL3016): `@latest` and other dist-tags are reported
(they name whatever was published last; hadolint counts any `@` as a pin); the aliases
`npm i`/`npm add` are checked (hadolint reads only `install`); `file:` specs, the value
of an option (`--omit dev`) and a variable without known value are not reported.
Fixtures: bad-dist-tags.Dockerfile, bad-multistage.Dockerfile,
good-local-and-git.Dockerfile, good-lockfile.Dockerfile, good-variables.Dockerfile.

## Why is this bad?
Without a version, each build installs the newest release of the package that day, so
two builds of the same Dockerfile can get different major versions.

## Example
```dockerfile
FROM node:22-slim
RUN npm install -g typescript
```
Use instead:
```dockerfile
FROM node:22-slim
RUN npm install -g typescript@5.6.3
```

## Fix
Add `@<version>` to each package, or declare the dependencies in package.json with a
lockfile and run `npm ci`.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`{command}` without a pinned version for {packages}: every build installs the "
           "newest release. Pin with `package@<version>`.")


class NpmUnpinned(Rule):
    code = "DF516"
    name = "npm-unpinned"
    severity = "warning"
    aliases = ("DL3016",)
    keywords = ("RUN",)
    triggers = ("npm",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("npm"):
            words = " ".join([command.basename, *command.subcommands()])
            yield self.report(ctx, command, MESSAGE.format(command=words, packages=unpinned))
