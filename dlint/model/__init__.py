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

__all__ = [
    "AUTOMATIC_PLATFORM_ARGS", "DEFAULT_SHELL", "DEFAULT_WINDOWS_SHELL", "Dependency",
    "Expansion", "ImageRef", "Model", "Stage", "State", "build_model", "expand",
    "expand_words", "parse_image_ref", "parse_mount", "parse_mount_checked",
    "split_csv_record",
]
