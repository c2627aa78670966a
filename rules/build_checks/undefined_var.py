"""## What it does
Checks for variables that no earlier `ARG` or `ENV` of the stage declares. Checked: `ENV`,
`LABEL`, `COPY`, `ADD`, `WORKDIR`, `USER`, `VOLUME`, `STOPSIGNAL`, `RUN --mount` options
and `ARG` defaults; declarations in a stage this one is built `FROM` count.

Docker build check `UndefinedVar`. As in BuildKit, `RUN`, `CMD`, `ENTRYPOINT` and
`HEALTHCHECK` command text is never checked (the shell expands it at run time), text in
single quotes is not expanded, every form (`${X:-default}` too) counts as a use, and a
global `ARG` (before the first `FROM`) is not visible in a stage that does not declare it
again with `ARG X`.

Differs from BuildKit: BuildKit also knows the `ENV` of the base image, which a linter
cannot see without pulling it. So that a variable coming from the base image
(`$PYTHON_VERSION` on `python`, `$GOPATH` on `golang`) is never reported, dlint reports an
undeclared variable only when it cannot come from there:
- in stages built on `scratch` (whose config only has `PATH`);
- when it is a global `ARG` the stage did not declare again, unless it is a
  `<TOOL>_VERSION` picking the tag of an image named after the tool
  (`FROM python:${PYTHON_VERSION}`): the official images set that ENV themselves;
- when it is one of BuildKit's platform args (`TARGETARCH`, ...), which only an `ARG`
  line brings into a stage.

A near-miss of a declared name is not enough on another base: on the corpus, `$GOPATH`
(from `golang`) came out as a misspelt `$PATH`. `PATH` is always defined on Linux.

## Why is this bad?
An undeclared variable expands to the empty string: `COPY app-${VERSION}.jar /app/`
looks for `app-.jar`, `ENV PATH=$PAHT:/opt/bin` throws the system path away. The classic
case is a global `ARG` used in a stage without declaring it again there.

## Example
```dockerfile
ARG VERSION=1.4.2
FROM eclipse-temurin:21-jre
COPY target/app-${VERSION}.jar /app/app.jar
```
Use instead:
```dockerfile
ARG VERSION=1.4.2
FROM eclipse-temurin:21-jre
ARG VERSION
COPY target/app-${VERSION}.jar /app/app.jar
```

## Fix
Declare the variable in the stage (`ARG NAME`, which takes the global default), or
correct its spelling.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import AUTOMATIC_PLATFORM_ARGS, Finding, Rule

# A global `ARG PYTHON_VERSION` used in `FROM python:${PYTHON_VERSION}` shares its name with
# the ENV the official image sets: then BuildKit finds it in the image config.
_VERSION_SUFFIXES = ("_VERSION", "_MAJOR")
_IMAGE_ALIASES = {"java": ("jdk", "jre", "temurin", "corretto", "zulu", "java"), "pg": ("postgres",),
                  "go": ("golang",), "otp": ("erlang", "elixir"), "jdk": ("jdk", "temurin")}


def _image_may_set(name: str, root) -> bool:
    """Whether the root stage's base image may set ENV `name` itself: a `<TOOL>_VERSION`
    global ARG that picks the tag of an image named after the tool."""
    if name not in root.base_expansion.names or root.base is None:
        return False
    prefix = next((name[: -len(s)] for s in _VERSION_SUFFIXES if name.endswith(s)), None)
    if not prefix:
        return False
    path = root.base.path.lower()
    tool = prefix.lower().replace("_", "")
    return tool in path or any(alias in path for alias in _IMAGE_ALIASES.get(tool, ()))


KEYWORDS = ("ENV", "LABEL", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "STOPSIGNAL", "RUN", "ARG")


class UndefinedVar(Rule):
    code = "DF810"
    name = "undefined-var"
    severity = "warning"
    aliases = ("UndefinedVar",)
    keywords = KEYWORDS
    build_check = True

    def check(self, ctx) -> Iterator[Finding]:
        model = ctx.model
        global_args = model.global_args
        for stage in model.stages:
            root = list(stage.chain())[-1]
            scratch = root.is_scratch
            for ins in stage.instructions:
                if ins.keyword not in KEYWORDS:
                    continue
                for name, suggestion in model.undefined_variables(ins):
                    if not (scratch or name in global_args or name in AUTOMATIC_PLATFORM_ARGS):
                        continue  # may come from the base image's ENV
                    if not scratch and _image_may_set(name, root):
                        continue
                    message = f"Usage of undefined variable '${name}'"
                    if suggestion:
                        message += f" (did you mean ${suggestion}?)"
                    yield self.report(ctx, ins, message)
