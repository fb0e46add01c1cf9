"""Two people of the plan office press 催办 for the same unit at the same moment (SQLite as a file
database and PostgreSQL, each thread on its own connection): one reminder, one delivery per channel."""

from __future__ import annotations

import pytest

from access.roles import PLAN_OFFICE_GROUP
from progress.models import ReportStatus
from progress.tests.factories import ProgressReportFactory, build_world, role_user
from progress.tests.test_concurrency import file_database, fresh_user, race  # noqa: F401 -- the fixture
from reminders.models import Delivery, Reminder, ReminderKind
from reminders.services.urge import urge_unit
from tasks.models import AssignmentRole

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_urges_send_once():
    world = build_world()
    role_user(PLAN_OFFICE_GROUP, username="plan_office_2")
    ProgressReportFactory(
        task=world.tasks[2],
        department=world.fagai,
        period=world.h2,
        role=AssignmentRole.SUPPORTING,
        status=ReportStatus.SUBMITTED,
    )  # 发改 has spoken; 财政 is silent on task 2

    def urge(username):
        return lambda: urge_unit(period_id=world.h2.pk, department_id=world.caizheng.pk, user=fresh_user(username))

    results = race(urge("plan_office"), urge("plan_office_2"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].reminder.pk == results[1].reminder.pk
    assert Reminder.objects.filter(kind=ReminderKind.URGE).count() == 1
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "inapp"]
