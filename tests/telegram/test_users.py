"""Self-tests for simulated users, chat observers and Telegram HTML parsing."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, ReplyParameters

from .markup import parse_html
from .server import BotAPIServer
from .wire import ApiError


def test_html_parse_mode_matches_telegram() -> None:
    text, entities = parse_html(
        '<b>Fett <i>kursiv</i></b> 😀 <a href="https://x.de">Link</a>\n'
        '<pre><code class="language-python">x=1</code></pre> &#228;&lt;')
    assert text == "Fett kursiv 😀 Link\nx=1 ä<"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "text_link", "offset": 15, "length": 4, "url": "https://x.de"},
        {"type": "pre", "offset": 20, "length": 3, "language": "python"},
    ]
    for bad in ("<b>offen", "zu</i>", "<span>x</span>", "a < b", "<script>x</script>"):
        with pytest.raises(ApiError, match="can't parse entities"):
            parse_html(bad)


async def test_all_user_update_kinds_validate(bot_api: BotAPIServer, aiogram_bot: Bot) -> None:
    user = bot_api.user(3001, first_name="Omar", language_code="ar", username="omar")
    first = user.send_text("Hallo")
    user.edit_text(first, "Hallo!")
    user.send_voice(b"OggS voice", duration=7)
    user.send_sticker()
    user.send_location(51.03, 6.98)
    user.send_contact("+49 214 0", first_name="Anwalt")
    reply = user.send_text("/help bitte", reply_to=first.message_id or 0)
    updates = await aiogram_bot.get_updates()
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    edited, voice, sticker, location, contact, command = (
        updates[1].edited_message, updates[2].message, updates[3].message,
        updates[4].message, updates[5].message, updates[6].message)
    assert edited is not None and edited.text == "Hallo!" and edited.edit_date
    assert voice is not None and voice.voice is not None and voice.voice.duration == 7
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji
    assert location is not None and location.location is not None
    assert contact is not None and contact.contact is not None
    assert contact.contact.user_id is None and contact.contact.first_name == "Anwalt"
    assert command is not None and command.reply_to_message is not None
    assert command.message_id == reply.message_id and command.from_user is not None
    assert command.from_user.language_code == "ar" and command.chat.username == "omar"
    voice_file = await aiogram_bot.get_file(voice.voice.file_id)
    assert voice_file.file_path is not None
    assert (await aiogram_bot.download_file(voice_file.file_path) or b"") != b""


async def test_reply_keyboard_and_request_contact(
    bot_api: BotAPIServer, aiogram_bot: Bot
) -> None:
    user = bot_api.user(3002)
    keyboard = ReplyKeyboardMarkup(keyboard=[
        [KeyboardButton(text="📞 Nummer teilen", request_contact=True)],
        [KeyboardButton(text="Abbrechen")]])
    sent = await aiogram_bot.send_message(user.id, "Ihre Nummer?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    shown = await user.next_message()
    assert shown.keyboard is not None and shown.keyboard[1][0]["text"] == "Abbrechen"
    shared = user.press_key("nummer")
    [update] = await aiogram_bot.get_updates()
    assert update.message is not None and update.message.contact is not None
    assert update.message.contact.user_id == user.id
    assert update.update_id == shared.update_id
    await aiogram_bot.send_message(user.id, "Danke", reply_markup=ReplyKeyboardRemove(),
                                   reply_parameters=ReplyParameters(message_id=sent.message_id))
    assert user.reply_keyboard == []
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await aiogram_bot.send_message(user.id, "x",
                                       reply_parameters=ReplyParameters(message_id=999))


async def test_group_chat_waits_and_helpful_timeouts(
    bot_api: BotAPIServer, aiogram_bot: Bot
) -> None:
    office = bot_api.add_chat(-1001234567890, "Geschäftsstelle")
    user = bot_api.user(3003)
    await aiogram_bot.send_message(office.id, "Neuer Antrag #7")
    assert (await office.next_message()).text == "Neuer Antrag #7"
    await aiogram_bot.send_message(user.id, "Schritt 1")
    await aiogram_bot.send_message(user.id, "Schritt 2")
    steps = await user.messages_until(lambda m: m.text.endswith("2"), timeout=1)
    assert [m.text for m in steps] == ["Schritt 1", "Schritt 2"]
    with pytest.raises(AssertionError, match=r"(?s)Recent transcript.*Schritt 2.*sendMessage"):
        await user.next_message(timeout=0.05)
    await aiogram_bot.send_message(user.id, "Überraschung")
    with pytest.raises(AssertionError, match="unexpected bot message"):
        await user.assert_no_message(within=0.05)
    user.skip()
    await user.assert_no_message(within=0.01)
