"""Template context for every page: the signed-in user's unread notification count, for the nav badge."""

from __future__ import annotations

from typing import Any

from reminders.pages import unread_notification_count

_CACHE_ATTR = "_unread_notification_count"


def unread_notifications(request: Any) -> dict[str, Any]:
    """``unread_notifications``: a callable the template calls when it shows the badge. The count is read
    with one query, only on pages that show it, and once per request however often it is used."""

    def count() -> int:
        cached = getattr(request, _CACHE_ATTR, None)
        if cached is None:
            user = getattr(request, "user", None)
            cached = unread_notification_count(user=user) if user is not None else 0
            setattr(request, _CACHE_ATTR, cached)
        return cached

    return {"unread_notifications": count}
