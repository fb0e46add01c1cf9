"""The task page's 最近实际值 is the indicators' one series (asked through
progress.signals.latest_readings_asked): delivered lead reports and the plan office's entries, as on
the dashboard's binding board; not a draft, a returned report or a supporting unit's figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.overview import period_overview
from indicators.models import OfficialActual
from progress.models import ProgressStatus, ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory
from tasks.models import AssignmentRole

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 1, 15)


def _report(world, period, status, *, unit=None, role=AssignmentRole.LEAD, value, day):
    report = ProgressReportFactory(
        task=world.tasks[2],
        department=unit or world.gongxin,
        period=period,
        role=role,
        status=status,
        progress_status=ProgressStatus.ON_TRACK,
        submitted_at=dt.datetime(2024, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    TargetActual.objects.create(report=report, target=world.target, value=Decimal(value), data_date=day)


def _latest_cell(client, user, world) -> str:
    client.force_login(user)
    page = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk]))
    assert page.status_code == 200
    (target, reading) = page.context["page"].targets[0]
    assert target.pk == world.target.pk
    return "" if reading is None else f"{reading.value.normalize():f}"


@pytest.mark.parametrize("later", [ReportStatus.RETURNED, ReportStatus.DRAFT])
def test_a_returned_report_or_the_units_own_draft_is_not_the_latest_actual(client, world, later):
    _report(world, world.h1, ReportStatus.ACCEPTED, value="4", day=dt.date(2024, 6, 30))
    _report(world, world.h2, later, value="9", day=dt.date(2024, 12, 31))
    _report(world, world.h2, ReportStatus.SUBMITTED, unit=world.fagai, role=AssignmentRole.SUPPORTING, value="8",
            day=dt.date(2024, 12, 31))

    for user in (world.plan_office, world.gongxin_clerk):
        assert _latest_cell(client, user, world) == "4"
    (row,) = period_overview(world.h2, today=TODAY, with_trend=False).binding
    assert row.actual_value == Decimal("4")  # the dashboard says the same


def test_the_plan_office_entry_wins_for_its_year_and_the_page_says_which_year(client, world):
    _report(world, world.h1, ReportStatus.ACCEPTED, value="4", day=dt.date(2024, 6, 30))
    OfficialActual.objects.create(
        target=world.target, year=2024, value=Decimal("4.6"), reason="统计公报更正", entered_at=timezone.now()
    )
    assert _latest_cell(client, world.plan_office, world) == "4.6"
    client.force_login(world.gongxin_clerk)
    body = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert "4.6%" in body and "（2024年）" in body
    printed = client.get(reverse("progress:task_print", args=[world.tasks[2].pk])).content.decode()
    assert "4.6%（2024年）" in printed
