"""## What it does
Checks for package installs with signature checks turned off. That is:

- apt: `--allow-unauthenticated`, `--force-yes`, `--allow-insecure-repositories`,
  `-o APT::Get::AllowUnauthenticated=true`, `-o Acquire::AllowInsecureRepositories=true`,
  and a repository line with `[trusted=yes]` written into `/etc/apt/sources.list*`;
- apk: `--allow-untrusted`;
- yum/dnf/microdnf/tdnf: `--nogpgcheck`, `--setopt=gpgcheck=0` (also `*.gpgcheck=0`,
  `localpkg_gpgcheck=0`, and through `yum-config-manager`/`dnf config-manager`), and
  `gpgcheck=0` written into a `.repo` file or `yum.conf`/`dnf.conf` (by `echo`/`printf`/
  `cat <<EOF` with `>` or `tee`, or by `sed -i`);
- zypper: `--no-gpg-checks`; rpm: `--nosignature`.

Not reported: installing package files from disk only (`apk add --allow-untrusted
/tmp/packages/*.apk`, `rpm -i --nosignature ./x.rpm`) and a `[trusted=yes]` repository
on the build's own disk (`file:` or `copy:`), the way official images install packages
they just built from verified sources (fixture `good-local-packages.Dockerfile`): what
makes such a file trustworthy is how it got there, which the download rules check.
Every stage is checked (a build stage that installs a tampered package builds tampered
artifacts); Windows stages are not. hadolint has no such rule.

## Why is this bad?
Package signatures are what proves a package comes from the distribution or vendor and
was not changed on a mirror, a proxy or the network. Without the check, whoever controls
any of those decides what gets installed, as root, into the image.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --allow-unauthenticated vendor-tool
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
COPY vendor-archive-keyring.gpg /usr/share/keyrings/
RUN echo "deb [signed-by=/usr/share/keyrings/vendor-archive-keyring.gpg] https://apt.example.com stable main" \\
      > /etc/apt/sources.list.d/vendor.list \\
    && apt-get update && apt-get install -y --no-install-recommends vendor-tool
```

## Fix
Import the repository's signing key (`signed-by=` for apt, `rpm --import` / `gpgkey=` for
yum and dnf, `/etc/apk/keys` for apk) and keep signature checks on.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule, written_files

APT_FLAGS = ("--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories")
APT_OPTIONS = ("apt::get::allowunauthenticated", "acquire::allowinsecurerepositories")
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})
RPM_TOOLS = frozenset({"yum", "dnf", "tdnf", "yum-config-manager"})
PACKAGE_FILES = (".apk", ".rpm", ".deb")
RPM_CONFIG = ("/etc/yum.repos.d/", "/etc/yum.conf", "/etc/dnf/", "/etc/zypp/repos.d/")


class UnsignedPackages(Rule):
    code = "DF902"
    name = "unsigned-packages"
    severity = "warning"
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        for _, cmd in ctx.run_commands(RELEVANT):
            what = _unsigned(cmd)
            if what:
                yield self.report(
                    ctx, cmd,
                    f"{what}: packages are installed without their signatures "
                    f"checked, so a mirror, proxy or network attacker can swap them. "
                    f"Import the repository's signing key instead.")


def _local_files_only(cmd) -> bool:
    """Every package operand is a file on disk (`/tmp/pkgs/x.apk`, `./x.rpm`), none a
    repository package name or a URL."""
    operands = cmd.positional_args()[1:] if cmd.tool != "rpm" else cmd.positional_args()
    return bool(operands) and all(
        "://" not in o and ("/" in o or o.endswith(PACKAGE_FILES)) for o in operands)


def _local_repository(line: str) -> bool:
    """`deb [trusted=yes] file:/tmp/repo ./`: a repository on the build's own disk."""
    for word in line.split():
        if ":" in word and not word.startswith("["):
            return word.startswith(("file:", "copy:"))
    return False


LOCAL_CAPABLE = frozenset({"apk", "yum", "dnf", "tdnf", "zypper", "rpm", "apt-get", "apt"})
RELEVANT = frozenset({"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "tdnf",
                      "yum-config-manager", "zypper", "rpm", "sed", "echo", "printf", "cat"})


def _unsigned(cmd) -> str | None:
    if cmd.basename not in RELEVANT:
        return None
    what = _unsigned_install(cmd)
    if what and cmd.tool in LOCAL_CAPABLE and _local_files_only(cmd):
        return None
    return what


def _unsigned_install(cmd) -> str | None:
    tool = cmd.tool
    if tool in ("apt-get", "apt", "aptitude"):
        for flag in APT_FLAGS:
            if cmd.has_flag(flag):
                return f"`{tool} {flag}`"
        for value in cmd.flag_values("-o", "--option"):
            key, _, val = value.partition("=")
            if key.strip().lower() in APT_OPTIONS and val.strip().strip('"').lower() in TRUE:
                return f"`{tool} -o {value}`"
    elif tool == "apk":
        if cmd.has_flag("--allow-untrusted"):
            return "`apk --allow-untrusted`"
    elif tool in RPM_TOOLS:
        if cmd.has_flag("--nogpgcheck", "--nogpg"):
            return f"`{cmd.basename} --nogpgcheck`"
        for value in cmd.flag_values("--setopt"):
            if _gpgcheck_off(value):
                return f"`{cmd.basename} --setopt={value}`"
    elif tool == "zypper":
        if cmd.has_flag("--no-gpg-checks"):
            return "`zypper --no-gpg-checks`"
    elif tool == "rpm":
        if cmd.has_flag("--nosignature"):
            return "`rpm --nosignature`"
    elif tool == "sed":
        return _sed_gpgcheck(cmd)
    for path, text, _ in written_files(cmd):
        if path.startswith("/etc/apt/sources.list") and any(
                "trusted=yes" in line.replace(" ", "") and not _local_repository(line)
                for line in text.splitlines()):
            return f"A repository marked `[trusted=yes]` in {path}"
        if path.startswith(RPM_CONFIG) and any(_gpgcheck_off(line) for line in text.splitlines()):
            return f"`gpgcheck=0` in {path}"
    return None


def _gpgcheck_off(setting: str) -> bool:
    """`gpgcheck=0`, `*.gpgcheck=0`, `repo.gpgcheck=false`, `localpkg_gpgcheck=0`
    (and `repo_gpgcheck` is left alone: it is about repository metadata)."""
    key, eq, value = setting.strip().partition("=")
    if not eq:
        return False
    key = key.strip().lower().rsplit(".", 1)[-1]
    return key in ("gpgcheck", "localpkg_gpgcheck") and value.strip().lower() in FALSE


def _sed_gpgcheck(cmd) -> str | None:
    """`sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/x.repo`."""
    words = cmd.args
    files = [w for w in words if w.startswith(RPM_CONFIG)]
    if not files or not any(w.startswith("-i") or w == "--in-place" or w.startswith("--in-place=")
                            for w in words):
        return None
    for w in words:
        if w.startswith("s") and len(w) > 2:
            parts = w[2:].split(w[1])
            if len(parts) >= 2 and _gpgcheck_off(parts[1]):
                return f"`gpgcheck=0` written by sed into {files[0]}"
    return None
