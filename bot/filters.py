"""Message filters as coroutines.

aiogram runs a synchronous filter — a magic filter such as ``F.text`` included — in a worker
thread (``asyncio.to_thread``), one thread hop per check and message. These checks are a few
attribute reads, so they are coroutines: aiogram awaits them on the event loop.
"""

from __future__ import annotations

from aiogram.types import Message


async def command(message: Message) -> bool:
    """A command, as aiogram's Command filter reads one (leading spaces allowed)."""
    return message.text is not None and message.text.lstrip().startswith("/")


async def answer(message: Message) -> bool:
    """Typed text that is not a command."""
    return message.text is not None and not message.text.lstrip().startswith("/")


async def file(message: Message) -> bool:
    return bool(message.photo or message.document or message.voice)
