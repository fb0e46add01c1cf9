"""The actor: what the access rules need to know about a user, read at most once per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from access.roles import REVIEW_PERMISSION, VIEW_ALL_PERMISSION

_ACTOR_CACHE_ATTR = "_access_actor"


class Actor:
    """A user's unit (None without one, or when the unit is deactivated), unit role and city-level role.

    The city-level role (two permissions, through Django's per-user cache) is read at once; the unit
    membership (one query) when a rule first asks for it, so the plan office's and leadership's lists,
    which need only the role, do not read it.
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        signed_in = self._signed_in
        self.can_view_all: bool = signed_in and user.has_perm(VIEW_ALL_PERMISSION)
        self.is_reviewer: bool = signed_in and user.has_perm(REVIEW_PERMISSION)

    def __repr__(self) -> str:
        return f"<Actor {getattr(self.user, 'username', None)!r}>"

    @cached_property
    def _signed_in(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False) and self.user.is_active)

    @cached_property
    def _membership(self) -> Any:
        if not self._signed_in:
            return None
        from departments.models import Membership

        return Membership.objects.filter(user=self.user).select_related("department").first()

    @property
    def department_id(self) -> int | None:
        membership = self._membership
        return membership.department_id if membership and membership.department.is_active else None

    @property
    def unit_role(self) -> str | None:
        return self._membership.role if self._membership else None

    @property
    def head_signoff_required(self) -> bool:
        return bool(self._membership and self._membership.department.head_signoff_required)

    @property
    def is_unit_staff(self) -> bool:
        return self.department_id is not None

    @property
    def is_leadership(self) -> bool:
        return self.can_view_all and not self.is_reviewer and not self.is_unit_staff

    @property
    def sees_everything(self) -> bool:
        """The plan office and leadership (and superusers) read every task, report and request."""
        return self.can_view_all or self.is_reviewer


def actor_for(user: Any) -> Actor:
    """The user's actor (cached on the user object, so one request reads the roles once)."""
    cached = getattr(user, _ACTOR_CACHE_ATTR, None)
    if cached is not None:
        return cached
    actor = Actor(user)
    setattr(user, _ACTOR_CACHE_ATTR, actor)
    return actor
