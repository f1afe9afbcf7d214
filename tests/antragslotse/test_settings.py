"""Settings for production: webhook mode is checked at start-up, polling stays the default."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pydantic import ValidationError

from antragslotse import cli
from antragslotse.cli import SECRETS_VARIABLE
from antragslotse.settings import Settings

SECRET = "0123456789abcdef-_XYZ"


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def test_polling_is_the_default_and_needs_no_webhook() -> None:
    plain = settings()
    assert plain.mode == "polling" and plain.metrics_port is None
    assert plain.listen_address == ("127.0.0.1", 8080)


def test_webhook_mode_takes_the_path_and_the_listen_address() -> None:
    hook = settings(mode="webhook", webhook_url="https://bot.example.org/tg/hook",
                    webhook_secret=SECRET, listen="[::]:8443", environment="production")
    assert hook.webhook_path == "/tg/hook" and hook.listen_address == ("::", 8443)


@pytest.mark.parametrize(("env", "complaint"), [
    ({"mode": "webhook", "webhook_secret": SECRET}, "WEBHOOK_URL"),
    ({"mode": "webhook", "webhook_url": "https://bot.example.org/x"}, "WEBHOOK_SECRET"),
    ({"mode": "webhook", "webhook_url": "https://bot.example.org/x",
      "webhook_secret": "with spaces"}, "WEBHOOK_SECRET"),
    ({"mode": "webhook", "webhook_url": "http://bot.example.org/x", "webhook_secret": SECRET,
      "environment": "production"}, "https"),
    ({"mode": "webhook", "webhook_url": "ftp://bot.example.org/x", "webhook_secret": SECRET},
     "https"),
    ({"mode": "webhooks"}, "mode"),
    ({"listen": "8080"}, "LISTEN"),
    ({"listen": "0.0.0.0:99999"}, "LISTEN"),
    ({"throttle_rate": "0"}, "THROTTLE"),
])
def test_wrong_settings_stop_start_up(env: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings(**env)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTRAGSLOTSE_MODE", "webhook")
    monkeypatch.setenv("ANTRAGSLOTSE_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("ANTRAGSLOTSE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("ANTRAGSLOTSE_METRICS_PORT", "9100")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    found = Settings(_env_file=None)  # type: ignore[call-arg]
    assert found.mode == "webhook" and found.metrics_port == 9100
    assert found.webhook_secret is not None and found.webhook_secret.get_secret_value() == SECRET
    assert found.redis_url == "redis://cache:6379/0"
    assert SECRET not in repr(found)


def test_secrets_can_be_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As Docker mounts them in /run/secrets and systemd in $CREDENTIALS_DIRECTORY."""
    (tmp_path / "BOT_TOKEN").write_text("123:token\n")
    (tmp_path / "ANTRAGSLOTSE_WEBHOOK_SECRET").write_text(SECRET)
    (tmp_path / "DATABASE_URL").write_text("postgresql://bot:pw@db/antragslotse")
    monkeypatch.setenv(SECRETS_VARIABLE, str(tmp_path))
    monkeypatch.setattr(cli, "_dispatch", lambda args, found: seen.append(found) or 0)
    seen: list[Settings] = []
    assert cli.main(["diagram"]) == 0
    [found] = seen
    assert found.bot_token is not None and found.bot_token.get_secret_value() == "123:token"
    assert found.webhook_secret is not None
    assert found.webhook_secret.get_secret_value() == SECRET
    assert found.database_url == "postgresql://bot:pw@db/antragslotse"


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_export_progress_is_a_bar_on_a_terminal_and_silent_in_a_pipe() -> None:
    terminal, pipe = Terminal(True), Terminal(False)
    for stream in (terminal, pipe):
        show = cli._progress(stream)
        for done in range(1, 5):
            show(done, 4, f"attachments/{done}.pdf")
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 4 and "[" + "█" * 24 + "] 4/4 attachments/4.pdf\n" in drawn
    assert pipe.getvalue() == ""
