"""The ground the deactivated-unit tests (``test_deactivated_unit``) stand on: the same clerk, while
the unit is still active, sees the unit's task in the API and the pages."""

from __future__ import annotations

import pytest

from access.tests.test_deactivated_unit import api, page, submitted_lead_report
from access.tests.world import build_access_world

pytestmark = pytest.mark.django_db


def test_while_the_unit_is_active_its_clerk_sees_its_task():
    """The ground the other tests stand on: the same clerk, before the unit is deactivated."""
    world = build_access_world(deactivated=False)
    submitted_lead_report(world)
    client = api(world.retired_clerk)
    assert [row["number"] for row in client.get("/api/tasks/").json()["results"]] == [2]
    assert client.get(f"/api/tasks/{world.tasks[2].pk}/").status_code == 200
    assert client.get("/api/reports/").json()["count"] == 1
    assert page(world.retired_clerk).get(f"/tasks/{world.tasks[2].pk}/").status_code == 200
