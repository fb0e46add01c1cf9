"""GET /api/dashboard/: the overview as JSON, the same numbers as the selector, documented."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dashboard.selectors.overview import period_overview
from progress.models import ProgressStatus, ReportStatus
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole
from tasks.tests.factories import build_many_tasks

pytestmark = pytest.mark.django_db
URL = "/api/dashboard/"


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(world.leader)
    return client


def test_overview_json_matches_the_selector(api, world):
    ProgressReportFactory(
        task=world.tasks[2],
        department=world.gongxin,
        period=world.h2,
        role=AssignmentRole.LEAD,
        status=ReportStatus.ACCEPTED,
        progress_status=ProgressStatus.AT_RISK,
    )
    data = api.get(URL).json()  # default: the latest open period
    expected = period_overview(world.h2)
    assert data["period"]["id"] == world.h2.pk and data["plan"]["id"] == world.plan.pk
    assert (data["total"], data["completed"], data["submitted"]) == (
        expected.total,
        expected.completed,
        expected.submitted,
    )
    assert {row["light"]: row["count"] for row in data["lights"]} == expected.light_counts
    assert all(row["rule"].startswith(row["label"]) for row in data["lights"])
    assert [(s["key"], s["count"]) for s in data["status_counts"]] == [(s.key, s.count) for s in expected.status_counts]
    assert [(s["section_id"], s["parent_id"], s["level"], s["total"]) for s in data["sections"]] == [
        (world.chapter1.pk, None, 0, 3),
        (world.section11.pk, world.chapter1.pk, 1, 2),
        (world.chapter2.pk, None, 0, 2),
    ]
    assert [u["unit_id"] for u in data["lead_units"]] == [u.unit_id for u in expected.lead_units]
    assert [b["number"] for b in data["binding"]] == [2]
    assert [a["number"] for a in data["attention"]] == [s.number for s in expected.attention]
    assert data["attention_total"] == len(expected.attention)
    assert [p["name"] for p in data["trend"]] == ["2024年上半年", "2024年下半年"]


def test_attention_limit_and_bad_input(api, world):
    data = api.get(URL, {"period": world.h2.pk, "attention_limit": 1}).json()
    assert len(data["attention"]) == 1 and data["attention_total"] > 1
    response = api.get(URL, {"attention_limit": "-3"})
    assert response.status_code == 400 and "attention_limit" in response.json()["detail"]
    response = api.get(URL, {"period": "x"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = api.get(URL, {"period": 999999})
    assert response.status_code == 404 and response.json()["detail"] == "找不到该填报期。"


def test_query_count_does_not_grow(api, world):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL, {"period": world.h2.pk}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request reads the user's roles (then cached on the user), stores the standings
    small = count()
    build_many_tasks(30, plan=world.plan)
    count()  # the new tasks' standings computed and stored
    assert count() == small


def test_schema_documents_the_endpoint(client, world):
    client.force_login(world.leader)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/dashboard/"]["get"]
    assert operation["summary"] == "领导看板"
    assert {p["name"] for p in operation["parameters"]} >= {"period", "attention_limit"}
    assert "Overview" in schema["components"]["schemas"]
