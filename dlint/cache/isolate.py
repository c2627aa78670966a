"""Isolate `cache verify`'s builds from everything the engine's caches held before.

The prediction assumes the builder's cache holds exactly the BEFORE build. Pruning the
engine's build cache gives that, and throws away the user's builds. Instead, every base
image a build starts from is replaced by a run-specific derived image:

- the base's layers plus one layer that holds only an overlay whiteout for a name that
  does not exist (``.wh..dlint-verify-<run id>``), so the filesystem is the same, byte for
  byte, while the layer chain is new. A new config alone would not do: BuildKit keys a
  local base image on the ChainID of its layers, not on its config (E23c);
- the config of the base, plus the label ``dlint.verify=<run id>``, so the image ID is new
  too (the classic builder keys on the image ID).

The derived images are made with ``docker load`` of a tar that carries only the new
layer: the engine finds the base's layers by ChainID and does not need their bytes
(moby's image/tarexport/load.go), so a derived image costs ~0.1 s whatever the base's
size. An engine that refuses that load (the containerd image store wants every layer's
bytes) gets a copy built instead, with one empty file ``/.dlint-verify-<run id>`` (the
only difference in its files; dlint.cache.engine.Engine.derive_image). ``FROM scratch``
becomes a derived image of the whiteout layer alone (a COPY onto
scratch is keyed on content only and would otherwise hit the user's records).

The Dockerfiles are rewritten on their FROM lines only (same line numbers, same stages),
BuildKit reads the rewritten file from outside the context (the context keeps the user's
Dockerfile, E04b), the classic builder gets it in place of the Dockerfile in its tar.
Nothing but the run's own records can then be hit. What the run creates is removed after
it: its images, the derived images, and the BuildKit cache records created during the
run that belong to its builds (see `run_records`).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DERIVED_REPO = "dlint-verify"
LABEL = "dlint.verify"


@dataclass
class Isolation:
    """The derived images of one run: base name as the Dockerfile names it -> tag."""

    run_id: str
    derived: dict[str, str] = field(default_factory=dict)

    def tag_for(self, base: str) -> str:
        tag = self.derived.get(base)
        if tag is None:
            tag = self.derived[base] = f"{DERIVED_REPO}/{self.run_id}-{len(self.derived)}:base"
        return tag


# --------------------------------------------------------------------------- Dockerfile


def processed_bases(text: str, *, builder: str, build_args: Mapping[str, str] | None,
                    target: str | None) -> list[tuple[Any, str]]:
    """(FROM instruction, expanded base name) of every stage the builder processes that
    starts from an image or from scratch (not from another stage, not from an unresolved
    variable)."""
    from dlint.model import build_model
    from dlint.syntax import parse

    document = parse(text)
    if document.errors:
        return []
    model = build_model(document, dict(build_args or {}))
    if not model.stages:
        return []
    if builder != "classic":
        stages = model.reachable(target)
    else:
        last = model.stage(target) if target else model.final_stage
        stages = model.stages[:(last.index if last is not None else len(model.stages) - 1) + 1]
    out = []
    for stage in stages:
        if stage.base_stage is not None or stage.base_unresolved or not stage.base_name:
            continue
        out.append((stage.from_instruction, stage.base_name))
    return out


def rewrite_dockerfile(text: str, replacements: Iterable[tuple[Any, str]]) -> str:
    """The Dockerfile with the image of each given FROM replaced by a derived tag: the FROM
    keeps its flags and its AS name on its first line, its continuation lines become empty
    lines, every other line is untouched (line numbers stay)."""
    lines = text.split("\n")
    for ins, tag in replacements:
        first = ins.start_line - 1
        words = ["FROM", *(f.raw for f in ins.flags), tag]
        value = list(ins.value)
        if len(value) >= 3 and value[1].upper() == "AS":
            words += ["AS", value[2]]
        ending = "\r" if lines[first].endswith("\r") else ""
        lines[first] = " ".join(words) + ending
        for i in range(first + 1, min(ins.end_line, len(lines))):
            lines[i] = "\r" if lines[i].endswith("\r") else ""
    return "\n".join(lines)


# --------------------------------------------------------------------------- derived images


def whiteout_layer(run_id: str) -> bytes:
    """An uncompressed layer tar holding one whiteout for a name no image has."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo(f".wh..dlint-verify-{run_id}")
        info.size, info.mtime, info.mode = 0, 0, 0o644
        tar.addfile(info)
    return out.getvalue()


