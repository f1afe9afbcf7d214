"""Watching one chat: everything the bot sends or edits there, with async waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from .store import BotMessage, ChatLog, public
from .wire import JsonDict

if TYPE_CHECKING:
    from .server import BotAPIServer


class Chat:
    """Observer of one chat's bot output; `next_message` returns each send/edit once."""

    def __init__(self, server: BotAPIServer, log: ChatLog) -> None:
        self.server, self.log = server, log
        self.id: int = log.chat["id"]
        self._cursor = 0

    @property
    def transcript(self) -> list[BotMessage]:
        """All bot sends and edits in this chat, in order."""
        return list(self.log.transcript)

    @property
    def deleted_message_ids(self) -> list[int]:
        """Ids of messages the bot deleted in this chat."""
        return list(self.log.deleted)

    @property
    def chat_actions(self) -> list[str]:
        """Chat actions (typing, upload_document...) the bot sent."""
        return list(self.log.actions)

    @property
    def reply_keyboard(self) -> list[list[JsonDict]] | None:
        """The reply keyboard currently shown (None if never sent, [] if removed)."""
        shown = [m.keyboard for m in self.log.transcript if m.keyboard is not None]
        return shown[-1] if shown else None

    def message(self, message_id: int) -> JsonDict:
        """Current server-side state of a message in this chat (fails if deleted)."""
        found = self.server.store.peek(self.id, message_id)
        if found is None or found.get("_deleted"):
            raise AssertionError(f"message #{message_id} does not exist (deleted?) in chat "
                                 f"{self.id}")
        return public(found)

    def skip(self) -> None:
        """Mark everything shown so far as seen by next_message."""
        self._cursor = len(self.log.transcript)

    async def next_message(self, timeout: float = 10.0) -> BotMessage:
        """The next bot send/edit in this chat not yet returned."""
        await self._wait(lambda: len(self.log.transcript) > self._cursor, timeout,
                         "the next bot message")
        self._cursor += 1
        return self.log.transcript[self._cursor - 1]

    async def messages_until(self, predicate: Callable[[BotMessage], bool],
                             timeout: float = 10.0) -> list[BotMessage]:
        """Collect bot messages until one satisfies predicate (inclusive)."""
        deadline = asyncio.get_running_loop().time() + timeout
        collected: list[BotMessage] = []
        while not collected or not predicate(collected[-1]):
            remaining = deadline - asyncio.get_running_loop().time()
            collected.append(await self.next_message(max(remaining, 0.0)))
        return collected

    async def assert_no_message(self, within: float = 0.5) -> None:
        """Fail if the bot shows this chat anything new within `within` seconds."""
        try:
            await self.server.signal.wait_for(
                lambda: len(self.log.transcript) > self._cursor, within)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected bot message: {self.log.transcript[self._cursor]}")

    async def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait on the server signal with a transcript-bearing timeout error."""
        try:
            await self.server.signal.wait_for(predicate, timeout)
        except TimeoutError:
            recent = "\n".join(f"  {m}" for m in self.log.transcript[-10:]) or "  (nothing)"
            raise AssertionError(
                f"chat {self.id}: timed out after {timeout}s waiting for {what}; "
                f"seen {self._cursor} of {len(self.log.transcript)}. Recent transcript:\n"
                f"{recent}\n{self.server.describe()}") from None
