"""In-app notifications are private: everyone signed in sees their own, whatever their role; somebody
else's answers "not found", never "forbidden" (the list form is
:func:`access.querysets.notifications_visible_to`)."""

from __future__ import annotations

from access.rules._errors import not_found
from xingping_tracker.core.exceptions import ApplicationError


def notification_not_found() -> ApplicationError:
    return not_found("找不到该通知，或它不是发给您的。")
