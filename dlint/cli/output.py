"""Writing to the terminal without surprises: UTF-8 bytes, one-line errors."""

from __future__ import annotations

import os
import sys


def write(text: str, stream=None) -> None:
    """Write UTF-8 whatever the locale says (a C locale would make print() raise)."""
    stream = stream or sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8", "replace"))
        buffer.flush()
    else:  # captured streams (tests) have no buffer
        stream.write(text)
        stream.flush()


def error(message: str) -> None:
    """One line on stderr: "dlint: error: <message>"."""
    write(f"dlint: error: {' '.join(message.split())}\n", sys.stderr)


def use_color(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
