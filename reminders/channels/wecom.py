"""WeCom (企业微信) group robot: a markdown message posted to the unit's robot address.

Format: ``{"msgtype": "markdown", "markdown": {"content": "..."}}``, content at most 4096 bytes;
success is HTTP 200 with ``{"errcode": 0}``.
"""

from __future__ import annotations

from typing import Any

from reminders.channels.base import NoRecipients, robot_summary, unit_settings_of
from reminders.channels.http import check_errcode, post_json
from reminders.channels.messages import robot_markdown
from reminders.models import Delivery, Reminder

VENDOR = "企业微信"
# Codes that trying again cannot fix (the address is wrong or the robot is gone).
PERMANENT_ERRORS = {93000: "机器人地址无效，请在单位提醒设置中重新填写"}


def payload(reminder: Reminder) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": robot_markdown(reminder)}}


def send(delivery: Delivery, reminder: Reminder, recipients: Any = None) -> str:
    url = robot_url(reminder)
    check_errcode(post_json(url, payload(reminder), channel="wecom", vendor=VENDOR), vendor=VENDOR, permanent=PERMANENT_ERRORS)
    return robot_summary("企业微信群机器人", url, "key")


def robot_url(reminder: Reminder) -> str:
    unit_settings = unit_settings_of(reminder)
    url = unit_settings.wecom_webhook_url.strip() if unit_settings else ""
    if not url:
        raise NoRecipients("本单位已不再使用企业微信群机器人，未发送。")
    return url
