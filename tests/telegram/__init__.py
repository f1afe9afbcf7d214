"""Local Telegram Bot API fake, simulated users and bot subprocess helpers for tests."""

from .chats import Chat
from .process import BotProcess
from .server import BotAPIServer
from .store import BotMessage
from .users import Sent, User
from .webhook import Delivery, WebhookSender
from .wire import Call, Upload

__all__ = ["BotAPIServer", "BotMessage", "BotProcess", "Call", "Chat", "Delivery", "Sent", "Upload",
           "User", "WebhookSender"]
