"""What every channel shares: the error a send raises, and the check of a group robot's address.

A channel's ``send(delivery, reminder, recipients)`` returns the recipient summary (one a line) or
raises :class:`ChannelError`:

- ``retryable=True``: the other side may accept it later (network, timeout, HTTP 5xx, a vendor's
  "busy"); the delivery is tried again with backoff.
- ``retryable=False``: trying again cannot help (the robot's address or signing secret is wrong);
  the delivery fails at once and waits for the plan office.
- :class:`NoRecipients`: nobody to send to (no e-mail address, the robot was removed); the
  delivery is marked "skipped", not failed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class ChannelError(Exception):
    """A send that did not go through. ``message`` is Chinese, for the send log; ``technical`` is the
    raw reason (HTTP status, vendor error code, exception text) kept beside it."""

    def __init__(self, message: str, *, technical: str = "", retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.technical = technical
        self.retryable = retryable

    def describe(self) -> str:
        return f"{self.message}（{self.technical}）" if self.technical else self.message


class NoRecipients(ChannelError):
    """Nobody to send to through this channel: the delivery is skipped."""

    def __init__(self, message: str):
        super().__init__(message, retryable=False)


# The path and the query parameter that identify each vendor's group-robot address.
_ROBOT_ADDRESS = {
    "wecom": ("/cgi-bin/webhook/send", "key", "企业微信"),
    "dingtalk": ("/robot/send", "access_token", "钉钉"),
}


def validate_webhook_url(url: str, *, channel: str | None = None) -> None:
    """Raise ``ValidationError`` (Chinese messages) unless ``url`` is a group-robot address we may post to.

    The host must be one of ``settings.REMINDER_WEBHOOK_ALLOWED_HOSTS`` (the vendors' robot APIs;
    exact host names, no sub-domains, no user name or password in the address), the scheme https
    unless ``REMINDER_WEBHOOK_REQUIRE_HTTPS`` is off (tests only). With ``channel`` ("wecom" or
    "dingtalk") the path and the key parameter must be those of that vendor's robots. The admin form,
    the settings page and every send call this, so an address saved before a rule changed is refused too.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as exc:
        raise ValidationError("群机器人地址格式不正确，请从群机器人设置中完整复制。", code="webhook_malformed") from exc
    allowed_schemes = {"https"} if settings.REMINDER_WEBHOOK_REQUIRE_HTTPS else {"https", "http"}
    if parts.scheme not in allowed_schemes:
        raise ValidationError("群机器人地址必须以 https:// 开头。", code="webhook_scheme")
    allowed_hosts = {name.lower() for name in settings.REMINDER_WEBHOOK_ALLOWED_HOSTS}
    if not host or host not in allowed_hosts or parts.username is not None or parts.password is not None:
        raise ValidationError(
            "群机器人地址只能是企业微信（qyapi.weixin.qq.com）或钉钉（oapi.dingtalk.com）的机器人地址。",
            code="webhook_host",
        )
    if channel is None:
        return
    if channel not in _ROBOT_ADDRESS:
        raise ValueError(f"unknown robot channel {channel!r}")
    path, key, vendor = _ROBOT_ADDRESS[channel]
    if parts.path != path or not parse_qs(parts.query).get(key, [""])[0]:
        raise ValidationError(
            f"这不是{vendor}群机器人的地址（应形如 https://{_example_host(channel)}{path}?{key}=…），"
            "请从群机器人设置中完整复制。",
            code="webhook_path",
        )


def _example_host(channel: str) -> str:
    return {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com"}[channel]


def unit_settings_of(reminder: Any) -> Any:
    """The reminder's unit's ``UnitReminderSettings`` row, or None (no unit, or no row: the defaults)."""
    department = reminder.department
    if department is None:
        return None
    from reminders.models import UnitReminderSettings

    try:
        return department.reminder_settings
    except UnitReminderSettings.DoesNotExist:
        return None


def robot_summary(label: str, url: str, key_param: str) -> str:
    """A robot as the send log shows it: its kind and the last characters of its key (never the whole key)."""
    key = parse_qs(urlsplit(url).query).get(key_param, [""])[0]
    return f"{label}（…{key[-4:]}）" if len(key) >= 8 else label
