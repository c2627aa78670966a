"""A plain-class stand-in for @dataclass on the startup path.

Decorating a class with @dataclass costs ~0.7-2 ms per class at import (it compiles the
generated methods with exec), paid on every `dlint check`. Internal records on that path
subclass Record instead: they list their attributes in ``_fields`` and write an explicit
__init__; Record gives them the dataclass repr and equality (same class, equal fields).
"""

from __future__ import annotations


class Record:
    _fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a non-frozen dataclass


class FrozenRecord(Record):
    """Record for a ``@dataclass(frozen=True)``: assignment raises FrozenInstanceError, and
    instances hash by their fields. __init__ sets attributes with ``object.__setattr__``."""

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self._fields))
