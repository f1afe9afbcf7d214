"""Gettext catalogs (``<lang>/LC_MESSAGES/messages.po``) and the one place that translates."""
