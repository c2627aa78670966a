"""Build sections of a compose file: which Dockerfile, context, build args and target.

`dlint check DIR` reads `compose.yaml` (or `compose.yml`, `docker-compose.yml`,
`docker-compose.yaml`, the names and order `docker compose` looks for) at the top of DIR
and lints the Dockerfiles its services build with their context and args. PyYAML is
imported only here, only when such a file exists.
"""

from __future__ import annotations

import os

from dlint._record import Record

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


class ComposeError(Exception):
    """A compose file that cannot be used: one line for the user."""


class ComposeBuild(Record):
    _fields = ("service", "dockerfile", "context", "args", "target", "compose_file")

    def __init__(self, service: str, dockerfile: str, context: str, args: dict[str, str],
                 target: str | None, compose_file: str):
        self.service = service
        self.dockerfile = dockerfile          # absolute path
        self.context = context                # absolute path
        self.args = args                      # build args with a value given in the file
        self.target = target
        self.compose_file = compose_file


def find_compose_file(directory: str) -> str | None:
    for name in COMPOSE_NAMES:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def read_compose(path: str) -> list[ComposeBuild]:
    """The services with a local `build:` (context folder and Dockerfile on disk), in file
    order. Contexts given as URLs, `dockerfile_inline` and values holding `${...}` (compose
    interpolates them from the environment) are left out."""
    try:
        import yaml
    except ImportError:
        raise ComposeError(f"{path}: reading compose files needs PyYAML (pip install pyyaml)") from None
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_loader(yaml))
    except OSError as exc:
        raise ComposeError(f"{path}: cannot read: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ComposeError(f"{path}: invalid YAML: {first}") from None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    base = os.path.dirname(os.path.abspath(path))
    builds = []
    for name, service in services.items():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            continue
        context = build.get("context", ".")
        if not isinstance(context, str) or "$" in context or "://" in context or context.startswith("git@"):
            continue
        context_dir = os.path.normpath(os.path.join(base, context))
        dockerfile = build.get("dockerfile", "Dockerfile")
        if not isinstance(dockerfile, str) or "$" in dockerfile or "dockerfile_inline" in build:
            continue
        dockerfile_path = os.path.normpath(os.path.join(context_dir, dockerfile))
        if not os.path.isdir(context_dir) or not os.path.isfile(dockerfile_path):
            continue
        target = build.get("target")
        builds.append(ComposeBuild(str(name), dockerfile_path, context_dir, _args(build.get("args")),
                                   target if isinstance(target, str) else None, path))
    return builds


def _loader(yaml):
    """yaml.SafeLoader that also accepts compose's own tags (`!reset`, `!override`) and
    any other local tag, reading the tagged node as if untagged."""

    class ComposeLoader(yaml.SafeLoader):
        pass

    def untagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    ComposeLoader.add_multi_constructor("!", untagged)
    return ComposeLoader


def _args(raw) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        items = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list):
        items = []
        for item in raw:
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                items.append((key, value))
    else:
        return out
    for key, value in items:
        if value is None or isinstance(value, (dict, list)):
            continue  # no value: compose takes it from the environment
        if isinstance(value, bool):
            value = "true" if value else "false"
        value = str(value)
        if "$" not in value:
            out[key] = value
    return out
