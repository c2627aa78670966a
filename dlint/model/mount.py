"""`RUN --mount=...` option parsing as BuildKit does it (instructions/commands_runmount.go).

The flag value is one CSV record (Go's encoding/csv: a field may be wrapped in double
quotes, `""` inside is a quote, a quote elsewhere in a field is an error); each field is
`key=value` (key case-insensitive) or one of the bare booleans `ro`/`readonly`/`rw`/
`readwrite`/`required`.
"""

from __future__ import annotations

_ALIASES = {"src": "source", "dst": "target", "destination": "target", "ro": "readonly",
            "readwrite": "rw"}
_BARE = {"readonly", "ro", "rw", "readwrite", "required"}
MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")


def split_csv_record(text: str) -> tuple[list[str], str | None]:
    """Go encoding/csv on one line (comma separator, no lazy quotes): (fields, error)."""
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            i += 1
            buf: list[str] = []
            while True:
                j = text.find('"', i)
                if j < 0:
                    return fields + ["".join(buf) + text[i:]], 'extraneous or missing " in quoted-field'
                buf.append(text[i:j])
                i = j + 1
                if i < n and text[i] == '"':
                    buf.append('"')
                    i += 1
                    continue
                break
            fields.append("".join(buf))
            if i >= n:
                return fields, None
            if text[i] != ",":
                return fields, 'extraneous or missing " in quoted-field'
            i += 1
        else:
            j = text.find(",", i)
            field = text[i:] if j < 0 else text[i:j]
            if '"' in field:
                return fields + [field], 'bare " in non-quoted-field'
            fields.append(field)
            if j < 0:
                return fields, None
            i = j + 1


def parse_mount_checked(value: str | None) -> tuple[dict[str, str], list[str]]:
    """Options of one --mount flag and the problems BuildKit would report.

    Keys are lower-cased and aliases folded (src -> source, dst/destination -> target,
    ro -> readonly, readwrite -> rw); bare booleans get the value "true"; `type`
    defaults to "bind" as in BuildKit.
    """
    options: dict[str, str] = {}
    problems: list[str] = []
    if not value:
        return {"type": "bind"}, ["--mount needs a value"]
    fields, error = split_csv_record(value)
    if error:
        problems.append(f"invalid --mount value {value!r}: {error}")
    for field_text in fields:
        key, sep, val = field_text.partition("=")
        key = key.strip().lower()
        if not sep:
            if key in _BARE:
                options[_ALIASES.get(key, key)] = "true"
            else:
                problems.append(f"invalid field '{field_text}' must be a key=value pair")
            continue
        options[_ALIASES.get(key, key)] = val
    if "rw" in options:
        # rw=true means not read-only; keep one canonical key.
        rw = options.pop("rw").lower()
        options["readonly"] = "false" if rw in ("true", "1", "") else "true"
    options.setdefault("type", "bind")
    if options["type"] not in MOUNT_TYPES:
        problems.append(f"unsupported mount type {options['type']!r}")
    return options, problems


def parse_mount(value: str | None) -> dict[str, str]:
    """Options of one `--mount` flag value (see parse_mount_checked); never raises."""
    return parse_mount_checked(value)[0]
