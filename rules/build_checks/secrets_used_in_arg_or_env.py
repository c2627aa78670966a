"""## What it does
Checks for `ARG` and `ENV` names that say they hold a secret (`DB_PASSWORD`, `NPM_TOKEN`).
Passwords, tokens, API keys, credentials and secrets count.

Docker build check `SecretsUsedInArgOrEnv`; hadolint DL3064. A name is sensitive when one
of its `_`-separated words is `apikey`, `auth`, `credential(s)`, `key`, `password`,
`pword`, `passwd`, `secret` or `token`, and none is `public`, `file` or `version`
(BuildKit's patterns, case-insensitive). Global `ARG`s (before the first `FROM`) are not
checked: they only feed `FROM` lines and never reach a layer or the image config.

Differs from BuildKit (right before many):
- a word that ends in `password`, `passwd`, `secret` or `token` counts too
  (`PGPASSWORD`, `OAUTH_CLIENTSECRET`: real secrets BuildKit misses);
- `gpg` among the words makes the name quiet: `GPG_KEY` in the official images is the
  fingerprint of a public signing key (29 of the 82 corpus matches of BuildKit's pattern);
- a value that cannot be a secret makes it quiet: an empty `ENV` value, `true`/`false`/
  `yes`/`no`/`0`/`1`, or an absolute path (`GOOGLE_APPLICATION_CREDENTIALS=/run/creds.json`
  names a file). An `ARG` without a default is always reported: that is how a secret
  gets passed in with `--build-arg`.

Differs from hadolint: DL3064 matches a fixed list of 48 names, some of them not secret
(`TRAVIS_OS_NAME`, `DOCKER_EMAIL`, `FACEBOOK_APP_ID`), and the substrings `username`,
`private` and `token` anywhere (`TOKENIZERS_PARALLELISM`); dlint does neither.

## Why is this bad?
`ENV` values are stored in the image config, visible to anyone who can pull the image
(`docker inspect`), and `ARG` values end up in the build history of every layer whose
`RUN` uses them (`docker history`). Deleting the variable later does not remove them.

## Example
```dockerfile
FROM node:20-slim
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
```
Use instead:
```dockerfile
FROM node:20-slim
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
```

## Fix
Pass secrets with a secret mount (`RUN --mount=type=secret,id=...` and
`docker build --secret id=...`), or at run time (`docker run -e`, an orchestrator's
secrets), never through `ARG` or `ENV`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, LazyPattern, Rule

DENY = LazyPattern(r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)")
ALLOW = LazyPattern(r"(?i)(?:_|^)(?:public|file|version)(?:_|$)")
# dlint's additions (see the docs)
DENY_SUFFIX = LazyPattern(r"(?i)[a-z0-9](?:password|passwd|secret|token)(?:_|$)")
ALLOW_DLINT = LazyPattern(r"(?i)(?:_|^)gpg(?:_|$)")
HARMLESS_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1"})


def sensitive_name(key: str) -> bool:
    return bool((DENY.search(key) or DENY_SUFFIX.search(key))
                and not ALLOW.search(key) and not ALLOW_DLINT.search(key))


def harmless_value(value: str | None, keyword: str) -> bool:
    if value is None:
        return False  # ARG without default: the secret comes with --build-arg
    text = value.strip()
    if not text:
        return keyword == "ENV"
    return text.lower() in HARMLESS_VALUES or (text.startswith("/") and "$" not in text)


class SecretsUsedInArgOrEnv(Rule):
    code = "DF815"
    name = "secrets-used-in-arg-or-env"
    severity = "warning"
    aliases = ("SecretsUsedInArgOrEnv", "DL3064")
    keywords = ("ARG", "ENV")
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword == "ENV":
                    pairs = [(ins.value[i], ins.value[i + 1]) for i in range(0, len(ins.value) - 1, 2)]
                elif ins.keyword == "ARG":
                    pairs = []
                    for word in ins.value:
                        key, sep, default = word.partition("=")
                        pairs.append((key, default if sep else None))
                else:
                    continue
                state = model.state_at(ins)
                for raw_key, raw_value in pairs:
                    key = state.expand(raw_key).value
                    if not sensitive_name(key):
                        continue
                    value = None if raw_value is None else state.expand(raw_value, keep_unknown=True).value
                    if harmless_value(value, ins.keyword):
                        continue
                    yield self.report(ctx, ins, f'Do not use ARG or ENV instructions for sensitive data '
                                                f'({ins.keyword} "{key}")')
