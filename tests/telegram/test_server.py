"""Self-tests: the fake Bot API speaks aiogram 3's protocol (real client, real HTTP)."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from .server import BotAPIServer

KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[
    InlineKeyboardButton(text="Ja, weiter", callback_data="step:yes"),
    InlineKeyboardButton(text="Nein", callback_data="step:no"),
]])


async def test_get_me_and_wrong_token(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    me = await aiogram_bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "antragslotse_test_bot")
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base_url))
    async with Bot("42:wrong", session=session) as stranger:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    assert [c.status for c in bot_api.calls_of("getMe")] == [200, 401]


async def test_get_updates_offset_confirms(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1001)
    ids = [user.send_text(f"m{i}").update_id for i in range(3)]
    assert [u.update_id for u in await aiogram_bot.get_updates()] == ids
    assert [u.update_id for u in await aiogram_bot.get_updates()] == ids  # unconfirmed
    updates = await aiogram_bot.get_updates(offset=ids[1], limit=1)
    assert [u.update_id for u in updates] == [ids[1]]
    assert bot_api.confirmed_offset == ids[1]
    assert [u.update_id for u in await aiogram_bot.get_updates(offset=ids[2] + 1)] == []
    later = user.send_text("later")
    [update] = await aiogram_bot.get_updates(offset=ids[0])  # stale offset: still forgotten
    assert update.update_id == later.update_id and update.message is not None
    assert update.message.text == "later" and update.message.chat.type == "private"
    assert bot_api.deliveries[later.update_id] == 1


async def test_long_poll_returns_when_update_arrives(
    bot_api: BotAPIServer, aiogram_bot: Bot
) -> None:
    poll = asyncio.create_task(aiogram_bot.get_updates(timeout=30, request_timeout=40))
    await bot_api.wait_polling()
    sent = bot_api.user(1002).send_command("/start")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].update_id == sent.update_id
    assert updates[0].message is not None and updates[0].message.entities is not None
    assert updates[0].message.entities[0].type == "bot_command"
    started = asyncio.get_running_loop().time()
    assert await aiogram_bot.get_updates(offset=sent.update_id + 1, timeout=1) == []
    assert asyncio.get_running_loop().time() - started >= 0.9


async def test_second_poller_terminates_first(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    first = asyncio.create_task(aiogram_bot.get_updates(timeout=30, request_timeout=40))
    await bot_api.wait_polling()
    second = asyncio.create_task(aiogram_bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError):
        await asyncio.wait_for(first, 2)
    assert await second == []


async def test_send_edit_and_not_modified(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1003, first_name="Amira", language_code="de")
    sent = await aiogram_bot.send_message(
        user.id, "<b>Willkommen</b> &amp; los", parse_mode="HTML",
        reply_markup=KEYBOARD, protect_content=True)
    assert sent.text == "Willkommen & los" and sent.has_protected_content
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.from_user is not None and sent.from_user.is_bot
    shown = await user.next_message()
    assert shown.kind == "send" and shown.protect_content and shown.parse_mode == "HTML"
    assert shown.buttons == [[("Ja, weiter", "step:yes"), ("Nein", "step:no")]]
    edited = await aiogram_bot.edit_message_text(
        "Schritt 2", chat_id=user.id, message_id=sent.message_id, reply_markup=KEYBOARD)
    assert isinstance(edited, Message) and edited.text == "Schritt 2"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text(
            "Schritt 2", chat_id=user.id, message_id=sent.message_id, reply_markup=KEYBOARD)
    await aiogram_bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id)
    edits = await user.messages_until(lambda m: m.method == "editMessageReplyMarkup")
    assert [(m.kind, m.text, m.buttons) for m in edits] == [
        ("edit", "Schritt 2", shown.buttons), ("edit", "Schritt 2", [])]
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await aiogram_bot.send_message(user.id, "1 < 2 <x>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await aiogram_bot.send_message(999, "hi")
    await user.assert_no_message(within=0.05)


async def test_click_and_answer_callback(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1004)
    sent = await aiogram_bot.send_message(user.id, "Weiter?", reply_markup=KEYBOARD)
    click = user.click_button(await user.next_message(), "weiter")
    [update] = await aiogram_bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "step:yes" and query.from_user.id == user.id
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert await aiogram_bot.answer_callback_query(query.id, text="Gespeichert", show_alert=True)
    answer = await user.callback_answer(click)
    assert (answer["text"], answer["show_alert"]) == ("Gespeichert", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await aiogram_bot.answer_callback_query(query.id)
    with pytest.raises(AssertionError, match="buttons"):
        user.click_button(sent.message_id, "Vielleicht")


async def test_files_roundtrip(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1005)
    user.send_photo(b"\xff\xd8jpeg-bytes", width=2000, height=1000)
    user.send_document(b"%PDF-1.7 test", "Bescheid.pdf", "application/pdf")
    photo_update, doc_update = await aiogram_bot.get_updates()
    assert photo_update.message is not None and photo_update.message.photo is not None
    assert [p.width for p in photo_update.message.photo] == [90, 320, 800, 1280, 2000]
    largest = await aiogram_bot.get_file(photo_update.message.photo[-1].file_id)
    buffer = await aiogram_bot.download(largest)
    assert isinstance(buffer, io.BytesIO) and buffer.getvalue() == b"\xff\xd8jpeg-bytes"
    assert doc_update.message is not None and doc_update.message.document is not None
    assert doc_update.message.document.file_name == "Bescheid.pdf"
    pdf = await aiogram_bot.download(doc_update.message.document.file_id)
    assert pdf is not None and pdf.read() == b"%PDF-1.7 test"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await aiogram_bot.get_file("nope")
    out = await aiogram_bot.send_document(
        user.id, BufferedInputFile(b"zip-bytes", "export.zip"), caption="Export",
        protect_content=True)
    shown = await user.next_message()
    assert shown.upload is not None and shown.upload.data == b"zip-bytes"
    assert (shown.text, shown.upload.filename, shown.protect_content) == ("Export", "export.zip",
                                                                         True)
    assert out.document is not None and out.document.file_name == "export.zip"


async def test_delete_and_block(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1006)
    sent = await aiogram_bot.send_message(user.id, "temporary")
    assert await aiogram_bot.delete_message(user.id, sent.message_id)
    assert user.deleted_message_ids == [sent.message_id]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await aiogram_bot.delete_message(user.id, sent.message_id)
    assert await aiogram_bot.send_chat_action(user.id, "typing")
    assert user.chat_actions == ["typing"]
    user.block()
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await aiogram_bot.send_message(user.id, "hello?")
    [update] = await aiogram_bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_commands_per_language(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    de = [BotCommand(command="start", description="Antrag beginnen")]
    scope = BotCommandScopeAllPrivateChats()
    assert await aiogram_bot.set_my_commands(de, scope=scope, language_code="de")
    english = [BotCommand(command="start", description="Start application")]
    assert await aiogram_bot.set_my_commands(english)
    german = await aiogram_bot.get_my_commands(scope=scope, language_code="de")
    assert [(c.command, c.description) for c in german] == [("start", "Antrag beginnen")]
    assert [c.description for c in await aiogram_bot.get_my_commands()] == ["Start application"]
    assert await aiogram_bot.get_my_commands(language_code="fr") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await aiogram_bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])
    assert await aiogram_bot.set_my_description("Hilfe", language_code="de")
    assert (await aiogram_bot.get_my_description(language_code="de")).description == "Hilfe"


async def test_fault_injection(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1007)
    bot_api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await aiogram_bot.send_message(user.id, "x")
    assert retry.value.retry_after == 3
    bot_api.fail_next("sendMessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await aiogram_bot.send_message(user.id, "x")
    await aiogram_bot.send_message(user.id, "finally")
    assert [m.text for m in user.transcript] == ["finally"]
    assert [c.status for c in bot_api.calls_of("sendMessage")] == [429, 500, 500, 200]


async def test_raw_wire_formats_and_unknown_method(bot_api: BotAPIServer) -> None:
    user = bot_api.user(1008)
    url = f"{bot_api.base_url}/bot{bot_api.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": user.id, "text": "j"}) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "j")
        async with http.get(f"{url}/sendMessage", params={"chat_id": user.id, "text": "q"}) as r:
            assert r.status == 200
        async with http.post(f"{url}/frobnicate", data={"a": "1"}) as r:
            assert (r.status, await r.json()) == (404, {
                "ok": False, "error_code": 404, "description": "Not Found"})
    assert [m.text for m in user.transcript] == ["j", "q"]
    assert [c.method for c in bot_api.unknown_calls] == ["frobnicate"]


async def test_allowed_updates_and_replay(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(1009)
    await aiogram_bot.get_updates(allowed_updates=["message"])
    sent = await aiogram_bot.send_message(user.id, "?", reply_markup=KEYBOARD)
    user.click(sent.message_id, "step:no")
    first = user.send_text("hi")
    [update] = await aiogram_bot.get_updates()
    assert update.update_id == first.update_id and len(bot_api.dropped_updates) == 1
    await aiogram_bot.get_updates(offset=first.update_id + 1)
    user.resend(first)
    [again] = await aiogram_bot.get_updates(offset=first.update_id + 1)
    assert again.update_id == first.update_id
    assert bot_api.deliveries[first.update_id] == 2


async def test_dispatcher_polling_round_trip(bot_api: BotAPIServer) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base_url))
    bot = Bot(bot_api.token, session=session)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    await bot_api.wait_polling()
    user = bot_api.user(1010)
    sent = user.send_text("Hallo")
    reply = await user.next_message(timeout=5)
    assert reply.text == "echo: Hallo"
    await bot_api.wait_confirmed(sent.update_id)
    await dispatcher.stop_polling()
    await asyncio.wait_for(polling, 5)
