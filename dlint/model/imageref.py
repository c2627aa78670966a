"""Image references as docker's reference grammar (github.com/distribution/reference).

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [domain "/"] path-component ["/" path-component]*
    domain     := host [":" port]        (first component with ".", ":", "localhost",
                                          or an upper-case letter; else docker.io)

`parse_image_ref` never raises: an invalid reference has `valid=False` and `error` set,
with whatever parts could still be recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlint._regex import LazyPattern

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_REPO_PREFIX = "library/"
NAME_TOTAL_LENGTH_MAX = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = _ALNUM + r"(?:" + _SEPARATOR + _ALNUM + r")*"
_PATH_RE = re.compile(_PATH_COMPONENT + r"(?:/" + _PATH_COMPONENT + r")*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = _DOMAIN_COMPONENT + r"(?:\." + _DOMAIN_COMPONENT + r")*"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN_RE = LazyPattern(r"(?:" + _DOMAIN_NAME + "|" + _IPV6 + r")(?::[0-9]+)?")
_TAG_RE = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST_RE = LazyPattern(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_ANCHORED_HEX64 = re.compile(r"[a-f0-9]{64}")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


@dataclass(frozen=True)
class ImageRef:
    """An image reference, parsed and normalised like Docker's reference package."""

    text: str                   # as given (after expansion)
    domain: str = ""            # normalised registry ("docker.io" by default)
    path: str = ""              # repository path ("library/alpine")
    tag: str | None = None
    digest: str | None = None   # "sha256:..."
    valid: bool = True
    error: str | None = None
    explicit_domain: bool = False  # the text named a registry itself

    @property
    def is_scratch(self) -> bool:
        # BuildKit compares the expanded FROM text with "scratch" exactly.
        return self.text == "scratch"

    @property
    def name(self) -> str:
        """Fully qualified repository: "docker.io/library/alpine"."""
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def familiar_name(self) -> str:
        """Repository as docker shows it: "alpine", "user/app", "ghcr.io/o/app"."""
        if self.domain == DEFAULT_DOMAIN:
            if self.path.startswith(OFFICIAL_REPO_PREFIX) and self.path.count("/") == 1:
                return self.path[len(OFFICIAL_REPO_PREFIX):]
            return self.path
        return self.name

    def _suffix(self) -> str:
        s = ""
        if self.tag is not None:
            s += ":" + self.tag
        if self.digest is not None:
            s += "@" + self.digest
        return s

    @property
    def normalized(self) -> str:
        """"docker.io/library/alpine:3.19" (tag/digest as written, none added)."""
        return self.name + self._suffix()

    @property
    def familiar(self) -> str:
        """"alpine:3.19"."""
        return self.familiar_name + self._suffix()

    @property
    def effective_tag(self) -> str | None:
        """The tag docker pulls: the written one, "latest" if neither tag nor digest."""
        if self.tag is not None:
            return self.tag
        return None if self.digest is not None else "latest"


def _split_domain(name: str) -> tuple[str, str, bool]:
    i = name.find("/")
    first = name[:i] if i >= 0 else ""
    if i < 0 or (not any(c in first for c in ".:") and first != "localhost"
                 and first.lower() == first):
        domain, remainder, explicit = DEFAULT_DOMAIN, name, False
    else:
        domain, remainder, explicit = first, name[i + 1:], True
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_REPO_PREFIX + remainder
    return domain, remainder, explicit


def parse_image_ref(text: str) -> ImageRef:
    """Parse and normalise (docker's ParseNormalizedNamed) an image reference."""
    if not text:
        return ImageRef(text, valid=False, error="invalid reference format: empty")
    if _ANCHORED_HEX64.fullmatch(text):
        return ImageRef(text, valid=False,
                        error=f"invalid repository name ({text}), cannot specify 64-byte "
                              "hexadecimal strings")
    rest = text
    digest = None
    at = rest.find("@")
    if at >= 0:
        rest, digest = rest[:at], rest[at + 1:]
    tag = None
    colon = rest.rfind(":")
    # A ":" after the last "/" is a tag separator; before it, a registry port.
    if colon > rest.rfind("/"):
        rest, tag = rest[:colon], rest[colon + 1:]
    domain, path, explicit = _split_domain(rest)
    ref = dict(domain=domain, path=path, tag=tag, digest=digest, explicit_domain=explicit)

    def bad(msg: str) -> ImageRef:
        return ImageRef(text, valid=False, error=msg, **ref)

    if explicit and not _DOMAIN_RE.fullmatch(domain):
        return bad("invalid reference format")
    if not _PATH_RE.fullmatch(path):
        if path.lower() != path and _PATH_RE.fullmatch(path.lower()):
            return bad("invalid reference format: repository name must be lowercase")
        return bad("invalid reference format")
    if len(rest) > NAME_TOTAL_LENGTH_MAX:
        return bad(f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")
    if tag is not None and not _TAG_RE.fullmatch(tag):
        return bad("invalid reference format")
    if digest is not None:
        if not _DIGEST_RE.fullmatch(digest):
            return bad("invalid reference format")
        algorithm, _, hexpart = digest.partition(":")
        want = _DIGEST_LENGTHS.get(algorithm)
        if want is None:
            return bad(f"unsupported digest algorithm: {algorithm}")
        if len(hexpart) != want or hexpart.lower() != hexpart:
            return bad("invalid checksum digest format")
    return ImageRef(text, **ref)
