"""Platforms (`linux/arm64/v8`) as containerd's platforms.Parse reads them, and the
platform of the few image references whose platform is known without pulling them.

    parse_platform("x86_64")          -> Platform("linux", "amd64", "")
    parse_platform("linux/aarch64")   -> Platform("linux", "arm64", "")
    image_platform(parse_image_ref("arm64v8/alpine")) -> Platform("linux", "arm64", "v8")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlint.model.imageref import ImageRef

_SPECIFIER = re.compile(r"^[A-Za-z0-9_.-]+$")
_KNOWN_OS = frozenset({
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
    "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
})
_KNOWN_ARCH = frozenset({
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips",
    "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
    "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
})


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text


def _normalize_os(os_: str) -> str:
    os_ = os_.lower()
    return "darwin" if os_ == "macos" else os_


def _normalize_arch(arch: str, variant: str) -> tuple[str, str]:
    arch, variant = arch.lower(), variant.lower()
    if arch in ("i386",):
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", "" if variant in ("8", "v8", "v8.0") else variant
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        if variant in ("", "7"):
            return "arm", "v7"
        if variant in ("5", "6", "8"):
            return "arm", "v" + variant
    return arch, variant


def parse_platform(text: str, default_os: str = "linux") -> Platform | None:
    """containerd's platforms.Parse, normalised; None when it would fail. A bare
    architecture gets `default_os` (the builder's OS), a bare OS the amd64 architecture."""
    parts = text.split("/")
    if not text or len(parts) > 3 or not all(_SPECIFIER.match(p) for p in parts):
        return None
    if len(parts) == 1:
        word = parts[0].lower()
        if word in _KNOWN_OS or word == "macos":
            return Platform(_normalize_os(word), "amd64")
        arch, variant = _normalize_arch(word, "")
        if arch in _KNOWN_ARCH:
            return Platform(default_os, arch, variant)
        return None
    os_ = _normalize_os(parts[0])
    arch, variant = _normalize_arch(parts[1], parts[2] if len(parts) == 3 else "")
    if len(parts) == 3 and arch == "arm64" and variant == "":
        return Platform(os_, arch)
    return Platform(os_, arch, variant)


# Docker Hub's per-architecture namespaces (github.com/docker-library/official-images:
# "Architectures other than amd64?"): each holds single-platform images.
_ARCH_NAMESPACES = {
    "amd64": Platform("linux", "amd64"),
    "arm32v5": Platform("linux", "arm", "v5"),
    "arm32v6": Platform("linux", "arm", "v6"),
    "arm32v7": Platform("linux", "arm", "v7"),
    "arm64v8": Platform("linux", "arm64"),
    "i386": Platform("linux", "386"),
    "mips64le": Platform("linux", "mips64le"),
    "ppc64le": Platform("linux", "ppc64le"),
    "riscv64": Platform("linux", "riscv64"),
    "s390x": Platform("linux", "s390x"),
    "winamd64": Platform("windows", "amd64"),
}
# Microsoft's Windows base images: Windows only (the architecture varies).
_WINDOWS_REPOS = ("windows/servercore", "windows/nanoserver", "windows/server", "windows")


def image_platform(image: ImageRef | None) -> Platform | None:
    """The platform an image reference can only resolve to, when its name says so:
    Docker Hub's per-architecture namespaces (`arm64v8/alpine`) and Microsoft's Windows
    base images (OS only: the architecture is "" then). None for everything else."""
    if image is None or not image.valid:
        return None
    if image.domain == "docker.io":
        namespace, sep, _ = image.path.partition("/")
        if sep and namespace in _ARCH_NAMESPACES:
            return _ARCH_NAMESPACES[namespace]
        return None
    if image.domain == "mcr.microsoft.com" and image.path in _WINDOWS_REPOS:
        return Platform("windows", "")
    return None
