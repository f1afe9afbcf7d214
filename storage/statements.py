"""The store's frequent statements, and the ways a unit of work runs them.

Every update runs the same few statements: claim the update id, load the draft, save it
(on PostgreSQL, an answer to a draft the process knows claims and saves in one: ``answer``).
They are compiled once (``storage.compiled.Prepared``) and run on the driver's connection
without SQLAlchemy's per-execute work: on SQLite inline on the one writer's connection,
inside its open write transaction (no thread trip); on PostgreSQL on the unit's asyncpg
connection, which prepares each once (``storage.postgres.Transaction``). Everything rarer
(files, hand-off, deletion) goes through SQLAlchemy on both, on ``connection()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import Dialect, Insert, Select, Update, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import sqlite
from storage.compiled import Prepared
from storage.models import drafts, processed_updates

_d = drafts.c
_guard = (_d.id == bindparam("draft_id")) & (_d.version == bindparam("expected"))
_save = (
    update(drafts)
    .where(_guard)
    .values(
        version=bindparam("new_version"), progress=bindparam("blob"), updated_at=bindparam("now"),
        notice=0,  # activity: retention notices start again
    )
)
_p = processed_updates.c


def _claim_at_version(insert: Any, locked: bool) -> Insert:
    """Claim an update only if the draft is at the expected version (a re-delivery: not)."""
    at_version = select(_d.id).where(_guard)
    if locked:
        at_version = at_version.with_for_update()
    row = select(bindparam("update_id", type_=_p.update_id.type),
                 bindparam("now", type_=_p.processed_at.type)).where(exists(at_version))
    statement: Insert = insert(processed_updates).from_select(["update_id", "processed_at"],
                                                              row).on_conflict_do_nothing()
    return statement


def _answer() -> Update:
    """Claim an update and save a draft at a known version, in one statement (PostgreSQL).

    The claim is inserted only if the draft is at the expected version, with its row
    locked (FOR UPDATE: a concurrent save is waited for and then seen), and the draft is
    saved only if the claim was inserted: both or neither, ``UPDATE 1`` or ``UPDATE 0``.
    """
    claim = _claim_at_version(postgresql.insert, locked=True).returning(_p.update_id).cte("claim")
    return _save.where(exists(select(claim.c.update_id)))


# SQLite has no writing CTE: the same in two statements in the writer's transaction, which
# nobody else can write in between. The store runs the save only if the claim inserted its
# row, and the save checks that itself too (``changes()``: the rows of the connection's last
# INSERT, UPDATE or DELETE), so neither leaves anything half-done: no savepoint needed.
_SQLITE_ANSWER: dict[str, tuple[Insert | Update, None]] = {
    "answer_claim": (_claim_at_version(sqlite_dialect.insert, locked=False), None),
    "answer_save": (_save.where(func.changes() == 1), None),
}


Statement = Insert | Select[Any] | Update
Table = dict[str, tuple[Statement, tuple[str, ...] | None]]
CREATE_COLUMNS = ("id", "owner_hash", "version", "key_id", "wrapped_key", "progress",
                  "created_at", "updated_at")


def statements(dialect_name: str) -> Table:
    """The frequent statements by name, each with the columns an INSERT sets."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite_dialect).insert
    # Duplicates are expected (re-deliveries, a second first save): no exception, no
    # savepoint, just a row count of 0.
    own: Table = {"answer": (_answer(), None)} if dialect_name == "postgresql" \
        else dict(_SQLITE_ANSWER)
    return own | {
        "claim": (insert(processed_updates).on_conflict_do_nothing(),
                  ("update_id", "processed_at")),
        "create": (insert(drafts).on_conflict_do_nothing(), CREATE_COLUMNS),
        "load": (select(_d.id, _d.version, _d.key_id, _d.wrapped_key, _d.progress)
                 .where(_d.owner_hash == bindparam("owner_hash")), None),
        "key": (select(_d.key_id, _d.wrapped_key).where(_d.id == bindparam("draft_id")), None),
        "save": (_save, None),
        "save_rewrapped": (_save.values(key_id=bindparam("new_key_id"),
                                        wrapped_key=bindparam("wrapped")), None),
    }


class Statements(Protocol):
    """Runs a named frequent statement inside the unit's transaction."""

    async def rows(self, name: str, values: Mapping[str, Any]) -> list[Any]: ...

    async def count(self, name: str, values: Mapping[str, Any]) -> int: ...

    async def connection(self) -> AsyncConnection:
        """The connection for everything else (through SQLAlchemy), in the same transaction."""
        ...


class InlineStatements:
    """Compiled once, run on the SQLite writer's connection (inline when its thread is idle)."""

    def __init__(self, conn: AsyncConnection, driver: sqlite.Connection,
                 prepared: Mapping[str, Prepared]) -> None:
        self._conn = conn
        self._driver = driver
        self._prepared = prepared

    async def rows(self, name: str, values: Mapping[str, Any]) -> list[Any]:
        return (await self._driver.run(self._prepared[name], values))[1]

    async def count(self, name: str, values: Mapping[str, Any]) -> int:
        return (await self._driver.run(self._prepared[name], values))[0]

    async def connection(self) -> AsyncConnection:
        return self._conn


def prepare(dialect: Dialect) -> dict[str, Prepared]:
    """The frequent statements compiled for ``dialect``."""
    return {name: Prepared(statement, dialect, columns)
            for name, (statement, columns) in statements(dialect.name).items()}
