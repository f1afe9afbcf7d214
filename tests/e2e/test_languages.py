"""In Arabic, then Tigrinya: switch language mid-way, submit, and the German file keeps both."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.e2e.applicant import STORIES, Applicant, button, path_of
from tests.e2e.test_full_application import ROOT, environment, secretariat
from tests.telegram.process import BotProcess
from tests.telegram.server import BotAPIServer

ARABIC = "أعمل في مخبز وأبني يذهب إلى المدرسة في ليفركوزن."
TIGRINYA = "ኣብ ሌቨርኩዘን ንሰርሕን ንመሃርን ኢና።"
FSI, PDI = "\u2068", "\u2069"


async def test_arabic_then_tigrinya_reaches_the_secretariat_verbatim(tmp_path: Path,
                                                                     monkeypatch: object) -> None:
    data = tmp_path / "data"
    stories = {**STORIES, "story_week": ARABIC, "story_leaving": TIGRINYA}
    monkeypatch.setattr("tests.e2e.applicant.STORIES", stories)  # type: ignore[attr-defined]
    async with BotAPIServer() as server:
        user = server.user(2024, first_name="Amira", language_code="ar")
        me = Applicant(user)
        async with BotProcess(tmp_path / "logs", environment(server, data), cwd=ROOT) as bot:
            server.diagnostics.append(bot.describe)
            await server.wait_polling(timeout=60)
            user.send_command("/start")
            picker = await user.next_message()
            assert picker.buttons[0][0] == ("العربية", "l:ar")
            user.click(picker, "l:ar")
            screen = await me.screen()
            assert "الجزء" in screen.text  # "Section", in Arabic
            while path_of(screen) != "story_leaving":
                screen = await me.answer(screen)
            assert f"{FSI}Amira" not in screen.text  # nothing of the person shown unasked

            user.send_command("/language")
            picker = await user.next_message()
            user.click(picker, "l:ti")
            screen = await me.screen()
            assert path_of(screen) == "story_leaving" and "ክፋል" in screen.text  # Tigrinya
            while not (path_of(screen) or "").startswith("@"):
                screen = await me.answer(screen)
            user.click(screen, button(screen, "section", "persons"))
            persons = await me.screen()
            assert "Zuhra-Marker-Familienname" in persons.text
            user.click(persons, button(persons, "review"))
            overview = await me.screen()
            user.click(overview, button(overview, "submit"))
            done = await me.screen()
            assert "LEV-" in done.text

    found = re.search(r"LEV-\d{4}-\d{4}", secretariat(data, "list"))
    assert found is not None
    reference = found.group()
    out = tmp_path / "export"
    secretariat(data, "export", reference, str(out), "--key",
                str(data / "dev-keys" / "secretariat.key"))
    application = json.loads((out / "application.json").read_text(encoding="utf-8"))
    texts = {e["path"]: e["value"] for s in application["sections"] for e in s["entries"]}
    assert texts["story_week"]["text"][0] == ARABIC and texts["story_week"]["lang"] == "ar"
    assert texts["story_leaving"] == {"text": [TIGRINYA], "lang": "ti"}
    summary = (out / "zusammenfassung.txt").read_text(encoding="utf-8")
    assert ARABIC in summary and TIGRINYA in summary
    assert "Arabisch" in summary and "Tigrinya" in summary
    assert "Ihre Geschichte" in summary  # German labels, whatever the applicant's language
