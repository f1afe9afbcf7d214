"""A local Telegram Bot API server speaking the wire format aiogram 3 uses."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from .chats import Chat
from .methods import BotMethods, Handler
from .store import BotMessage, Store
from .users import User
from .webhook import Delivery, WebhookSender
from .wire import ApiError, Call, Fault, JsonDict, Signal, Upload, fail, ok, read_params

DEFAULT_TOKEN = "123456789:AAE-antragslotse-local-test-token_0123456"
ALL_BUT_MEMBERS = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "poll", "poll_answer", "my_chat_member", "chat_join_request", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "purchased_paid_media", "chat_boost", "removed_chat_boost",
})
CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_DESCRIPTIONS = {429: "Too Many Requests", 500: "Internal Server Error",
                        502: "Bad Gateway", 503: "Service Unavailable", 400: "Bad Request"}


class BotAPIServer:
    """Fake Bot API on 127.0.0.1:<ephemeral>; use as `async with BotAPIServer() as server`.

    Updates go out by getUpdates, or — once the bot called setWebhook — as POSTs to the
    webhook with its secret token, one at a time per chat (see ``webhook.py``);
    ``webhook_targets`` spreads them over several replicas. ``fail_next`` and
    ``stall_next`` make methods fail or hang.
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_name: str = "Antragslotse",
                 bot_username: str = "antragslotse_test_bot") -> None:
        self.token = token
        self.bot_user: JsonDict = {"id": int(token.split(":")[0]), "is_bot": True,
                                   "first_name": bot_name, "username": bot_username}
        self.signal = Signal()
        self.store = Store(self.signal, self.bot_user)
        self.methods = BotMethods(self.store)
        self.calls: list[Call] = []
        self.unknown_calls: list[Call] = []
        self.pending_updates: list[JsonDict] = []
        self.all_updates: list[JsonDict] = []
        self.dropped_updates: list[JsonDict] = []
        self.deliveries: dict[int, int] = {}
        self.confirmed_offset = 0
        self.get_updates_calls = 0
        self.polls_in_flight = 0
        self.allowed_updates: frozenset[str] = ALL_BUT_MEMBERS
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_params: JsonDict = {}
        self.webhook_targets: list[str] = []  # a load balancer: deliveries alternate
        self.webhook = WebhookSender(self)
        self.diagnostics: list[Callable[[], str]] = []
        self.users: dict[int, User] = {}
        self._replays: list[JsonDict] = []
        self._next_update_id = 100_001
        self._poll_generation = 0
        self._faults: dict[str, Fault] = {}
        self._stalls: dict[str, tuple[float, int]] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._handlers: dict[str, Handler] = {
            name.lower(): handler for name, handler in self._own_methods().items()
        }
        self._handlers.update({k.lower(): v for k, v in self.methods.table().items()})

    def _own_methods(self) -> dict[str, Handler]:
        """Handlers for updates, webhook and identity methods."""
        return {
            "getMe": lambda _p, _u: {**self.bot_user, "can_join_groups": True,
                                     "can_read_all_group_messages": False,
                                     "supports_inline_queries": False},
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._webhook_info,
        }

    async def __aenter__(self) -> BotAPIServer:
        """Start listening on an ephemeral port."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0,
                                     handler_cancellation=True)  # a dead client ends its poll
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        """Release long polls and stop the server."""
        self._closing = True
        self.signal.fire()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    # ----- simulated world -------------------------------------------------

    def user(self, user_id: int, first_name: str = "Test", language_code: str | None = "en",
             **extra: Any) -> User:
        """A simulated private-chat user (the same object for the same id)."""
        if user_id not in self.users:
            self.users[user_id] = User(self, user_id, first_name, language_code, **extra)
        return self.users[user_id]

    def add_chat(self, chat_id: int, title: str, chat_type: str = "supergroup") -> Chat:
        """Make a group/supergroup/channel the bot may post to; returns its observer."""
        return Chat(self, self.store.add_chat({"id": chat_id, "title": title, "type": chat_type}))

    def transcript(self, chat_id: int) -> list[BotMessage]:
        """Everything the bot showed a chat, in order."""
        return list(self.store.chat_for(chat_id).transcript)

    def fail_next(self, method: str, status: int, description: str | None = None,
                  retry_after: int | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with the given error."""
        text = description or DEFAULT_DESCRIPTIONS.get(status, "Error")
        if status == 429 and retry_after is not None and description is None:
            text = f"Too Many Requests: retry after {retry_after}"
        self._faults[method.lower()] = Fault(status, text, retry_after, times)

    def stall_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of `method` hang for `seconds` before being handled.

        A client that gives up first never reaches the method: nothing is sent or changed.
        """
        self._stalls[method.lower()] = (seconds, times)

    def compose(self, update: JsonDict) -> JsonDict:
        """An update with the next update_id, not queued (for posting it by hand)."""
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
        self.all_updates.append(update)
        return update

    def enqueue(self, update: JsonDict) -> JsonDict:
        """Queue an update (assigning update_id) unless allowed_updates filters it out."""
        update = self.compose(update)
        kind = next(key for key in update if key != "update_id")
        if kind in self.allowed_updates:
            self.pending_updates.append(update)
        else:
            self.dropped_updates.append(update)
        self.signal.fire()
        return update

    def replay(self, update: JsonDict) -> None:
        """Deliver an already-seen update again (same update_id), ignoring confirmation.

        With a webhook set, it is posted once more at once, beside its chat's queue.
        """
        if self.webhook_url:
            self.webhook.replay(update)
            return
        self._replays.append(update)
        self.signal.fire()

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    # ----- waiting -----------------------------------------------------------

    async def wait_polling(self, timeout: float = 10.0, since: int = 0) -> None:
        """Wait until a getUpdates long poll is open; `since` = get_updates_calls to exceed."""
        await self.wait(lambda: self.polls_in_flight > 0 and self.get_updates_calls > since,
                        timeout, "the bot to poll getUpdates")

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed update_id via a getUpdates offset."""
        await self.wait(lambda: self.confirmed_offset > update_id, timeout,
                        f"the bot to confirm update {update_id}")

    async def wait_delivered(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the webhook answered update_id with 2xx."""
        await self.wait(lambda: update_id in self.webhook.delivered, timeout,
                        f"the webhook to accept update {update_id}")

    @property
    def webhook_log(self) -> list[Delivery]:
        """Every webhook POST so far and its outcome."""
        return list(self.webhook.log)

    async def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait for predicate() to become truthy or fail with diagnostics."""
        try:
            return await self.signal.wait_for(predicate, timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n"
                                 + self.describe()) from None

    def describe(self) -> str:
        """Diagnostic summary for failure messages."""
        lines = [f"getUpdates calls={self.get_updates_calls} in-flight={self.polls_in_flight} "
                 f"confirmed_offset={self.confirmed_offset} pending={len(self.pending_updates)}"
                 f" dropped={len(self.dropped_updates)}"]
        lines += [f"  call {c.method} -> {c.status}" for c in self.calls[-15:]
                  if c.method.lower() != "getupdates"]
        lines += [f"  UNKNOWN method {c.method}" for c in self.unknown_calls]
        if self.webhook_url:
            lines.append(f"webhook {self.webhook_url} targets={self.webhook_targets}")
            lines += [f"  post {d.update_id} -> {d.target}: {d.status or d.error}"
                      for d in self.webhook.log[-10:]]
        lines += [diagnostic() for diagnostic in self.diagnostics]
        return "\n".join(lines)

    # ----- HTTP ---------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        """Dispatch /bot<token>/<method>."""
        name = request.match_info["method"]
        call = Call(name, {})
        self.calls.append(call)
        self.signal.fire()  # a call in flight is news too (e.g. one that will hang)
        try:
            call.params, call.uploads = await read_params(request)
            result = await self._dispatch(request.match_info["token"], call)
            response = ok(result)
            call.response = {"ok": True, "result": result}
        except ApiError as error:
            response = fail(error)
            call.status, call.response = error.code, error.payload()
        except asyncio.CancelledError:
            call.status = 499  # the client hung up (e.g. the bot process was killed)
            self.signal.fire()
            raise
        self.signal.fire()
        return response

    async def _dispatch(self, token: str, call: Call) -> Any:
        """Authenticate, inject faults and run the handler."""
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        handler = self._handlers.get(call.method.lower())
        if handler is None:
            self.unknown_calls.append(call)
            raise ApiError(404, "Not Found")
        stall = self._stalls.get(call.method.lower())
        if stall is not None and stall[1] > 0:
            self._stalls[call.method.lower()] = (stall[0], stall[1] - 1)
            await asyncio.sleep(stall[0])
        fault = self._faults.get(call.method.lower())
        if fault is not None and fault.times > 0:
            fault.times -= 1
            raise ApiError(fault.status, fault.description, fault.retry_after)
        result = handler(call.params, call.uploads)
        return await result if inspect.isawaitable(result) else result

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """Serve file bytes at /file/bot<token>/<file_path>."""
        if request.match_info["token"] != self.token:
            return fail(ApiError(401, "Unauthorized"))
        stored = self.store.file_by_path(request.match_info["path"])
        if stored is None:
            return fail(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ----- getUpdates ---------------------------------------------------------

    async def _get_updates(self, params: JsonDict, _: dict[str, Upload]) -> list[JsonDict]:
        """Long polling with Telegram's offset confirmation and 409 on a newer poll."""
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        if params.get("allowed_updates") is not None:
            self.allowed_updates = frozenset(params["allowed_updates"]) or ALL_BUT_MEMBERS
        self._confirm(params.get("offset"))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        self._poll_generation += 1
        generation = self._poll_generation
        self.get_updates_calls += 1
        self.polls_in_flight += 1
        self.signal.fire()
        try:
            await self.signal.wait_for(
                lambda: self.pending_updates or self._replays or self._closing
                or generation != self._poll_generation,
                max(float(params.get("timeout") or 0), 0.0))
        except TimeoutError:
            pass
        finally:
            self.polls_in_flight -= 1
        if generation != self._poll_generation and not self._closing:
            raise ApiError(409, CONFLICT)
        batch = self._replays + self.pending_updates[:limit]
        self._replays = []
        for update in batch:
            self.deliveries[update["update_id"]] = self.deliveries.get(update["update_id"], 0) + 1
        return batch

    def _confirm(self, offset: Any) -> None:
        """Forget updates below a positive offset, or all but the last -offset."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset < 0:
            self.pending_updates = self.pending_updates[offset:]
            return
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        self.confirmed_offset = max(self.confirmed_offset, offset)

    async def _delete_webhook(self, params: JsonDict, _: dict[str, Upload]) -> bool:
        """deleteWebhook, optionally dropping pending updates."""
        self.webhook_url, self.webhook_secret, self.webhook_params = "", None, {}
        await self.webhook.stop()
        if params.get("drop_pending_updates"):
            self.pending_updates.clear()
        return True

    async def _set_webhook(self, params: JsonDict, uploads: dict[str, Upload]) -> bool:
        """setWebhook: updates are posted there; getUpdates answers 409 like Telegram.

        Unlike Telegram, plain http is accepted for loopback addresses (tests have no TLS).
        """
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, uploads)
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http"
                                            and parts.hostname in LOOPBACK):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for "
                                "webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("allowed_updates") is not None:
            self.allowed_updates = frozenset(params["allowed_updates"]) or ALL_BUT_MEMBERS
        if params.get("drop_pending_updates"):
            self.pending_updates.clear()
        self.webhook_url, self.webhook_params = url, params
        self.webhook_secret = None if secret is None else str(secret)
        self.webhook.start()
        return True

    def _webhook_info(self, _: JsonDict, __: dict[str, Upload]) -> JsonDict:
        """getWebhookInfo, with the last delivery error like Telegram reports it."""
        info: JsonDict = {"url": self.webhook_url, "has_custom_certificate": False,
                          "pending_update_count": len(self.pending_updates)}
        if self.webhook_url:
            info["max_connections"] = int(self.webhook_params.get("max_connections") or 40)
            info["allowed_updates"] = sorted(self.allowed_updates)
            failed = [d for d in self.webhook.log if not d.ok]
            if failed:
                info["last_error_message"] = str(failed[-1].status or failed[-1].error)
        return info
