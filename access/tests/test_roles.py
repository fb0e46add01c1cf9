"""The role → permission table and the one handler that fills the groups after migrate."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP, ROLE_PERMISSIONS, ensure_role_groups

pytestmark = pytest.mark.django_db


def granted(group_name: str) -> set[tuple[str, str]]:
    return set(
        Group.objects.get(name=group_name).permissions.values_list("content_type__app_label", "codename")
    )


def test_migrate_gave_every_group_exactly_its_table_row():
    """The test database was migrated: the handler ran once, after every app's permissions existed
    (the reminder permissions included, which a handler of the progress app could not yet see)."""
    for group_name, wanted in ROLE_PERMISSIONS.items():
        assert granted(group_name) == set(wanted), group_name
    assert ("reminders", "change_unitremindersettings") in granted(PLAN_OFFICE_GROUP)
    assert not any(app == "reminders" for app, _ in granted(LEADERSHIP_GROUP))


def test_the_handler_is_idempotent_and_restores_a_lost_permission():
    group = Group.objects.get(name=PLAN_OFFICE_GROUP)
    group.permissions.clear()
    ensure_role_groups()
    ensure_role_groups()
    assert granted(PLAN_OFFICE_GROUP) == set(ROLE_PERMISSIONS[PLAN_OFFICE_GROUP])


def test_one_post_migrate_handler_fills_the_groups():
    uids = {entry[0][0] for entry in post_migrate.receivers if isinstance(entry[0][0], str)}
    assert "access.ensure_role_groups" in uids
    assert not uids & {"progress.ensure_role_groups", "reminders.ensure_reminder_permissions"}


def test_the_handler_reads_a_fixed_few_queries_whatever_the_table(django_assert_num_queries):
    """It runs after every migrate (and the tests' flushes): the permissions in one query, then each
    group's lookup and its permissions, not one query per permission of the table."""
    with django_assert_num_queries(1 + 2 * len(ROLE_PERMISSIONS)):
        ensure_role_groups()
