"""Turns and screens as Telegram messages: plain text (never markup) and inline keyboards."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from antragslotse.intake import Turn
from antragslotse.presenter import Presenter
from bot.callbacks import ConfirmDelete, PickLanguage, Tap
from dialogs.screens import Screen
from dialogs.types import N_, Param, t
from locales.catalogs import Language

LIMIT = 4000  # Telegram allows 4096 characters per message


@dataclass(frozen=True)
class Reply:
    text: str
    markup: InlineKeyboardMarkup | None = None
    protect: bool = True  # answers are personal: no forwarding or saving from the chat


class View:
    """Telegram's shape of what the presenter says."""

    def __init__(self, presenter: Presenter) -> None:
        self.presenter = presenter

    def text(self, item: Param, lang: str) -> str:
        return self.presenter.text(item, lang)

    def referral(self, block: str, lang: str) -> str:
        return self.presenter.referral(block, lang)

    def turn(self, turn: Turn) -> Reply:
        text = self.presenter.turn_text(turn) or self.text(t(N_("Please send /start.")),
                                                           turn.language)
        if turn.reference is not None:  # the reference may be forwarded to a helper
            return Reply(_fit(text), protect=False)
        markup = self.keyboard(turn.screen, turn.language) if turn.screen else None
        return Reply(_fit(text), markup)

    def keyboard(self, screen: Screen, lang: str) -> InlineKeyboardMarkup | None:
        labels = self.presenter.labels(screen, lang)
        return _markup(tuple(
            tuple((label, b.path, b.action.value, b.value)
                  for label, b in zip(texts, row, strict=True))
            for texts, row in zip(labels, screen.buttons, strict=True)))

    def picker(self, languages: tuple[Language, ...], first: str, lang: str) -> Reply:
        ordered = sorted(languages, key=lambda x: (x.code != first, x.code))
        rows = [[InlineKeyboardButton(text=x.name, callback_data=PickLanguage(code=x.code).pack())]
                for x in ordered]
        prompt = self.text(t(N_("Which language do you want?")), lang)
        if lang != "en":
            prompt += "\n" + self.text(t(N_("Which language do you want?")), "en")
        return Reply(prompt, InlineKeyboardMarkup(inline_keyboard=rows), protect=False)

    def confirm_delete(self, lang: str) -> Reply:
        rows = [[InlineKeyboardButton(text=self.text(t(N_("Yes, delete everything")), lang),
                                      callback_data=ConfirmDelete(sure=True).pack())],
                [InlineKeyboardButton(text=self.text(t(N_("No, keep my answers")), lang),
                                      callback_data=ConfirmDelete(sure=False).pack())]]
        question = t(N_("Do you really want to delete all your answers and files? "
                        "This cannot be undone."))
        return Reply(self.text(question, lang), InlineKeyboardMarkup(inline_keyboard=rows))


@lru_cache(maxsize=512)
def _markup(rows: tuple[tuple[tuple[str, str, str, str], ...], ...]
            ) -> InlineKeyboardMarkup | None:
    """The keyboard of (label, path, action, value) rows: the same for every person on the
    same question in the same language, so built once (aiogram's objects are not cheap)."""
    built = [[InlineKeyboardButton(text=label, callback_data=Tap(
                  path=path, action=action, value=value).pack())
              for label, path, action, value in row]
             for row in rows]
    return InlineKeyboardMarkup(inline_keyboard=built) if built else None


def _fit(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"
