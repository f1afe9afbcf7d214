"""A Core statement compiled once: its SQL, parameter order and converters.

The store's frequent statements run on the driver's connection directly (SQLite's
writer, asyncpg), without SQLAlchemy's per-execute work; this is what they run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement


class Prepared:
    """A statement compiled for one dialect, with its positional parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect,
                 columns: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        self.sql = str(compiled)
        self._compiled = compiled
        names: Sequence[str] = compiled.positiontup or []  # type: ignore[attr-defined]
        binds = compiled.binds  # type: ignore[attr-defined]
        # dialect_impl: the dialect's own type (SQLite's DATETIME is a string format),
        # under any TypeDecorator (UtcDateTime refuses naive datetimes)
        self._order = [(name, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                       for name in names]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        merged = self._compiled.construct_params(dict(values)) or {}
        return tuple(merged[name] if convert is None else convert(merged[name])
                     for name, convert in self._order)
