"""/api/targets/: the list with its evaluation (query count, filters, visibility), the detail, the
series and the plan office's entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rest_framework.test import APIClient

from indicators.models import OfficialActual
from indicators.tests.test_pages import many  # noqa: F401 - the fixture
from progress.models import ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory
from tasks.models import Target


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_in_a_fixed_number_of_queries_filtered_and_scoped(many, django_assert_max_num_queries):  # noqa: F811
    client = _api(many.plan_office)
    with django_assert_max_num_queries(8):
        data = client.get(f"/api/targets/?plan={many.plan.pk}&year=2024&page_size=100").json()
    assert data["count"] == Target.objects.filter(task__plan=many.plan).count() > 40
    row = next(r for r in data["results"] if r["id"] == many.target.pk)
    assert (row["task_number"], row["unit"], row["direction"], row["year"], row["baseline_year"]) == (
        2,
        "%",
        "at_least",
        2025,
        2020,
    )
    assert row["lead_units"] == ["市工信局"] and row["binding"] is True
    assert row["evaluation"]["status"] == "no_data" and row["evaluation"]["completion"] is None
    behind = client.get(f"/api/targets/?plan={many.plan.pk}&status=behind&year=2024&page_size=100").json()
    assert behind["count"] == 20 and {r["evaluation"]["status"] for r in behind["results"]} == {"behind"}
    assert (
        client.get("/api/targets/?kind=binding&page_size=100").json()["count"]
        == Target.objects.filter(task__binding=True).count()
    )
    bad = client.get("/api/targets/?status=late")
    assert bad.status_code == 400 and "status 应为" in bad.json()["detail"]
    assert [r["id"] for r in _api(many.gongxin_clerk).get("/api/targets/").json()["results"]] == [many.target.pk]
    assert _api(many.nobody).get("/api/targets/").json()["count"] == 0


def test_detail_series_and_entry(world):
    report = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h2, role="lead", status=ReportStatus.SUBMITTED
    )
    TargetActual.objects.create(
        report=report, target=world.target, value=Decimal("5.2"), data_date=dt.date(2024, 12, 31)
    )
    client = _api(world.plan_office)
    detail = client.get(f"/api/targets/{world.target.pk}/?year=2024").json()
    evaluation = detail["evaluation"]
    assert (evaluation["status"], evaluation["met"], evaluation["latest"]["value"]) == ("ahead", True, "5.2000")
    assert "已提前达到目标" in evaluation["explanation"]

    refused = client.post(f"/api/targets/{world.target.pk}/actuals/", {"year": "2024", "value": "abc"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"value", "reason"} and OfficialActual.objects.count() == 0
    assert (
        _api(world.leader)
        .post(
            f"/api/targets/{world.target.pk}/actuals/",
            {"year": "2024", "value": "4.1", "reason": "更正"},
            format="json",
        )
        .status_code
        == 403
    )
    created = client.post(
        f"/api/targets/{world.target.pk}/actuals/",
        {"year": "2024", "value": "4.1", "reason": "统计公报更正", "source": "2024年统计公报"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["value"] == "4.1000"
    series = client.get(f"/api/targets/{world.target.pk}/actuals/").json()
    assert [(e["origin"], e["value"], e["counts"]) for e in series] == [
        ("official", "4.1000", True),
        ("report", "5.2000", False),
    ]
    evaluation = client.get(f"/api/targets/{world.target.pk}/?year=2024").json()["evaluation"]
    assert (evaluation["status"], evaluation["latest"]["value"]) == ("on_track", "4.1000")  # no baseline: no path yet
    assert _api(world.nancheng_clerk).get(f"/api/targets/{world.target.pk}/").status_code == 404
