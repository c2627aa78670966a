"""## What it does
Checks for `apk add` of packages without a version.

Pinned: `pkg=1.2.3-r0`, the fuzzy forms `pkg~1.2`, `pkg=~1.2` and `pkg~=1.2` (any 1.2.x),
and an upper bound (`pkg<2`); the version may come from a variable (`curl=${CURL_VERSION}`).
Not pinned: no version, `>`/`>=` alone (apk takes the newest), and `pkg@edge` (a
repository tag, not a version). `.apk` files and paths are not reported, nor is a word
whose value dlint cannot know. `--virtual`/`-t` names are not packages. Wrappers and
`sh -c` strings are looked through; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3018): an upper bound (`pkg<2`) counts as a pin, as
`~` does for both (fixture good-fuzzy-and-bounds.Dockerfile); a variable with a known
ARG/ENV value is read, an unknown one is not reported (hadolint reports every `$VAR`,
fixture good-variables.Dockerfile); `>=` alone is reported (hadolint counts any `=`);
`sudo apk add` is checked (fixture bad-multistage.Dockerfile).

## Why is this bad?
Without a version, each build installs whatever the repository holds that day, so two
builds of the same Dockerfile can differ. Alpine keeps only the newest build of a package
in a branch: a fuzzy pin (`~1.2`) survives the `-r1` rebuilds that an exact pin does not.

## Example
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl~8.9
```

## Fix
Add a version to each package: `curl=8.9.1-r0`, or `curl~8.9` to follow security rebuilds.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`apk add` without a version for {packages}: every build installs the newest "
           "version the repository holds. Pin with `package=<version>` or `package~<version>`.")


class ApkUnpinned(Rule):
    code = "DF514"
    name = "apk-unpinned"
    severity = "warning"
    aliases = ("DL3018",)
    keywords = ("RUN",)
    triggers = ("apk",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("apk"):
            yield self.report(ctx, command, MESSAGE.format(packages=unpinned))
