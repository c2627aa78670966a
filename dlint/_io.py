"""Reading input files without ever blocking on one that is not a regular file."""

from __future__ import annotations

import os
import stat


class NotRegularFile(OSError):
    """A path that is not a regular file (FIFO, socket, device): never read, since
    reading a FIFO blocks until a writer comes and a device may never end."""


_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISDIR, "a directory"))


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "a special file")
        raise NotRegularFile(f"not a regular file ({kind}): skipped")


def read_source(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file. Anything else raises NotRegularFile without blocking:
    the file is opened non-blocking (a FIFO without a writer then opens at once) and
    checked with fstat before a byte is read, so a path swapped after a stat cannot hang
    the run either."""
    _check_regular(os.stat(path).st_mode)        # a socket cannot even be opened
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _check_regular(os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            return fh.read()
    finally:
        if fd >= 0:
            os.close(fd)
