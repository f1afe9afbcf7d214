"""A Core statement compiled once: its SQL, parameter order and converters.

The store's frequent statements run on the driver's connection directly (SQLite's
writer, asyncpg), without SQLAlchemy's per-execute work; this is what they run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement

GIVEN = object()  # a parameter the caller must give


class Prepared:
    """A statement compiled for one dialect, with its positional parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect,
                 columns: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        self.sql = str(compiled)
        names: Sequence[str] = compiled.positiontup or []  # type: ignore[attr-defined]
        binds = compiled.binds  # type: ignore[attr-defined]
        # Per parameter: the value the statement fixes itself (e.g. ``notice=0``) or GIVEN,
        # and the converter — dialect_impl: the dialect's own type (SQLite's DATETIME is a
        # string format), under any TypeDecorator (UtcDateTime refuses naive datetimes).
        self._order = [(name, GIVEN if binds[name].required else binds[name].value,
                        binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                       for name in names]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters; a missing value raises KeyError."""
        out = []
        for name, fixed, convert in self._order:
            value = values[name] if fixed is GIVEN else values.get(name, fixed)
            out.append(value if convert is None else convert(value))
        return tuple(out)
