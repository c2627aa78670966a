"""## What it does
Checks for `go install`, `go run` and `go get` of a remote module at a version that moves.

Reported: `@latest`, `@upgrade`, `@patch` and branch names (`@master`, `@main`, `@HEAD`),
and `go get path` without a version (it resolves the newest one). Pinned: `@v1.2.3`, a
pseudo-version or commit; the version may come from a variable (`@${LINT_VERSION}`).
Local and standard-library packages (`./...`, `.`, `cmd/foo`, `main.go`) are not
reported. Wrappers and `sh -c` strings are looked through; every stage is checked;
Windows stages are not.

Where dlint differs from hadolint (DL3062): `go install path` and `go run path` without
`@version` are not reported: Go builds the version the current module's go.mod requires
(and, outside a module, refuses to run), so nothing floats. `@master` and other branch
names are reported (hadolint counts any `@` as a pin); local files and packages
(`go run main.go`, `go install cmd/tool`) are not. Fixtures:
good-module-versions.Dockerfile, bad-branches.Dockerfile, good-local.Dockerfile.

## Why is this bad?
`@latest` builds whatever was tagged last, and a branch whatever was pushed last: two
builds of the same Dockerfile get different tools.

## Example
```dockerfile
FROM golang:1.23
RUN go install golang.org/x/tools/gopls@latest
```
Use instead:
```dockerfile
FROM golang:1.23
RUN go install golang.org/x/tools/gopls@v0.16.2
```

## Fix
Replace `@latest` (or the branch) with a release tag, e.g. `@v0.16.2`.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`go {sub}` of {packages}{without}: every build gets whatever was published last. "
           "Pin with `path@v<version>`.")


class GoInstallUnpinned(Rule):
    code = "DF525"
    name = "go-install-unpinned"
    severity = "warning"
    aliases = ("DL3062",)
    keywords = ("RUN",)
    triggers = ("go",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("go"):
            sub = command.subcommands()[0]
            without = " without a version" if sub == "get" else ""
            yield self.report(ctx, command, MESSAGE.format(sub=sub, packages=unpinned,
                                                           without=without))
