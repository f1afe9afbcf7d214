"""A scripted applicant who reads the bot's screens over the fake Bot API and answers them."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from dialogs import flow
from dialogs.content import INTERVIEW
from dialogs.content.addendum import ADDENDUM
from dialogs.model import Kind
from tests.telegram.store import BotMessage
from tests.telegram.users import Sent, User

# A real 1×1 JPEG, a small valid PDF and an Ogg/Opus header: judged by content, not by name.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA=")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\n% PDF-MARKER-5531\ntrailer<</Root 1 0 R>>\n%%EOF\n")
LETTER = PDF.replace(b"PDF-MARKER-5531", b"LETTER-MARKER-8080")  # for the Nachtrag
VOICE = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead\x01\x01" + b"\x00" * 40

TEXTS = {
    "persons.0.family_name": "Zuhra-Marker-Familienname",
    "persons.0.given_names": "Amira-Marker-Vorname",
    "persons.0.birth_place": "Mosul-Marker-Ort",
    "persons.0.birth_country": "Irak",
    "persons.0.nationality": "irakisch",
    "persons.0.address": "Marker-Straße 12, 51373 Leverkusen",
    "persons.0.phone": "0176 55512345",
    "persons.0.languages": "Arabisch, Kurdisch",
    "persons.0.file_number": "AZ-Marker-7781",
    "persons.1.family_name": "Zuhra-Marker-Kind",
    "persons.1.given_names": "Ali-Marker",
    "child.0.name": "Ali-Marker Zuhra",
    "child.0.school": "Marker-Grundschule Wiesdorf, Klasse 3",
    "employer": "Marker Bäckerei GmbH",
    "education_details": "Deutschkurs-Marker B1 seit 09/2021",
    "offer_details": "Ausbildung-Marker Koch",
    "doc_support_why": "Marker-Grund: Briefe kommen noch",
}
STORIES = {
    "story_week": "Montags-Marker: ich arbeite in der Bäckerei und bringe Ali zur Schule.",
    "story_leaving": "Verlust-Marker: wir hätten dort kein Zuhause mehr.",
    "story_children": "Kinder-Marker: Ali spricht nur Deutsch.",
    "addendum_facts": "Nachtrag-Marker: Ali hat einen Ausbildungsplatz.",
}
DATES = {"persons.0.birth_date": "14.03.1990", "persons.1.birth_date": "02.09.2017",
         "child.0.birth_date": "02.09.2017", "arrival": "03/2016", "lev_since": "05/2017",
         "work_since": "09/2022", "paper_until": "31.01.2027"}
CHOICES = {"role": "self", "lives_lev": "yes", "heard_before": "no", "petition": "no",
           "hardship_commission": "no", "convicted": "no", "persons.0.more": "yes",
           "persons.1.relation": "child", "persons.1.more": "no", "partner": "no",
           "children": "yes", "child.0.status": "duldung", "child.0.more": "no",
           "asylum": "rejected", "court_case": "no", "paper": "duldung", "passport": "yes",
           "health_consent": "skip", "german": "b1", "german_certificate": "yes",
           "working": "part", "offer": "yes", "living_costs": "mixed", "stay": "correct",
           "declare_true": "yes", "declare_share": "yes", "addendum_true": "yes"}
MULTI = {"threat": ["duldung"], "pending": ["none"], "education": ["course"],
         "benefits": ["kindergeld"]}
NUMBERS = {"hours": "25", "income": "1.150 €"}


def callback(message: BotMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def path_of(message: BotMessage) -> str | None:
    """The screen a message shows, read from its buttons' typed callback data."""
    for data in callback(message):
        if data.startswith("t:"):
            return data.split(":")[1]
    return None


def button(message: BotMessage, action: str, value: str = "") -> str:
    for data in callback(message):
        _, _, act, val = data.split(":", 3)
        if act == action and val == value:
            return data
    raise AssertionError(f"no {action}:{value} button in {message}")


@dataclass
class Applicant:
    user: User
    typed: list[str] = field(default_factory=list)

    async def screen(self, timeout: float = 20) -> BotMessage:
        """The next message that shows a screen (or the submission confirmation)."""
        found = await self.user.messages_until(
            lambda m: path_of(m) is not None or "LEV-" in m.text, timeout=timeout)
        return found[-1]

    def say(self, text: str) -> Sent:
        self.typed.append(text)
        return self.user.send_text(text)

    async def answer(self, message: BotMessage) -> BotMessage:
        """Answer the screen shown in ``message``; return the next screen."""
        path = path_of(message)
        assert path is not None and not path.startswith("@"), message
        step = flow.locate(INTERVIEW, path) or flow.locate(ADDENDUM, path)
        assert step is not None, path
        kind = step.question.kind
        if kind is Kind.INFO:
            self.user.click(message, button(message, "next"))
        elif kind is Kind.CHOICE:
            choice = CHOICES.get(path, step.question.choices[0].id)
            self.user.click(message, button(message, "pick", choice))
        elif kind is Kind.MULTI:
            for choice in MULTI[path]:
                self.user.click(message, button(message, "toggle", choice))
                message = await self.screen()
            self.user.click(message, button(message, "done"))
        elif kind is Kind.STORY:
            return await self._story(message, path)
        elif kind is Kind.DOCUMENT:
            return await self._document(message, path)
        elif kind is Kind.DATE:
            self.say(DATES.get(path, "03/2016"))
        elif kind is Kind.NUMBER:
            self.say(NUMBERS[path])
        elif kind is Kind.PHONE:
            self.say(TEXTS.get(path, "+49 176 12345678"))
        else:
            self.say(TEXTS.get(path, f"Antwort-Marker-{path}"))
        return await self.screen()

    async def _story(self, message: BotMessage, path: str) -> BotMessage:
        if step_optional(path) and path not in STORIES:
            self.user.click(message, button(message, "skip"))
            return await self.screen()
        self.say(STORIES.get(path, f"Geschichte-Marker zu {path}."))
        message = await self.screen()
        if path == "story_week":
            self.user.send_voice(VOICE)
            message = await self.screen()
        self.user.click(message, button(message, "done"))
        return await self.screen()

    async def _document(self, message: BotMessage, path: str) -> BotMessage:
        if path == "doc_id":
            self.user.send_photo(JPEG, width=1, height=1)
        elif path == "doc_paper":
            self.user.send_document(PDF, "duldung.pdf", "application/pdf")
        elif path == "addendum_documents":
            self.user.send_document(LETTER, "ausbildung.pdf", "application/pdf")
        elif path == "doc_support":
            self.user.click(message, button(message, "missing"))
            return await self.screen()
        else:
            self.user.click(message, button(message, "later"))
            return await self.screen()
        message = await self.screen()
        self.user.click(message, button(message, "done"))
        return await self.screen()


def step_optional(path: str) -> bool:
    step = flow.locate(INTERVIEW, path) or flow.locate(ADDENDUM, path)
    return step is not None and step.question.optional
