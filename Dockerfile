# dlint in a container:  docker run --rm -v "$PWD:/src" dlint check
#
# scripts/build-image builds it without a registry and without network (README, "Container
# image"): PYTHON_IMAGE is then a Python base image made locally, and the `wheels` stage is
# replaced by wheels built on the host (`--build-context wheels=DIR`). A plain
# `docker build .` on a machine with a registry and PyPI builds the wheels in `wheel-build`.
# BuildKit only (RUN --mount).
#
# Pin the base by digest where a registry serves it:
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest> .
# The default stays a tag: scripts/build-image's local base image has no registry digest.
# dlint: global ignore=digest-pin

# PYTHON_IMAGE is the one place the base is named: every stage starts from `python`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS python

FROM python AS wheel-build
WORKDIR /build
COPY pyproject.toml README.md ./
COPY dlint dlint
COPY rules rules
RUN python3 -m pip wheel --no-cache-dir --wheel-dir /wheels .

# wheels holds the wheels of dlint and of every dependency, at its root.
FROM scratch AS wheels
COPY --from=wheel-build /wheels /

# `dlint rules` fills dlint's rule index cache, which each run of the image then reads.
# venv holds dlint and nothing else: pip and setuptools leave once they have installed it.
FROM python AS venv
RUN --mount=type=bind,from=wheels,target=/wheels \
    python3 -m venv /opt/dlint \
    && /opt/dlint/bin/pip install --no-cache-dir --no-index --find-links=/wheels /wheels/dlint_docker-*.whl \
    && /opt/dlint/bin/pip uninstall --yes --quiet pip setuptools \
    && XDG_CACHE_HOME=/opt/dlint/cache /opt/dlint/bin/dlint rules >/dev/null

FROM python
COPY --from=venv /opt/dlint /opt/dlint
ENV PATH=/opt/dlint/bin:$PATH XDG_CACHE_HOME=/opt/dlint/cache
# Any non-root uid works; `docker run -u "$(id -u):$(id -g)"` lets `--fix` write your files.
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["dlint"]
CMD ["check"]
