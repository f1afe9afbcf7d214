"""Screens and turns as text, for every channel: the bot adds keyboards, the console numbers."""

from __future__ import annotations

from antragslotse.intake import Turn
from antragslotse.profile import Profile
from dialogs.screens import Screen
from dialogs.types import N_, Param, Text, Verbatim, t
from locales.render import Renderer

REFERRAL_HEADINGS = {
    "counselling": N_("Free and independent counselling:"),
    "urgent": N_("Urgent help:"),
    "asylum": N_("Asylum counselling:"),
}
SUBMITTED = N_(
    "Your application was sent ✓\n\nYour reference number: {reference}\n\n"
    "What happens next: the secretariat checks your application and contacts you. "
    "Then the board talks about your case and gives its advice to the foreigners' "
    "office. The board can only recommend; it cannot decide.\n\n"
    "To add new facts or documents later, send /add. To withdraw the application, contact "
    "the secretariat and give your reference number. Your draft was deleted from this bot.")
ADDENDUM_SENT = N_(
    "Your addition was sent ✓\n\nIt belongs to your application {reference}. The "
    "secretariat adds it to your application. Your draft was deleted from this bot.")


class Presenter:
    """Everything a person reads comes through here, translated."""

    def __init__(self, renderer: Renderer, profile: Profile) -> None:
        self.render = renderer
        self.profile = profile

    def text(self, item: Param, lang: str) -> str:
        return self.render(item, lang)

    def turn_text(self, turn: Turn) -> str:
        """Notes, then the screen (or the confirmation of a sent application)."""
        lang = turn.language
        if turn.reference is not None and turn.addendum is not None:
            return self.render(Text(ADDENDUM_SENT, {"reference": Verbatim(turn.reference)}), lang)
        if turn.reference is not None:
            return self.submitted(turn.reference, lang)
        parts = [self.render(note, lang) for note in turn.notes]
        if turn.screen is not None:
            parts.append(self.screen_text(turn.screen, lang))
        return "\n\n".join(parts)

    def screen_text(self, screen: Screen, lang: str) -> str:
        lines = [self.render(screen.heading, lang)] if screen.heading else []
        lines += [self.render(text, lang) for text in screen.body]
        lines += [self.referral(block, lang) for block in screen.referral]
        return "\n\n".join(lines)

    def referral(self, block: str, lang: str) -> str:
        contacts = self.profile.referrals.get(block, ())
        lines = [self.render(t(REFERRAL_HEADINGS[block]), lang)]
        lines += [self.render(t(N_("• {name}: {contact}"), name=Verbatim(c.name),
                                contact=Verbatim(c.contact)), lang) for c in contacts]
        return "\n".join(lines)

    def labels(self, screen: Screen, lang: str) -> list[list[str]]:
        return [[self.render(b.label, lang) for b in row] for row in screen.buttons]

    def submitted(self, reference: str, lang: str) -> str:
        text = self.render(Text(SUBMITTED, {"reference": Verbatim(reference)}), lang)
        return text + "\n\n" + self.referral("counselling", lang)