def derived_image_tar(base_info: Mapping[str, Any] | None, run_id: str, tag: str,
                      platform: Mapping[str, str] | None = None) -> bytes:
    """A `docker load` archive for the derived image: manifest, config and the new layer
    only (the base's layers are named, not included: the engine already has them).
    `base_info`: the base's `docker image inspect`, None for scratch."""
    layer = whiteout_layer(run_id)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    info = dict(base_info or {})
    base_layers = list((info.get("RootFS") or {}).get("Layers") or [])
    config_section = dict(info.get("Config") or {})
    config_section["Labels"] = {**(config_section.get("Labels") or {}), LABEL: run_id}
    platform = platform or {}
    config: dict[str, Any] = {
        "architecture": info.get("Architecture") or platform.get("architecture") or "amd64",
        "os": info.get("Os") or platform.get("os") or "linux",
        "config": config_section,
        "rootfs": {"type": "layers", "diff_ids": [*base_layers, diff_id]},
    }
    if info.get("Variant"):
        config["variant"] = info["Variant"]
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layers = [f"base-{i}/layer.tar" for i in range(len(base_layers))] + ["dlint/layer.tar"]
    manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": layers}]).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in (("manifest.json", manifest), (config_name, config_bytes), ("dlint/layer.tar", layer)):
            member = tarfile.TarInfo(name)
            member.size, member.mode = len(data), 0o644
            tar.addfile(member, io.BytesIO(data))
    return out.getvalue()


# --------------------------------------------------------------------------- cache records


def _parents(record: Mapping[str, Any]) -> list[str]:
    # Engine 26 spells the key " Parents" (a stray space in moby's JSON tag); older ones
    # have "Parent".
    for key in ("Parents", " Parents"):
        if record.get(key):
            return list(record[key])
    return [record["Parent"]] if record.get("Parent") else []


def run_records(before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The BuildKit cache records a run created, children first.

    `before`/`after`: the engine's records (ID -> record) when the run started and ended.
    A run's build records all descend from a derived image's record ("from local", new),
    and with it come the new records of its base (when the engine had never used that
    base) and the context transfers ("local source for ..."), new as well. A record that
    existed before the run is never among them, nor one in use, nor a new record of
    another client's build that starts from a record that existed before (its chain
    does not pass through a new "from local" record)."""
    new = {rid: rec for rid, rec in after.items() if rid not in before and not rec.get("InUse")}

    def is_image(rid: str) -> bool:
        return str(new[rid].get("Description", "")).startswith("from local")

    memo: dict[str, bool] = {}

    def through_new_image(rid: str, depth: int = 0) -> bool:
        if rid not in new or depth > 10000:
            return False
        if rid in memo:
            return memo[rid]
        memo[rid] = False
        found = is_image(rid) or any(through_new_image(p, depth + 1) for p in _parents(new[rid]))
        memo[rid] = found
        return found

    ours = {rid for rid in new if through_new_image(rid) or new[rid].get("Type") == "source.local"}
    # The new ancestors of a derived image's record: its base's records, new with this run.
    todo = [rid for rid in ours if is_image(rid)]
    while todo:
        for parent in _parents(new[todo.pop()]):
            if parent in new and parent not in ours:
                ours.add(parent)
                todo.append(parent)

    depth: dict[str, int] = {}

    def level(rid: str, seen: int = 0) -> int:
        if rid not in depth:
            parents = [p for p in _parents(after.get(rid, {})) if p in ours]
            depth[rid] = 0 if not parents or seen > 10000 else 1 + max(level(p, seen + 1) for p in parents)
        return depth[rid]

    return sorted(ours, key=lambda rid: (-level(rid), rid))


__all__ = ["Isolation", "processed_bases", "rewrite_dockerfile", "whiteout_layer", "derived_image_tar",
           "run_records", "DERIVED_REPO"]
