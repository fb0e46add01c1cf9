"""A clerk of a deactivated unit sees no unit task anywhere: the task API, the reports API and the
pages give the same answer as the rules (:func:`access.rules.can_view_task`)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from access.actor import actor_for
from access.querysets import tasks_visible_to
from access.rules import can_view_task
from access.tests.world import build_access_world
from progress.services.reports import save_report, start_report, submit_report
from progress.tests.test_services_reports import filled
from tasks.models import Task
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ``access_world``: the access world with 市旧改局 deactivated, built once for the module
# (xingping_tracker.tests.sharing), a copy for each test. The same clerk while the unit is still
# active, the ground these tests stand on, is in ``test_deactivated_unit_before``.
_module_access_world, access_world = module_fixtures(build_access_world, name="access_world")


def submitted_lead_report(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))
    return submit_report(report_id=report.pk, user=world.gongxin_clerk)


def test_the_task_api_lists_none_of_the_deactivated_units_tasks(access_world):
    world = access_world
    client = api(world.retired_clerk)
    response = client.get("/api/tasks/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get(f"/api/tasks/{world.tasks[2].pk}/").status_code == 404
    assert client.get(f"/api/task-progress/{world.tasks[2].pk}/").status_code == 404


def test_the_reports_api_shows_nothing_and_starts_nothing(access_world):
    world = access_world
    submitted_lead_report(world)
    client = api(world.retired_clerk)
    assert client.get("/api/reports/").json()["results"] == []
    # the task does not exist for this clerk: the same answer as for any task they cannot see
    response = client.post("/api/reports/", {"task": world.tasks[2].pk, "period": world.h2.pk}, format="json")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


def test_the_pages_show_no_unit_task(access_world):
    world = access_world
    client = page(world.retired_clerk)
    home = client.get("/")
    assert home.status_code == 200
    assert "progress/unit_no_unit.html" in [t.name for t in home.templates]
    assert client.get(f"/tasks/{world.tasks[2].pk}/").status_code == 404
    assert client.get(f"/tasks/{world.tasks[2].pk}/periods/{world.h2.pk}/report/").status_code == 404
    assert client.get("/exports/ledger/").status_code == 404
    assert client.get("/offline/template/").status_code == 403


@pytest.mark.parametrize(
    "who", ["retired_clerk", "gongxin_clerk", "fagai_clerk", "nancheng_clerk", "plan_office", "leader", "nobody"]
)
def test_the_list_and_the_rule_agree_for_every_task(who, access_world):
    world = access_world
    user = getattr(world, who)
    listed = set(tasks_visible_to(Task.objects.all(), user=user).values_list("pk", flat=True))
    actor = actor_for(user)
    assert listed == {task.pk for task in Task.objects.all() if can_view_task(actor, task)}
