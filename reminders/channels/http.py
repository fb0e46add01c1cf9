"""Posting JSON to a group robot with the standard library: a short timeout, no redirects, a bounded reply."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from reminders.channels.base import ChannelError, validate_webhook_url

MAX_REPLY_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot API never redirects; following one could lead the server to a host the allow-list refuses."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, payload: dict[str, Any], *, channel: str, vendor: str) -> dict[str, Any]:
    """POST ``payload`` to the robot at ``url`` and return its JSON reply.

    Raises :class:`ChannelError`: retryable for network trouble, timeouts, HTTP 429 and 5xx and a
    reply that is not JSON; not retryable for a refused address, a redirect or another 4xx.
    """
    try:
        validate_webhook_url(url, channel=channel)
    except ValidationError as exc:
        raise ChannelError(f"{vendor}群机器人地址不可用：{'；'.join(exc.messages)}", retryable=False) from exc
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.REMINDER_WEBHOOK_TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read(MAX_REPLY_BYTES)
    except urllib.error.HTTPError as exc:
        status = exc.code
        retryable = status == 429 or status >= 500
        if 300 <= status < 400:
            raise ChannelError(f"{vendor}群机器人地址发生跳转，未发送", technical=f"HTTP {status}", retryable=False) from exc
        raise ChannelError(
            f"{vendor}服务器{'暂时无法处理' if retryable else '拒绝了'}请求", technical=f"HTTP {status}", retryable=retryable
        ) from exc
    except OSError as exc:  # URLError, timeouts, refused and reset connections
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"连接{vendor}服务器失败", technical=f"{type(exc).__name__}: {reason}") from exc
    if status != 200:
        raise ChannelError(f"{vendor}服务器返回异常状态", technical=f"HTTP {status}", retryable=status >= 500)
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelError(f"{vendor}服务器的答复无法识别", technical=f"HTTP 200, body {raw[:80]!r}") from exc
    if not isinstance(reply, dict):
        raise ChannelError(f"{vendor}服务器的答复无法识别", technical=f"HTTP 200, body {raw[:80]!r}")
    return reply


def check_errcode(reply: dict[str, Any], *, vendor: str, permanent: dict[int, str]) -> None:
    """Success is ``errcode`` 0. Codes in ``permanent`` are settings errors (not retryable); others may pass later."""
    errcode = reply.get("errcode")
    if errcode == 0:
        return
    errmsg = str(reply.get("errmsg", ""))[:200]
    technical = f"errcode {errcode}: {errmsg}" if errmsg else f"errcode {errcode}"
    if isinstance(errcode, int) and errcode in permanent:
        raise ChannelError(f"{vendor}群机器人拒收：{permanent[errcode]}", technical=technical, retryable=False)
    raise ChannelError(f"{vendor}群机器人返回错误", technical=technical)
