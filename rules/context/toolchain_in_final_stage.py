"""## What it does
Checks for a final image that installs a build toolchain and compiles in place.

That is an
`apt-get`/`apt install`, `apk add`, `yum`/`dnf`/`microdnf install` of compilers
(`gcc`, `g++`, `clang`, `build-essential`, `build-base`, `alpine-sdk`, `gcc-c++`...), build
tools (`make`, `cmake`, `autoconf`, `pkg-config`...), language SDKs (`golang`, `rust`,
`cargo`, `default-jdk`, `openjdk-*-jdk`, `maven`, `gradle`) or header packages (`*-dev`,
`*-devel`, named among the packages that leave only next to a compiler, build tool or
SDK of the same command: header packages alone are often kept on purpose, as the
docker-library `python` images do), in a stage that ships, followed by a compile step there (`make`, `cmake`,
`gcc`/`cc`/`g++`/`clang`, `./configure`, `go build`/`go install`, `cargo
build`/`cargo install`, `mvn package`, `gradle build`, `python setup.py build`). The
finding names the packages that a build stage would keep out of the image (`git` too
when the same command installs it to fetch sources).

Quiet when the same `RUN` removes packages after installing them (`apt-get purge`,
`apk del .build-deps`, `dnf remove`...): the layer then holds no toolchain; and in
builder stages (read only through `COPY --from`). A toolchain installed without a
compile step is left alone (a CI or development image may need it at run time), as is a
base image that is itself an SDK (`FROM golang`).

## Why is this bad?
Compilers, headers and SDKs are hundreds of megabytes the program does not need to run,
and every one of them is attack surface and CVE noise in scans of the image.

## Example
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
COPY . /src
RUN make -C /src && cp /src/app /usr/local/bin/app
CMD ["app"]
```
Use instead:
```dockerfile
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
COPY . /src
RUN make -C /src

FROM debian:12-slim
COPY --from=build /src/app /usr/local/bin/app
CMD ["app"]
```

## Fix
Move the install and the compile into a build stage (`FROM ... AS build`) and `COPY
--from=build` only what was built; or, in one `RUN`, install, build and remove the
toolchain (`apk add --virtual .build-deps ... && ... && apk del .build-deps`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dlint.api import Finding, Rule

TOOLCHAIN = frozenset({
    "build-essential", "build-base", "alpine-sdk", "gcc", "g++", "gcc-c++", "clang", "llvm",
    "make", "cmake", "ninja-build", "meson", "autoconf", "automake", "libtool", "pkg-config",
    "pkgconf", "pkgconfig", "gfortran", "golang", "golang-go", "go", "rust", "rustc", "cargo",
    "default-jdk", "default-jdk-headless", "maven", "gradle", "nasm", "yasm", "bison", "flex",
})
_VERSIONED = re.compile(r"(gcc|g\+\+|clang|llvm|golang|openjdk)-[\d.]+(-jdk(-headless)?)?\Z|"
                        r"openjdk\d*(-jdk|-devel)?(-headless)?\Z|java-[\d.]+-openjdk-devel\Z")
_VERSION_SUFFIX = re.compile(r"[=<>~].*\Z")
INSTALLS = (("apt-get", "install"), ("apt", "install"), ("aptitude", "install"),
            ("apk", "add"), ("yum", "install"), ("dnf", "install"), ("zypper", "install"))
REMOVES = (("apt-get", {"remove", "purge", "autoremove"}), ("apt", {"remove", "purge", "autoremove"}),
           ("apk", "del"), ("yum", {"remove", "erase", "autoremove"}),
           ("dnf", {"remove", "erase", "autoremove"}), ("zypper", "remove"))
COMPILERS = frozenset({"make", "gmake", "cmake", "ninja", "gcc", "cc", "g++", "c++", "clang",
                       "clang++", "configure"})
BUILDS = (("go", {"build", "install"}), ("cargo", {"build", "install"}),
          ("mvn", {"package", "install", "verify", "compile"}),
          ("gradle", {"build", "assemble", "installDist", "jar"}))
APK_VALUE_OPTIONS = {"--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch"}


def is_toolchain(package: str) -> bool:
    return (package in TOOLCHAIN or package.endswith(("-dev", "-devel"))
            or _VERSIONED.match(package) is not None)


def installed_packages(command) -> list[str]:
    """Literal package names of an install command (versions and options dropped)."""
    takes = APK_VALUE_OPTIONS if command.tool == "apk" else None
    words = command.positional_args(takes)[1:]
    out = []
    for word in words:
        if not word or "$" in word or "/" in word or word.endswith((".rpm", ".deb", ".apk")):
            continue
        out.append(_VERSION_SUFFIX.sub("", word))
    return out


def is_builder(package: str) -> bool:
    """A compiler, build tool or SDK (not only headers)."""
    return package in TOOLCHAIN or _VERSIONED.match(package) is not None


def _installs_toolchain(command) -> bool:
    # Header packages alone do not count: images built for others to build on (the
    # docker-library python images) keep `*-dev` packages as runtime dependencies, and
    # the compiler comes from the base image.
    return (any(command.matches(tool, sub) for tool, sub in INSTALLS)
            and any(is_builder(p) for p in installed_packages(command)))


def _removes(command) -> bool:
    return any(command.matches(tool, sub) for tool, sub in REMOVES)


def _compiles(command) -> bool:
    if command.basename in COMPILERS:
        return True
    if command.basename.startswith("python") and command.args[:2] in (["setup.py", "build"],
                                                                      ["setup.py", "install"]):
        return True
    return any(command.matches(tool, sub) for tool, sub in BUILDS)


class ToolchainInFinalStage(Rule):
    code = "DF306"
    name = "toolchain-in-final-stage"
    severity = "warning"
    keywords = ("RUN",)

    def check(self, ctx) -> Iterator[Finding]:
        compiles = []
        for ins, script in ctx.shipped_run_scripts():
            for command in script.effective_commands:
                if _compiles(command):
                    compiles.append((ins, command))
        if not compiles:
            return
        for ins, script in ctx.shipped_run_scripts():
            for command in script.unfollowed(_installs_toolchain, _removes)[:1]:
                later = [c for i, c in compiles if i.start_line > ins.start_line
                         or (i is ins and (c.line, c.column) > (command.line, command.column))]
                if not later:
                    continue
                packages = installed_packages(command)
                leaving = [p for p in packages if is_toolchain(p) or p == "git"]
                build = later[0]
                shown = " ".join(build.text.split())
                shown = shown if len(shown) <= 40 else shown[:37] + "..."
                yield self.report(ctx, command, (
                    f"the image installs a build toolchain ({', '.join(leaving)}) and compiles in it "
                    f"(line {build.line}: `{shown}`): the toolchain ships. Build in a stage "
                    f"(`FROM ... AS build`) and `COPY --from=build` the result; "
                    f"{', '.join(leaving)} would leave the image"))
