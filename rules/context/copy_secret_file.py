"""## What it does
Checks for secret-looking files that a `COPY`/`ADD` from the build context bakes in.

They are `.env` files (not `.env.example`, `.sample`, `.template`, `.dist`), SSH private
keys (`id_rsa`, `id_ecdsa`, `id_ed25519`, `id_dsa`), `*.pem` and `*.key` files that hold a
private key (their first 64 kB are read: a public certificate or a GPG public key is
fine), PKCS#12 key stores (`*.p12`, `*.pfx`), and credentials files (`credentials`,
`credentials.json`, `.git-credentials`, `.netrc`, `.pgpass`).

Only stages that ship are checked (the final stage and its bases; a builder stage read
through `COPY --from` is left out). Files inside the folders copy-unignored-clutter
(DF303) reports (`node_modules`, `.git`, virtualenvs) are left to that rule: packages
there carry test keys. The context is found as for DF303; stdin has none, and the rule
is then silent.

## Why is this bad?
Anything copied into a layer stays in the image for everyone who can pull it, even if a
later step deletes it: `docker history` and the layer tarballs keep it.

## Example
```dockerfile
# the folder holds app.py and .env (API keys), and no .dockerignore
FROM python:3.12-slim
COPY . /app
```
Use instead:
```dockerfile
# .dockerignore:
#   .env
FROM python:3.12-slim
COPY . /app
```

## Fix
Keep the file out with `.dockerignore`, and give the secret to the container at run time
(environment, mounted file) or to one build step with `RUN --mount=type=secret`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule

KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
CREDENTIAL_NAMES = frozenset({"credentials", "credentials.json", ".git-credentials", ".netrc",
                              ".pgpass"})
ENV_HARMLESS = ("example", "sample", "template", "dist", "tpl", "defaults", "default")
STORE_SUFFIXES = (".p12", ".pfx")
KEY_SUFFIXES = (".pem", ".key")
SHOWN = 4


def secret_kind(name: str, read) -> str | None:
    """Why a file name looks secret, or None. `read()` gives the head of the file."""
    low = name.lower()
    if low == ".env" or (low.startswith(".env.") and low.rsplit(".", 1)[1] not in ENV_HARMLESS):
        return "environment file"
    if name in KEY_NAMES:
        return "SSH private key"
    if low in CREDENTIAL_NAMES:
        return "credentials"
    if low.endswith(STORE_SUFFIXES):
        return "key store"
    if low.endswith(KEY_SUFFIXES):
        head = read()
        if b"PRIVATE KEY" in head:
            return "private key"
    return None


class CopySecretFile(Rule):
    code = "DF304"
    name = "copy-secret-file"
    severity = "error"
    keywords = ("COPY", "ADD")

    def check(self, ctx) -> Iterator[Finding]:
        context = ctx.build_context
        for group in ctx.context_sources_by_copy(shipped_only=True):
            found: dict[str, str] = {}
            for source in group:
                paths = context.match(source.path) if source.wildcard else [source.path]
                for root in paths:
                    if not context.visible(root):
                        continue
                    for path in context.tally(root).plain_files:
                        if path in found:
                            continue
                        kind = secret_kind(path.rpartition("/")[2], lambda p=path: context.head(p))
                        if kind is not None:
                            found[path] = kind
            if found:
                ins = group[0].instruction
                names = sorted(found)
                shown = ", ".join(f"{p} ({found[p]})" for p in names[:SHOWN])
                more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
                words = " ".join(s.word for s in group)
                yield self.report(ctx, ins, (
                    f"`{ins.keyword} {words}` bakes secret-looking files into the image: "
                    f"{shown}{more}. Keep them out with .dockerignore and pass secrets at run "
                    f"time or with `RUN --mount=type=secret`"))
