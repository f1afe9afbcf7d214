"""deploy/ and the code agree: variable names, the webhook path, the commands it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from antragslotse.cli import PASSPHRASE_VARIABLE, SECRETS_VARIABLE, parser
from antragslotse.settings import Settings
from antragslotse.wiring import DEV_PASSPHRASE_VARIABLE
from storage.keys import ENV_VAR as KEYS_VARIABLE

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FILES = sorted(p for p in DEPLOY.iterdir() if p.is_file())
OTHER_VARIABLES = {SECRETS_VARIABLE, PASSPHRASE_VARIABLE, DEV_PASSPHRASE_VARIABLE, KEYS_VARIABLE}


def known_variables() -> set[str]:
    names = set(OTHER_VARIABLES)
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"ANTRAGSLOTSE_{name.upper()}")
    return names


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_variable_named_in_deploy_exists(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    named = set(re.findall(r"\bANTRAGSLOTSE_[A-Z_]*[A-Z]\b", text))
    named |= {m for m in re.findall(r"\b(?:BOT_TOKEN|DATABASE_URL|REDIS_URL|TELEGRAM_API_BASE)\b",
                                    text)}
    assert named - known_variables() == set()


def test_caddy_forwards_the_path_the_bot_listens_on() -> None:
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    url = re.search(r"ANTRAGSLOTSE_WEBHOOK_URL: https://\$\{BOT_DOMAIN[^}]*\}(/\S*)", compose)
    assert url is not None
    path = Settings(_env_file=None, mode="webhook",  # type: ignore[call-arg]
                    webhook_url=f"https://bot.example.org{url.group(1)}",
                    webhook_secret="x").webhook_path
    assert path == "/telegram/hook" and f"@telegram path {path}\n" in caddy
    assert "dynamic a bot 8080" in caddy and "ANTRAGSLOTSE_LISTEN=0.0.0.0:8080" in (
        DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def test_secret_files_are_named_like_the_settings() -> None:
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    targets = set(re.findall(r"target: ([A-Z_]+)\n", compose))
    assert targets == {"BOT_TOKEN", "DATABASE_URL", "ANTRAGSLOTSE_WEBHOOK_SECRET"}
    assert targets <= known_variables()


def test_the_commands_deploy_runs_exist() -> None:
    commands = set(parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    text = "\n".join(p.read_text(encoding="utf-8") for p in FILES)
    used = set(re.findall(r'antragslotse (\w+)', text)) | set(re.findall(
        r'command: \["(\w+)"\]', text)) | set(re.findall(r'CMD \["(\w+)"\]', text))
    used &= {"run", "migrate", "keys", "secretariat", "console", "diagram", "rotate", "init"}
    assert used - {"rotate", "init"} <= commands and {"run", "migrate", "keys"} <= used
