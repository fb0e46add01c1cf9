"""The actor reads a user's roles and unit in one query, and its answers are Django's: the two
city-level permissions as ``user.has_perm`` gives them, the unit as the membership row says."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission

from access.actor import Actor, actor_for
from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP, REVIEW_PERMISSION, VIEW_ALL_PERMISSION
from departments.models import MembershipRole
from departments.tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _people() -> dict[str, object]:
    """Users of every kind the roles can take, read back fresh (no cached permissions)."""
    unit = DepartmentFactory(name="市测试发改局", head_signoff_required=True)
    closed = DepartmentFactory(name="市测试撤并局", is_active=False)
    people = {
        "plain": UserFactory(username="plain"),
        "plan office": UserFactory(username="office"),
        "leadership": UserFactory(username="leader"),
        "own review permission": UserFactory(username="direct"),
        "custom group": UserFactory(username="custom"),
        "superuser": UserFactory(username="root", is_superuser=True),
        "inactive plan office": UserFactory(username="gone", is_active=False),
        "unit head": MembershipFactory(user__username="head", department=unit, role=MembershipRole.HEAD).user,
        "reporter of a closed unit": MembershipFactory(user__username="closed", department=closed).user,
        "plan office with a unit": MembershipFactory(user__username="both", department=unit).user,
    }
    Group.objects.get(name=PLAN_OFFICE_GROUP).user_set.add(
        people["plan office"], people["inactive plan office"], people["plan office with a unit"]
    )
    Group.objects.get(name=LEADERSHIP_GROUP).user_set.add(people["leadership"])
    people["own review permission"].user_permissions.add(_permission(REVIEW_PERMISSION))
    custom = Group.objects.create(name="自定义只读")
    custom.permissions.add(_permission(VIEW_ALL_PERMISSION))
    custom.user_set.add(people["custom group"])
    users = get_user_model().objects.in_bulk([user.pk for user in people.values()])
    return {label: users[user.pk] for label, user in people.items()}


def test_the_roles_are_what_django_grants_and_the_unit_is_the_membership():
    people = _people()
    seen = {}
    for label, user in people.items():
        actor = Actor(user)
        fresh = get_user_model().objects.get(pk=user.pk)
        assert actor.can_view_all == fresh.has_perm(VIEW_ALL_PERMISSION), label
        assert actor.is_reviewer == fresh.has_perm(REVIEW_PERMISSION), label
        seen[label] = (actor.can_view_all, actor.is_reviewer, actor.department_id, actor.unit_role, actor.head_signoff_required)
    unit_id = people["unit head"].membership.department_id
    assert seen == {
        "plain": (False, False, None, None, False),
        "plan office": (True, True, None, None, False),
        "leadership": (True, False, None, None, False),
        "own review permission": (False, True, None, None, False),
        "custom group": (True, False, None, None, False),
        "superuser": (True, True, None, None, False),
        "inactive plan office": (False, False, None, None, False),
        "unit head": (False, False, unit_id, MembershipRole.HEAD, True),
        # A deactivated unit's clerk is no unit's staff, but keeps the role the membership states.
        "reporter of a closed unit": (False, False, None, MembershipRole.REPORTER, False),
        "plan office with a unit": (True, True, unit_id, MembershipRole.REPORTER, True),
    }
    assert actor_for(AnonymousUser()).sees_everything is False


def test_one_query_for_any_signed_in_user_and_none_for_a_visitor(django_assert_num_queries):
    people = _people()
    for user in (people["unit head"], people["plan office"], people["plain"]):
        fresh = get_user_model().objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            actor = actor_for(fresh)
            assert (actor.department_id, actor.unit_role, actor.is_leadership) is not None
        with django_assert_num_queries(0):
            assert actor_for(fresh) is actor  # the request's later rules ask the same actor
    with django_assert_num_queries(0):
        actor_for(AnonymousUser())
        actor_for(people["inactive plan office"])


def test_no_other_authentication_backend_grants_permissions():
    """The actor reads the permissions as ``ModelBackend`` grants them. A backend added later that
    grants permissions too (LDAP groups, object permissions) must be read by the actor as well: this
    test fails first."""
    people = _people()
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = load_backend(path)
        if isinstance(backend, ModelBackend):
            continue
        if not hasattr(backend, "has_perm"):  # Django asks only the backends that have it
            continue
        for user in people.values():
            for permission in (VIEW_ALL_PERMISSION, REVIEW_PERMISSION):
                assert not backend.has_perm(user, permission), (path, user.username, permission)
