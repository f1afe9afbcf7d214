"""A console session: numbered buttons, typed answers, ``:file PATH`` for documents."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from antragslotse import wiring
from antragslotse.intake import Intake, Turn
from antragslotse.presenter import Presenter
from antragslotse.settings import Settings
from dialogs.inputs import Action, Press, Say
from dialogs.types import Role
from locales.catalogs import Catalogs
from locales.render import Renderer

HELP = ("Type the number of a button, or write your answer. "
        ":file PATH attaches a photo or PDF; :voice PATH a voice note (Ogg); "
        ":review shows all answers; :quit stops (the draft stays saved).")
Ask = Callable[[str], Awaitable[str]]


async def run_console(settings: Settings, language: str, staff: str = "",
                      interpreter: str = "") -> None:
    """Run one interview in this terminal against the configured store."""
    board = wiring.profile(settings)
    catalogs = Catalogs()
    if not catalogs.offers(language):
        raise wiring.SetupError(f"language {language!r} is not offered; choose one of "
                                + ", ".join(x.code for x in catalogs.languages))
    store = await wiring.store(settings, board)
    try:
        intake = Intake(store, wiring.interview(), dt.date.today, language)
        presenter = Presenter(wiring.renderer(catalogs, board), board)
        owner = f"console:{uuid.uuid4()}"
        if staff:
            intake.recorded[owner] = {"staff": staff, "interpreter": interpreter,
                                      "date": dt.date.today().isoformat(), "read_back": "no"}
        await converse(intake, presenter, owner, language, _ask, print)
    finally:
        await store.close()


async def _ask(prompt: str) -> str:
    return await asyncio.to_thread(input, prompt)


async def converse(intake: Intake, presenter: Presenter, owner: str, language: str,
                   ask: Ask, say: Callable[[str], object]) -> str | None:
    """The loop; returns the reference once the application was sent."""
    say(HELP)
    turn = await intake.begin(owner, language)
    while turn is not None and turn.reference is None:
        say(_show(presenter, turn))
        line = (await ask("> ")).strip()
        if line == ":quit":
            return None
        turn = await _answer(intake, owner, turn, line, ask) or turn
    if turn is not None and turn.reference is not None:
        say(presenter.turn_text(turn))
        return turn.reference
    return None


def _show(presenter: Presenter, turn: Turn) -> str:
    text = presenter.turn_text(turn)
    if turn.screen is None:
        return text
    numbered = [f"[{n}] {label}" for n, label in
                enumerate((x for row in presenter.labels(turn.screen, turn.language)
                           for x in row), start=1)]
    return text + ("\n\n" + "  ".join(numbered) if numbered else "")


async def _answer(intake: Intake, owner: str, turn: Turn, line: str, ask: Ask) -> Turn | None:
    buttons = [b for row in turn.screen.buttons for b in row] if turn.screen else []
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        button = buttons[int(line) - 1]
        reading_back = button.action is Action.SUBMIT and owner in intake.recorded
        if reading_back and not await _read_back(intake, owner, turn.language, ask):
            return None
        return await intake.apply(owner, Press(button.path, button.action, button.value),
                                  Role.STAFF)
    if line == ":review":
        return await intake.review(owner)
    for command, kind in ((":file ", "file"), (":voice ", "voice")):
        if line.startswith(command):
            return await _upload(intake, owner, Path(line[len(command):].strip()), kind)
    return await intake.apply(owner, Say(line), Role.STAFF)


async def _read_back(intake: Intake, owner: str, language: str, ask: Ask) -> bool:
    """Zur Niederschrift: read every answer back; send only once the person confirmed."""
    from antragslotse.privacy import Privacy

    data = await Privacy(intake).my_data(owner)
    renderer = Renderer(Catalogs())
    print("\n\n".join(renderer(text, language) for text in data.sections))
    answer = await ask("Read back to the applicant and confirmed? [yes/no] ")
    confirmed = answer.strip().lower() in ("yes", "y", "ja", "j")
    if confirmed:
        intake.recorded[owner]["read_back"] = "yes"
    return confirmed


async def _upload(intake: Intake, owner: str, path: Path, wanted: str) -> Turn | None:
    from bot.files import sniff  # content sniffing only; imports no aiogram

    data = path.read_bytes() if path.is_file() else b""
    found = sniff(data) if data else None
    if found is None or (found[0] == "voice") != (wanted == "voice"):
        print("This file cannot be used: please give a photo (JPEG/PNG) or a PDF.")
        return None
    kind, mime = found
    return await intake.add_file(owner, data, kind, mime, Role.STAFF, None)
