"""The board profile: its name, reference prefix and the contacts the bot refers people to."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from dialogs.types import Param, Verbatim


class ProfileError(Exception):
    """The profile file is missing or incomplete."""


@dataclass(frozen=True)
class Contact:
    name: str
    contact: str


@dataclass(frozen=True)
class Profile:
    name: str
    operator: str
    secretariat_contact: str
    city: str
    reference_prefix: str
    secretariat: str
    verified: bool
    draft_days: int
    reminder_days: int
    warning_days: int
    acknowledged_days: int
    referrals: dict[str, tuple[Contact, ...]]  # "counselling", "urgent", "asylum"


def text_values(profile: Profile) -> dict[str, Param]:
    """The board's values that any message may name: {operator}, {secretariat}, {days}."""
    return {"operator": Verbatim(profile.operator),
            "secretariat": Verbatim(profile.secretariat_contact),
            "days": profile.draft_days}


def load_profile(path: Path) -> Profile:
    """Read and check a profile file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        board = raw["board"]
        referrals = {
            block: tuple(Contact(str(c["name"]), str(c["contact"])) for c in raw.get(block, []))
            for block in ("counselling", "urgent", "asylum")
        }
        retention = raw.get("retention", {})
        prefix = str(board["reference_prefix"])
        if not (prefix.isascii() and prefix.isalpha() and prefix.isupper() and len(prefix) <= 6):
            raise ProfileError("reference_prefix must be up to 6 capital letters")
        if not 0 < int(retention.get("reminder_days", 14)) < int(retention.get("draft_days", 90)):
            raise ProfileError("reminder_days must be between 0 and draft_days")
        if not referrals["counselling"] or not referrals["urgent"]:
            raise ProfileError("a profile needs counselling and urgent contacts")
        return Profile(
            name=str(board["name"]),
            operator=str(board["operator"]),
            secretariat_contact=str(board["secretariat_contact"]),
            city=str(board["city"]),
            reference_prefix=prefix,
            secretariat=str(board["secretariat"]),
            verified=bool(board.get("verified", False)),
            draft_days=int(retention.get("draft_days", 90)),
            reminder_days=int(retention.get("reminder_days", 14)),
            warning_days=int(retention.get("warning_days", 7)),
            acknowledged_days=int(retention.get("acknowledged_days", 30)),
            referrals=referrals,
        )
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"cannot use profile {path}: {exc}") from exc
