"""## What it does
Checks for a service image without `HEALTHCHECK`.

A service image, for this rule, is one whose final stage (with the earlier stages it is
built `FROM`) listens on a port:
- it declares `EXPOSE`;
- or its base image is a well-known server that exposes a port itself (nginx, httpd,
  `php:*-apache` and `php:*-fpm`, tomcat, jetty, caddy, traefik, haproxy, and databases
  such as postgres, mysql, redis, mongo), and the stage does not replace its command
  with something else;
- or its CMD/ENTRYPOINT starts a server (`nginx`, `httpd`/`apache2-foreground`,
  `gunicorn`, `uvicorn`, `flask run`, `rails server`, `php-fpm`, `catalina.sh run`...).

Not services: CMD or ENTRYPOINT alone (command-line tools and batch jobs have them too),
builder stages (only the final stage is checked), and base images: a file with ONBUILD
triggers, or whose final stage sets no CMD/ENTRYPOINT on a base that is no server. A
HEALTHCHECK inherited from an earlier stage of the file counts, and so does
`HEALTHCHECK NONE` (an explicit decision). A HEALTHCHECK in the base image cannot be seen
from the Dockerfile (the official server images have none): suppress the finding
(`# dlint: ignore=missing-healthcheck`) when the base image provides one. Ports are shown
as Docker reads them: `EXPOSE :1500` and `EXPOSE 0.0.0.0:1500:1500/tcp` expose 1500.

## Why is this bad?
Without a health check, Docker (and Swarm, and Compose's `depends_on: service_healthy`)
only knows whether the process is running, not whether it answers: a hung server stays
"Up" and keeps receiving traffic.

## Example
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80
```
Use instead:
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80
HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://localhost/ || exit 1
```

## Fix
Add a `HEALTHCHECK CMD ...` that probes the service cheaply (an HTTP health endpoint, a
TCP connect), or `HEALTHCHECK NONE` if the orchestrator does its own probing (Kubernetes
ignores HEALTHCHECK and uses its own probes).
"""

from __future__ import annotations

from collections.abc import Iterator

from dlint.api import Finding, Rule



# Official (or vendor) images that run a server by default: repository path -> port.
SERVER_IMAGES = {
    "library/nginx": "80", "nginxinc/nginx-unprivileged": "8080", "library/httpd": "80",
    "library/tomcat": "8080", "library/jetty": "8080", "library/caddy": "80",
    "library/traefik": "80", "library/haproxy": "80", "library/postgres": "5432",
    "library/mysql": "3306", "library/mariadb": "3306", "library/redis": "6379",
    "library/mongo": "27017", "library/memcached": "11211", "library/rabbitmq": "5672",
    "library/wordpress": "80", "library/ghost": "2368", "library/drupal": "80",
    "library/nextcloud": "80", "library/odoo": "8069", "library/registry": "5000",
    "library/influxdb": "8086", "library/solr": "8983", "library/sonarqube": "9000",
    "jenkins/jenkins": "8080", "grafana/grafana": "3000", "prom/prometheus": "9090",
    "openresty/openresty": "80", "bitnami/nginx": "8080",
}
# Programs (basename) that start a server; and `tool subcommand` pairs that do.
SERVER_PROGRAMS = frozenset({
    "nginx", "httpd", "apache2", "apache2-foreground", "apachectl", "apache2ctl", "gunicorn",
    "uvicorn", "hypercorn", "daphne", "waitress-serve", "uwsgi", "puma", "unicorn", "thin",
    "php-fpm", "caddy", "traefik", "haproxy", "redis-server", "mongod", "postgres", "mysqld",
    "mariadbd", "memcached", "catalina.sh", "lighttpd", "envoy", "openresty", "node-red",
})
SERVER_SUBCOMMANDS = {("flask", "run"), ("rails", "server"), ("rails", "s"),
                      ("php", "-S"), ("python", "-m"), ("manage.py", "runserver"),
                      ("jupyter", "notebook"), ("jupyter", "lab"), ("streamlit", "run")}


