"""The naive reference: how an aiogram intake bot is commonly written.

aiogram's FSM for per-user state, an SQLAlchemy ORM session per message that loads the
row, decrypts it (AES-256-GCM, per-draft key wrapped by a KEK, the same constructions as
storage/crypto.py), runs the same interview engine, encrypts and commits; the reply is
rendered by the same presenter. SQLite with WAL and synchronous=FULL, like the real path.
Deliberately without the real path's design: no update dedupe, no one-writer discipline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy import BigInteger, DateTime, LargeBinary, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from antragslotse.intake import Turn
from bench.applicants import LANGUAGE, Script, draft_for
from bench.stub import make_bot
from bot.replies import send
from bot.views import View
from dialogs import codec, engine
from dialogs.inputs import Say
from dialogs.model import Interview
from dialogs.screens import screen
from dialogs.types import Role
from storage import crypto


class Base(DeclarativeBase):
    pass


class NaiveDraft(Base):
    __tablename__ = "naive_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    progress: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _place(user_id: int) -> bytes:
    return crypto.place("naive_drafts", str(user_id), "progress")


def dispatcher(sessions: async_sessionmaker[AsyncSession], kek: bytes, interview: Interview,
               view: View) -> Dispatcher:
    router = Router(name="naive")

    @router.message(F.text)
    async def on_text(message: Message, bot: Bot, state: FSMContext) -> None:
        assert message.from_user is not None and message.text is not None
        user_id, today = message.from_user.id, dt.date.today()
        async with sessions() as session:
            row = await session.get(NaiveDraft, user_id)
            assert row is not None
            key = crypto.unwrap_key(kek, "kek", str(user_id), row.wrapped_key)
            progress = codec.loads(crypto.decrypt(key, row.progress, _place(user_id)))
            outcome = engine.handle(interview, progress, Say(message.text), today, Role.APPLICANT)
            row.progress = crypto.encrypt(key, codec.dumps(outcome.progress), _place(user_id))
            row.version += 1
            row.updated_at = datetime.now(UTC)
            await session.commit()
        await state.update_data(cursor=outcome.progress.cursor)
        shown = screen(interview, outcome.progress, today)
        await send(bot, message.chat.id, view.turn(Turn(LANGUAGE, outcome.notes, shown)))

    dp = Dispatcher()
    dp.include_router(router)
    return dp


class Naive:
    """The naive bot on its own database (SQLite file or PostgreSQL)."""

    name = "naive"

    def __init__(self, url: str, script: Script, interview: Interview, view: View) -> None:
        self.engine = create_async_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _durable)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.kek = crypto.new_key()
        self.script = script
        self.bot, self.wire = make_bot()
        self.dispatcher = dispatcher(self.sessions, self.kek, interview, view)
        self._expected: list[str] = []

    async def open(self, expected: list[str]) -> None:
        self._expected = expected
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.run_sync(Base.metadata.create_all)

    async def seed(self, users: Sequence[int]) -> None:
        now = datetime.now(UTC)
        async with self.sessions() as session:
            for user_id in users:
                key = crypto.new_key()
                blob = codec.dumps(draft_for(self.script, user_id))
                session.add(NaiveDraft(
                    user_id=user_id, version=1, updated_at=now,
                    wrapped_key=crypto.wrap_key(self.kek, "kek", str(user_id), key),
                    progress=crypto.encrypt(key, blob, _place(user_id))))
            await session.commit()

    async def stored(self, users: Sequence[int], steps: int) -> list[str]:
        query = select(NaiveDraft.user_id, NaiveDraft.version).where(
            NaiveDraft.user_id.in_(list(users)))
        async with self.sessions() as session:
            versions = dict((await session.execute(query)).tuples().all())
        return [f"user {u}: version {versions.get(u)}, expected {1 + steps}"
                for u in users if versions.get(u) != 1 + steps]

    def expected(self, texts: Sequence[str]) -> list[str]:
        return self._expected

    async def close(self) -> None:
        await self.engine.dispose()


def _durable(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=wal")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
