"""The actor: what the access rules need to know about a user, read at most once per request."""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any

from django.db import connection

from access.roles import REVIEW_PERMISSION, VIEW_ALL_PERMISSION

_ACTOR_CACHE_ATTR = "_access_actor"


@cache
def _roles_sql() -> str:
    """The query of :func:`_read_roles` (table names from the models, built once per process)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from departments.models import Department, Membership

    def table(model: Any) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    user_model = get_user_model()
    permission = (
        f"JOIN {table(Permission)} p ON p.id = {{link}}.permission_id"
        f" JOIN {table(ContentType)} ct ON ct.id = p.content_type_id AND ct.app_label = %s AND p.codename = %s"
    )
    own = table(user_model.user_permissions.through)
    groups, grants = table(user_model.groups.through), table(Group.permissions.through)
    # Django's ModelBackend: a permission of the user's own, or of one of the user's groups.
    granted = (
        f"(EXISTS (SELECT 1 FROM {own} up {permission.format(link='up')} WHERE up.user_id = %s)"
        f" OR EXISTS (SELECT 1 FROM {groups} ug JOIN {grants} gp ON gp.group_id = ug.group_id"
        f" {permission.format(link='gp')} WHERE ug.user_id = %s))"
    )
    return (
        f"SELECT {granted}, {granted}, m.department_id, m.role, d.is_active, d.head_signoff_required"
        f" FROM (SELECT 1 AS one) one LEFT JOIN {table(Membership)} m ON m.user_id = %s"
        f" LEFT JOIN {table(Department)} d ON d.id = m.department_id"
    )


def _read_roles(user_id: int) -> tuple[bool, bool, tuple[int, str, bool, bool] | None]:
    """The user's two city-level permissions (:data:`~access.roles.VIEW_ALL_PERMISSION`,
    :data:`~access.roles.REVIEW_PERMISSION`), as Django's ``ModelBackend`` grants them (the only
    backend in ``AUTHENTICATION_BACKENDS`` that grants permissions: checked by a test), and their
    unit (department id, role, whether the unit is active, whether it requires the head's sign-off),
    in one query instead of three (the user's own permissions, the groups' permissions, the membership)."""
    params: list[Any] = []
    for name in (VIEW_ALL_PERMISSION, REVIEW_PERMISSION):
        app_label, codename = name.split(".", 1)
        params += [app_label, codename, user_id, app_label, codename, user_id]
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [*params, user_id])
        view_all, review, department_id, role, active, signoff = cursor.fetchone()
    unit = None if department_id is None else (department_id, role, bool(active), bool(signoff))
    return bool(view_all), bool(review), unit


class Actor:
    """A user's unit (None without one, or when the unit is deactivated), unit role and city-level role,
    read in one query when the actor is made (:func:`_read_roles`); none for an anonymous or inactive user.
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self._unit: tuple[int, str, bool, bool] | None = None
        if not self._signed_in:
            self.can_view_all = self.is_reviewer = False
            return
        view_all, review, unit = _read_roles(user.pk)
        superuser = bool(user.is_superuser)  # an active superuser has every permission, as in Django
        self.can_view_all: bool = superuser or view_all
        self.is_reviewer: bool = superuser or review
        self._unit = unit

    def __repr__(self) -> str:
        return f"<Actor {getattr(self.user, 'username', None)!r}>"

    @cached_property
    def _signed_in(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False) and self.user.is_active)

    @property
    def department_id(self) -> int | None:
        unit = self._unit
        return unit[0] if unit is not None and unit[2] else None

    @property
    def unit_role(self) -> str | None:
        return self._unit[1] if self._unit is not None else None

    @property
    def head_signoff_required(self) -> bool:
        return bool(self._unit is not None and self._unit[3])

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
