"""The ways a reminder reaches people: e-mail, the in-app notification centre, and the WeCom (企业微信)
and DingTalk (钉钉) group robots. One module per channel, each with
``send(delivery, reminder, recipients) -> str`` (see :mod:`reminders.channels.base`).

``validate_webhook_url(url, channel=...)`` is the robot-address check the admin form and the unit
settings page call (through :mod:`reminders.validation`).
"""

from __future__ import annotations

from types import ModuleType

from reminders.channels.base import ChannelError, NoRecipients, validate_webhook_url

__all__ = ["ChannelError", "NoRecipients", "channel_module", "validate_webhook_url"]


def channel_module(channel: str) -> ModuleType:
    """The module that sends through ``channel`` (a ``reminders.models.Channel`` value)."""
    from reminders.channels import dingtalk, email, inapp, wecom

    modules = {"email": email, "inapp": inapp, "wecom": wecom, "dingtalk": dingtalk}
    try:
        return modules[channel]
    except KeyError:
        raise ChannelError("未知的发送渠道。", technical=f"channel={channel!r}", retryable=False) from None
