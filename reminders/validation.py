"""The rules of a unit's reminder channels, shared by the admin form, the settings page and its service.

- at least one channel stays on (e-mail, in-app, or a robot), or the unit hears nothing;
- robot addresses pass the channels' webhook check (allowed hosts; https in production);
- a DingTalk signing secret starts with ``SEC`` and needs the DingTalk robot's address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

NO_CHANNEL = "至少保留一个提醒渠道（电子邮件、站内通知或群机器人），否则本单位收不到任何提醒。"


def webhook_errors(url: str, *, channel: str) -> list[str]:
    """Why the channels would refuse this robot address (Chinese), or []."""
    from reminders.channels import validate_webhook_url

    try:
        validate_webhook_url(url, channel=channel)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def unit_channel_errors(
    *,
    email_enabled: bool,
    inapp_enabled: bool,
    wecom_webhook_url: str,
    dingtalk_webhook_url: str,
    dingtalk_secret: str,
) -> dict[str, list[str]]:
    """The errors per field ("__all__" for the settings as a whole); empty when the settings are valid."""
    errors: dict[str, list[str]] = {}
    for field, url, channel in (
        ("wecom_webhook_url", wecom_webhook_url, "wecom"),
        ("dingtalk_webhook_url", dingtalk_webhook_url, "dingtalk"),
    ):
        if url:
            problems = webhook_errors(url, channel=channel)
            if problems:
                errors[field] = problems
    if dingtalk_secret and not dingtalk_secret.startswith("SEC"):
        errors["dingtalk_secret"] = ["钉钉加签密钥以 SEC 开头，请从钉钉机器人的安全设置中完整复制。"]
    if dingtalk_secret and not dingtalk_webhook_url:
        errors.setdefault("dingtalk_webhook_url", []).append("填写了钉钉加签密钥，但没有填写钉钉群机器人地址。")
    if not (email_enabled or inapp_enabled or wecom_webhook_url or dingtalk_webhook_url):
        errors["__all__"] = [NO_CHANNEL]
    return errors
