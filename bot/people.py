"""Who is writing: the owner key of a Telegram user (hashed by storage, never logged)."""

from __future__ import annotations

from aiogram.types import User

from antragslotse.intake import Intake


def owner(user: User) -> str:
    return f"tg:{user.id}"


async def language(intake: Intake, user: User | None) -> str:
    """The language of the user's draft, else the default."""
    found = await intake.language_of(owner(user)) if user is not None else None
    return found or intake.default_language
