"""## What it does
Checks for TLS certificate verification turned off, in a RUN or through ENV/ARG. That is:

- `curl -k`/`--insecure`; `wget --no-check-certificate`;
- `pip --trusted-host HOST` (any pip command), `pip config set global.trusted-host`;
- `git -c http.sslVerify=false`, `git config http.sslVerify false`;
- `npm`/`yarn`/`pnpm config set strict-ssl false`, `npm --strict-ssl=false`;
- `apt-get -o Acquire::https::Verify-Peer=false` (or `Verify-Host`);
- the variables `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`,
  `GIT_SSL_NO_VERIFY` (any value: git only checks that it is set), `PIP_TRUSTED_HOST`,
  `NPM_CONFIG_STRICT_SSL=false`, set by ENV, by an ARG with that default (a stage ARG,
  or a stage `ARG NAME` taking the global ARG's default: RUN sees it as an environment
  variable), on a command (`VAR=0 npm ci`, `env VAR=0`) or
  by `export`.

Values are expanded with the ARG and ENV values in effect, so `ENV
NODE_TLS_REJECT_UNAUTHORIZED=${TLS}` with `ARG TLS=0` is reported. Every stage is checked
(a build stage that downloads over unverified TLS can build tampered artifacts). RUN
scripts of Windows stages are not read; their ENV and ARG are checked.

`PYTHONHTTPSVERIFY=0` only has an effect on Pythons that implement PEP 493 (RHEL,
CentOS, Fedora builds); upstream CPython ignores it, but setting it states the intent and
breaks the day the base image changes. hadolint has no such rule; Trivy and Checkov flag
some of these patterns in Dockerfiles.

## Why is this bad?
Without certificate verification, anyone on the network path of the build (a proxy, a
compromised Wi-Fi, a DNS hijack) can serve their own packages or scripts, and they run
as root in the build. An ENV setting also stays in the image, so the application
accepts any certificate at run time too.

## Example
```dockerfile
FROM node:20-slim
ENV NODE_TLS_REJECT_UNAUTHORIZED=0
RUN curl -k -fsSLo /tmp/tool.tgz https://example.com/tool.tgz
```
Use instead:
```dockerfile
FROM node:20-slim
COPY corp-root-ca.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corp-root-ca.crt
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz
```

## Fix
Keep verification on. If a proxy or private registry uses its own CA, add that CA to
the trust store (`update-ca-certificates`, `NODE_EXTRA_CA_CERTS`, `pip --cert`,
`git -c http.sslCAInfo=...`, `npm config set cafile ...`) instead of turning checks off.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, parse_options

FALSE = frozenset({"false", "0", "no", "off"})
VARIABLES = frozenset({"NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY", "GIT_SSL_NO_VERIFY",
                       "PIP_TRUSTED_HOST", "NPM_CONFIG_STRICT_SSL"})
APT_VERIFY = ("acquire::https::verify-peer", "acquire::https::verify-host")


def _variable_disables(name: str, value: str | None) -> bool:
    """Whether setting `name` to `value` turns verification off (value None: unset)."""
    if value is None:
        return False
    upper = name.upper()
    if upper in ("NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY"):
        return value.strip() == "0"
    if upper == "GIT_SSL_NO_VERIFY":
        return True
    if upper == "PIP_TRUSTED_HOST":
        return bool(value.strip())
    if upper == "NPM_CONFIG_STRICT_SSL":
        return value.strip().lower() in FALSE
    return False


class TlsVerificationDisabled(Rule):
    code = "DF901"
    name = "tls-verification-disabled"
    severity = "warning"
    keywords = ("RUN", "ENV", "ARG")

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword == "ENV":
                    for name in _env_names(model, ins):
                        yield self.report(
                            ctx, ins,
                            f"`ENV {name}` turns TLS certificate checks off for every later "
                            f"build step and for the running container. Add the CA you need "
                            f"to the trust store instead.")
                elif ins.keyword == "ARG":
                    for name in _arg_names(model, ins):
                        yield self.report(
                            ctx, ins,
                            f"`ARG {name}` turns TLS certificate checks off for the RUN "
                            f"steps of this stage. Add the CA you need to the trust store "
                            f"instead.")
        for ins, cmd in ctx.run_commands(COMMANDS):
            what = _command_disables(cmd, model.state_at(ins))
            if what:
                yield self.report(
                    ctx, cmd,
                    f"{what} turns TLS certificate checks off: anyone on the network "
                    f"path can replace what is downloaded. Add the CA you need to the "
                    f"trust store instead.")


def _env_names(model, ins) -> list[str]:
    state = model.state_at(ins)
    values = ins.value
    out = []
    for i in range(0, len(values) - 1, 2):
        name = values[i]
        if name.upper() not in VARIABLES:
            continue
        value = state.expand(values[i + 1])
        if not value.unresolved and _variable_disables(name, value.value):
            out.append(f"{name}={value.value}")
    return out


def _arg_names(model, ins) -> list[str]:
    if model.stage_of(ins) is None:
        return []                 # a global ARG is not in the environment of any RUN
    after = None
    out = []
    for word in ins.value:
        name, eq, default = word.partition("=")
        if name.upper() not in VARIABLES:
            continue
        if not eq:
            # `ARG NAME` in a stage takes the value of the global `ARG NAME=...`
            inherited = model.global_args.get(name)
            if inherited is not None and _variable_disables(name, inherited):
                out.append(f"{name}={inherited}")
            continue
        if after is None:
            after = model.state_at(ins)
        value = after.expand(default)
        if not value.unresolved and _variable_disables(name, value.value):
            out.append(f"{name}={value.value}")
    return out


# "=": commands with NAME=value assignments (see LintContext.run_commands)
COMMANDS = ("=", "export", "curl", "wget", "git", "npm", "yarn", "pnpm", "apt-get", "apt",
            "pip", "pip3", "python", "python3",
            *(f"{name}3.{minor}" for name in ("pip", "python") for minor in range(6, 16)))


def _command_disables(cmd, state) -> str | None:
    for a in cmd.assignments:
        value = state.expand(a.value) if not a.literal else None
        text = a.value if a.literal else (None if value.unresolved else value.value)
        if _variable_disables(a.name, text):
            return f"`{a.name}={text}`"
    tool = cmd.tool
    args = cmd.args
    if tool == "export":
        for word in args:
            name, eq, value = word.partition("=")
            if eq and _variable_disables(name, value):
                return f"`export {word}`"
        return None
    if tool == "curl":
        options, _ = parse_options("curl", args)
        if any(n in ("-k", "--insecure") for n, _ in options):
            return "`curl -k`/`--insecure`"
    elif tool == "wget":
        if any(a == "--no-check-certificate" or a.startswith("--check-certificate=")
               and a.split("=", 1)[1].lower() in ("off", "quiet", "no", "0") for a in args):
            return "`wget --no-check-certificate`"
    elif tool == "pip":
        if cmd.has_flag("--trusted-host"):
            return "`pip --trusted-host`"
        words = cmd.positional_args()
        if words[:2] == ["config", "set"] and len(words) > 2 and \
                words[2].endswith(".trusted-host"):
            return f"`pip config set {words[2]}`"
    elif tool == "git":
        return _git_disables(args)
    elif tool in ("npm", "yarn", "pnpm"):
        return _npm_disables(tool, cmd)
    elif tool in ("apt-get", "apt"):
        for value in cmd.flag_values("-o", "--option"):
            key, _, val = value.partition("=")
            if key.strip().lower() in APT_VERIFY and val.strip().strip('"').lower() in FALSE:
                return f"`{tool} -o {value}`"
    return None


def _git_disables(args: list[str]) -> str | None:
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-c" and i + 1 < len(args):
            key, _, value = args[i + 1].partition("=")
            if _ssl_verify_key(key) and value.strip().lower() in FALSE:
                return f"`git -c {args[i + 1]}`"
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if a == "config":
            words = [w for w in args[i + 1:] if not w.startswith("-")]
            if len(words) >= 2 and _ssl_verify_key(words[0]) and words[1].lower() in FALSE:
                return f"`git config {words[0]} {words[1]}`"
        return None
    return None


def _ssl_verify_key(key: str) -> bool:
    key = key.strip().lower()
    return key.startswith("http.") and key.endswith(".sslverify")


def _npm_disables(tool: str, cmd) -> str | None:
    for a in cmd.tool_args:
        if a in ("--strict-ssl=false", "--no-strict-ssl"):
            return f"`{tool} {a}`"
    words = [w for w in cmd.tool_args if not w.startswith("-")]
    if words[:2] == ["config", "set"]:
        words = words[2:]
    elif words[:1] == ["set"]:
        words = words[1:]
    else:
        return None
    if words and words[0].lower().startswith("strict-ssl"):
        key, eq, value = words[0].partition("=")
        if not eq:
            value = words[1] if len(words) > 1 else ""
        if key.lower() == "strict-ssl" and value.lower() in FALSE:
            return f"`{tool} config set strict-ssl {value}`"
    return None
