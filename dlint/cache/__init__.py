"""Build-cache analysis: prediction (keys, predict), real builds (engine, verify).

The builders dlint models (`--builder`), named here once for the CLI, the predictor and
the engine. Importing this package imports nothing else.

- ``buildkit``: BuildKit inside Docker Engine with its default (graphdriver) image store.
  There is no MergeOp, so ``COPY --link`` / ``ADD --link`` is a plain copy (E18).
- ``buildkit-container``: BuildKit with MergeOp: a ``docker buildx create --driver
  docker-container`` builder (what docker/setup-buildx-action makes), or Docker Engine with
  the containerd image store. A linked copy is keyed on its own sources only.
- ``classic``: the legacy builder (``DOCKER_BUILDKIT=0``).
"""

BUILDERS = ("buildkit", "buildkit-container", "classic")
BUILDKIT_BUILDERS = frozenset({"buildkit", "buildkit-container"})
# Builders where --link makes a copy independent of the layers below it.
LINKING_BUILDERS = frozenset({"buildkit-container"})
