"""AST -> semantic model: stages, stage graph, ARG/ENV scopes, variable expansion.

    build_model(document, build_args=None) -> Model
    expand(word, env, escape="\\\\", *, windows=False) -> Expansion   (BuildKit ProcessWord)
    parse_image_ref(text) -> ImageRef                               (distribution/reference)
    parse_mount(flag_value) -> dict[str, str]                       (RUN --mount options)
"""

from dlint.model.expand import Expansion, expand, expand_words
from dlint.model.imageref import ImageRef, parse_image_ref
from dlint.model.model import (
    AUTOMATIC_PLATFORM_ARGS,
    DEFAULT_SHELL,
    DEFAULT_WINDOWS_SHELL,
    Dependency,
    Model,
    Stage,
    State,
    build_model,
)
from dlint.model.mount import parse_mount, parse_mount_checked, split_csv_record

# The model keeps the ENV/ARG state in effect at every instruction, which grows with the
# square of the instruction count. Real Dockerfiles stay far below this (the largest of
# the 1,366 in the test corpus has 254 instructions); callers refuse larger files with a
# one-line error instead of modelling them.
MAX_MODELLED_INSTRUCTIONS = 5_000

__all__ = [
    "AUTOMATIC_PLATFORM_ARGS", "DEFAULT_SHELL", "MAX_MODELLED_INSTRUCTIONS", "DEFAULT_WINDOWS_SHELL", "Dependency",
    "Expansion", "ImageRef", "Model", "Stage", "State", "build_model", "expand",
    "expand_words", "parse_image_ref", "parse_mount", "parse_mount_checked",
    "split_csv_record",
]
