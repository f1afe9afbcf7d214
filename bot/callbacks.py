"""Typed callback data: buttons carry ids (question path, action, choice), never labels."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class Tap(CallbackData, prefix="t"):
    """A button of an interview screen."""

    path: str
    action: str
    value: str = ""


class PickLanguage(CallbackData, prefix="l"):
    code: str


class ConfirmDelete(CallbackData, prefix="d"):
    sure: bool


class Withdraw(CallbackData, prefix="w"):
    what: str  # "health", "all", "cancel"


class AddTo(CallbackData, prefix="a"):
    """Start a Nachtrag to one of the person's sent applications."""

    reference: str
