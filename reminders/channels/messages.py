"""The text of a reminder as each channel shows it: absolute links, and markdown that fits the robots' limits."""

from __future__ import annotations

import re

from django.conf import settings

from reminders.models import Reminder

# WeCom refuses markdown content over 4096 bytes (UTF-8); DingTalk documents no smaller limit, so the
# same budget keeps both robots' messages short enough to read in a chat.
ROBOT_MARKDOWN_MAX_BYTES = 4096
_ITEM_LINE = re.compile(r"^\s*\d+\s*[.、．]")


def absolute_link(reminder: Reminder) -> str:
    """The reminder's link as an address people can open from a mail or a chat ("" without a link)."""
    link = reminder.link.strip()
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{settings.SITE_URL.rstrip('/')}/{link.lstrip('/')}"


def email_subject(reminder: Reminder) -> str:
    return f"【督办台账】{reminder.title}"


def email_body(reminder: Reminder) -> str:
    link = absolute_link(reminder)
    parts = [reminder.body.strip()]
    if link:
        parts.append(f"请登录督办台账办理：{link}")
    parts.append("（本邮件由督办台账系统自动发送，请勿直接回复。）")
    return "\n\n".join(parts)


def robot_markdown(reminder: Reminder, *, line_break: str = "\n", max_bytes: int = ROBOT_MARKDOWN_MAX_BYTES) -> str:
    """Title, body and link as robot markdown of at most ``max_bytes`` (UTF-8).

    A long digest keeps its first lines and ends with "……等 N 项" (N = all the tasks listed in the
    body), so the message still says how much is owed and the link opens the full list.
    """
    head = f"### {reminder.title}"
    link = absolute_link(reminder)
    tail = f"[打开督办台账查看]({link})" if link else ""
    lines = [line.rstrip() for line in reminder.body.strip().splitlines() if line.strip()]

    def build(body_lines: list[str]) -> str:
        return line_break.join([head, *body_lines, *([tail] if tail else [])])

    full = build(lines)
    if _size(full) <= max_bytes:
        return full
    item_count = sum(1 for line in lines if _ITEM_LINE.match(line))
    marker = f"……等 {item_count} 项" if item_count else "……（内容较长，请打开链接查看全文）"
    kept: list[str] = []
    for line in lines:
        if _size(build([*kept, line, marker])) > max_bytes:
            break
        kept.append(line)
    if not kept and lines:
        # Not even the first line fits: cut it to what does.
        room = max_bytes - _size(build(["", marker]))
        kept = [_cut(lines[0], room)] if room > 0 else []
    message = build([*kept, marker])
    return message if _size(message) <= max_bytes else _cut(message, max_bytes)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, max_bytes: int) -> str:
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
