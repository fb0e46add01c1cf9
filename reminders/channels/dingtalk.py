"""DingTalk (钉钉) group robot: a markdown message posted to the unit's robot address.

Format: ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``. A robot with 加签
(signing) gets ``&timestamp=<ms>&sign=<urlencoded base64(hmac_sha256(secret, f"{timestamp}\\n{secret}"))>``
appended to its address. Success is ``{"errcode": 0}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

from reminders.channels.base import NoRecipients, robot_summary, unit_settings_of
from reminders.channels.http import check_errcode, post_json
from reminders.channels.messages import robot_markdown
from reminders.models import Delivery, Reminder

VENDOR = "钉钉"
PERMANENT_ERRORS = {
    300001: "机器人地址（access_token）无效，请在单位提醒设置中重新填写",
    310000: "不符合机器人的安全设置（加签密钥、关键词或 IP 地址），请核对单位提醒设置",
}


def payload(reminder: Reminder) -> dict[str, Any]:
    # DingTalk renders a single newline as a space: paragraphs keep the digest's lines apart.
    return {"msgtype": "markdown", "markdown": {"title": reminder.title, "text": robot_markdown(reminder, line_break="\n\n")}}


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 of HMAC-SHA256 over "timestamp\\nsecret" keyed with the secret, URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def send(delivery: Delivery, reminder: Reminder, recipients: Any = None) -> str:
    unit_settings = unit_settings_of(reminder)
    url = unit_settings.dingtalk_webhook_url.strip() if unit_settings else ""
    if not url:
        raise NoRecipients("本单位已不再使用钉钉群机器人，未发送。")
    target = signed_url(url, unit_settings.dingtalk_secret.strip())
    check_errcode(post_json(target, payload(reminder), channel="dingtalk", vendor=VENDOR), vendor=VENDOR, permanent=PERMANENT_ERRORS)
    return robot_summary("钉钉群机器人", url, "access_token")
