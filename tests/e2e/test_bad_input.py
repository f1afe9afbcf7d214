"""Bad input over the real bot: kind messages in the person's language, nothing entered lost."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.applicant import JPEG, Applicant, button, path_of
from tests.e2e.test_full_application import ROOT, environment
from tests.telegram.process import BotProcess
from tests.telegram.server import BotAPIServer
from tests.telegram.store import BotMessage


async def expect_same_screen(me: Applicant, path: str) -> BotMessage:
    """A hint, then the same question again."""
    screen = await me.screen()
    assert path_of(screen) == path, screen
    return screen


async def test_nonsense_is_refused_kindly_and_nothing_is_lost(tmp_path: Path) -> None:
    async with BotAPIServer() as server:
        user = server.user(815, first_name="Test", language_code="de")
        me = Applicant(user)
        async with BotProcess(tmp_path / "logs", environment(server, tmp_path / "data"),
                              cwd=ROOT) as bot:
            server.diagnostics.append(bot.describe)
            await server.wait_polling(timeout=60)
            user.send_text("hallo")  # no draft yet: the language picker
            picker = await user.next_message()
            user.click(picker, "l:de")
            screen = await me.screen()
            while path_of(screen) != "persons.0.family_name":
                screen = await me.answer(screen)

            me.say("x" * 500)  # too long for a name
            screen = await expect_same_screen(me, "persons.0.family_name")
            assert "100" in screen.text
            user.send_location(50.03, 6.98)
            await expect_same_screen(me, "persons.0.family_name")
            user.send_photo(JPEG)  # a photo where a name is asked
            await expect_same_screen(me, "persons.0.family_name")
            me.say("Zuhra-Marker")
            screen = await me.screen()
            me.say("Amira")
            screen = await me.screen()
            assert path_of(screen) == "persons.0.birth_date"
            me.say("31.02.1990")  # that day does not exist
            screen = await expect_same_screen(me, "persons.0.birth_date")
            assert "Februar" in screen.text or "29" in screen.text or "28" in screen.text
            me.say("gestern")
            await expect_same_screen(me, "persons.0.birth_date")

            forged = user.click(screen, "t:persons.0.birth_date:pick:not-a-choice")
            await expect_same_screen(me, "persons.0.birth_date")
            unreadable = user.click(screen, "xyz:garbage")
            answer = await user.callback_answer(unreadable)
            assert answer.get("text")  # a kind note in the toast
            await expect_same_screen(me, "persons.0.birth_date")
            assert forged.update_id < unreadable.update_id

            while path_of(screen) != "doc_id":
                screen = await me.answer(screen)
            fake = b"MZ\x90\x00" + b"\x00" * 200  # a program, named like a PDF
            user.send_document(fake, "pass.pdf", "application/pdf")
            screen = await expect_same_screen(me, "doc_id")
            huge = {"file_id": "huge", "file_unique_id": "huge", "file_name": "scan.pdf",
                    "mime_type": "application/pdf", "file_size": 25 * 1024 * 1024}
            downloads = len(server.calls_of("getFile"))
            user.send_raw(document=huge)
            screen = await expect_same_screen(me, "doc_id")
            assert "20 MB" in screen.text
            assert len(server.calls_of("getFile")) == downloads  # refused before downloading

            user.send_command("/review")
            overview = await me.screen()
            user.click(overview, button(overview, "section", "persons"))
            persons = await me.screen()
            assert "Zuhra-Marker" in persons.text and "Amira" in persons.text

            user.send_command("/mydata")
            mine = await user.next_message()
            assert "Zuhra-Marker" in mine.text and mine.protect_content
            user.send_command("/withdraw")
            choice = (await user.messages_until(lambda m: "w:health" in str(m.buttons)))[-1]
            user.click(choice, "w:health")
            taken = (await user.messages_until(lambda m: m.kind == "edit"))[-1]
            assert "/start" in taken.text

            user.send_command("/delete")
            confirm = await user.next_message()
            user.click(confirm, confirm.buttons[0][0][1] or "")
            deleted = await user.next_message()
            assert "gelöscht" in deleted.text
            user.send_command("/start")
            again = await user.next_message()
            assert again.buttons[0][0][1] == "l:de"  # a fresh start