class MissingHealthcheck(Rule):
    code = "DF601"
    name = "missing-healthcheck"
    severity = "info"
    aliases = ("DL3057",)

    def check(self, ctx) -> Iterator[Finding]:
        final = ctx.model.final_stage
        if final is None:
            return
        instructions = [ins for stage in final.chain() for ins in stage.instructions]
        if any(ins.keyword in ("HEALTHCHECK", "ONBUILD") for ins in instructions):
            return  # checked, or a base image for other builds
        model = ctx.model
        ports: list[str] = []
        for ins in instructions:
            if ins.keyword == "EXPOSE":
                for word in ins.value:
                    ex = model.expand(word, ins)
                    ports += [_port(w) for w in (ex.words if not ex.unresolved else [word])]
        if ports:
            shown = ", ".join(dict.fromkeys(ports[:4])) + (", ..." if len(ports) > 4 else "")
            why = f"exposes {shown}"
        else:
            why = self._server(ctx, final, instructions)
            if why is None:
                return
        yield self.report(
            ctx,
            final.from_instruction,
            f"The final stage {why} but has no HEALTHCHECK: Docker cannot tell a hung "
            f"service from a healthy one. Add `HEALTHCHECK CMD ...` (or `HEALTHCHECK NONE`).",
        )

    @staticmethod
    def _server(ctx, final, instructions) -> str | None:
        """Why the final stage is a server without EXPOSE, or None."""
        command = [ins for ins in instructions if ins.keyword in ("CMD", "ENTRYPOINT")]
        for ins in reversed(command):
            argv = _argv(ctx, ins)
            if argv and _starts_server(argv):
                return f"starts a server (`{' '.join(argv[:3])}` in {ins.keyword})"
        image = final.root_image
        if image is None or final.windows:
            return None
        port = SERVER_IMAGES.get(image.path)
        if port is None and image.path == "library/php" and image.tag and (
                "apache" in image.tag or "fpm" in image.tag):
            port = "80" if "apache" in image.tag else "9000"
        if port is None:
            return None
        if command:
            # a command of its own: a server only when it is one we recognise
            return None
        return f"runs `{image.text}`, a server listening on port {port},"


def _argv(ctx, ins) -> list[str]:
    if ins.json:
        return [str(v) for v in ins.value]
    script = ctx.script(ins)
    commands = script.effective_commands if script.posix else []
    return commands[0].argv if commands else []


# options that make a server program do something else and exit (`nginx -t`)
_NOT_SERVING = frozenset({"-t", "-T", "-v", "-V", "--version", "-h", "--help", "-?",
                          "configtest", "--check", "--test", "-version"})


def _starts_server(argv: list[str]) -> bool:
    words = [w.rsplit("/", 1)[-1] for w in argv]
    # look through a launcher: `exec x`, `sh -c x` is already unwrapped by the shell model
    while words and words[0] in ("exec", "dumb-init", "tini", "gosu", "su-exec", "--"):
        words = words[1:] if words[0] not in ("gosu", "su-exec") else words[2:]
    if not words or any(w in _NOT_SERVING for w in words[1:]):
        return False
    name = words[0]
    if name in SERVER_PROGRAMS:
        return True
    second = words[1] if len(words) > 1 else ""
    if name.startswith("python") and second == "-m":
        return len(words) > 2 and words[2] in ("http.server", "uvicorn", "gunicorn", "flask")
    if name.startswith("python") and second.endswith("manage.py"):
        return len(words) > 2 and words[2] == "runserver"
    return (name, second) in SERVER_SUBCOMMANDS


def _port(spec: str) -> str:
    """A port as Docker reads an EXPOSE word (nat.ParsePortSpec): `:1500`,
    `0.0.0.0:1500:1500` and `1500/tcp` give 1500; other protocols are kept (`53/udp`)."""
    port, _, proto = spec.partition("/")
    port = port.rsplit(":", 1)[-1] or port
    proto = proto.lower()
    return port if proto in ("", "tcp") else f"{port}/{proto}"
