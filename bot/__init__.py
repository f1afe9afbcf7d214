"""The Telegram adapter (aiogram 3): thin handlers over the shared intake service."""
