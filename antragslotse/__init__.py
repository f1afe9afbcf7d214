"""Antragslotse: the application shell (settings, board profile, intake service, CLI)."""
