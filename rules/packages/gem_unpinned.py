"""## What it does
Checks for `gem install` of gems without a version.

Pinned: `gem:version` (`rails:7.1.3`), or `-v`/`--version` (gem applies it to the gem
named, and refuses it with several gems), ranges included (`-v '~> 7.1'`); the version
may come from a variable. `.gem` files and paths are not reported, nor is an install from
a Gemfile (`-g`/`--file`) or a word whose value dlint cannot know. Wrappers and `sh -c`
strings are looked through; every stage is checked; Windows stages are not.

Where dlint differs from hadolint (DL3028): `.gem` files and `-v${VERSION}` are not
reported; `gem install -N rails` and `gem install --no-document rails` are (hadolint
misses a gem named after such an option). Fixtures: good-files-and-variables.Dockerfile,
bad-options.Dockerfile.

## Why is this bad?
Without a version, each build installs the newest release of the gem that day, so two
builds of the same Dockerfile can differ.

## Example
```dockerfile
FROM ruby:3.3-slim
RUN gem install bundler
```
Use instead:
```dockerfile
FROM ruby:3.3-slim
RUN gem install bundler:2.5.16
```

## Fix
Add `:<version>` to each gem, or `-v <version>` when installing one gem.
"""
from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

MESSAGE = ("`gem install` without a version for {packages}: every build installs the newest "
           "release. Pin with `gem:<version>` or `-v <version>`.")


class GemUnpinned(Rule):
    code = "DF517"
    name = "gem-unpinned"
    severity = "warning"
    aliases = ("DL3028",)
    keywords = ("RUN",)
    triggers = ("gem",)

    def check(self, ctx) -> Iterator[Finding]:
        for command, unpinned in ctx.unpinned_installs("gem"):
            yield self.report(ctx, command, MESSAGE.format(packages=unpinned))
