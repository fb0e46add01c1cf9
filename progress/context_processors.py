"""Template context for every page: the viewing user's roles, for the top navigation."""

from __future__ import annotations

from typing import Any

from django.utils.functional import SimpleLazyObject

from access.actor import actor_for


def portal_actor(request: Any) -> dict[str, Any]:
    """``nav_actor``: the user's :class:`access.actor.Actor`, read only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"nav_actor": SimpleLazyObject(lambda: actor_for(user))}
