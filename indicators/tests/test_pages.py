"""The indicator pages: the list (visibility, filters, query count), a target's page (series, chart,
the plan office's forms) and the link from the dashboard's binding board."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from indicators.models import OfficialActual
from progress.models import ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory
from tasks.models import Target, TargetBasis, TargetDirection
from tasks.tests.factories import LeadFactory, TargetFactory, TaskFactory


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-target="(\d+)"', response.content.decode())]


@pytest.fixture
def many(world):
    """Forty more indicator tasks led by 市财政局 (some binding, some with actuals)."""
    for n in range(100, 140):
        task = TaskFactory(
            plan=world.plan, number=n, text=f"指标{n}", binding=n % 3 == 0, section=world.tasks[2].section
        )
        LeadFactory(task=task, department=world.caizheng)
        target = TargetFactory(
            task=task,
            indicator=f"指标{n}",
            value=Decimal("10"),
            unit="%",
            direction=TargetDirection.REDUCE_BY,
            basis=TargetBasis.CUMULATIVE,
        )
        if n % 2:
            report = ProgressReportFactory(
                task=task, department=world.caizheng, period=world.h2, role="lead", status=ReportStatus.ACCEPTED
            )
            TargetActual.objects.create(
                report=report, target=target, value=Decimal(n % 7), data_date=dt.date(2024, 12, 31)
            )
    return world


def test_the_list_in_a_fixed_number_of_queries_with_every_column(many, django_assert_max_num_queries):
    client = _client(many.plan_office)
    client.get("/indicators/")  # sessions, caches warmed
    # session, user, 2 permissions, plans, units, targets, 2 sources of actuals, lead units, the nav's
    # membership and notifications, and the request's savepoint: whatever the number of targets
    with django_assert_max_num_queries(14):
        response = client.get(f"/indicators/?plan={many.plan.pk}&year=2024")
    assert response.status_code == 200
    total = Target.objects.filter(task__plan=many.plan).count()
    assert len(_rows(response)) == total > 40
    html = response.content.decode()
    row = re.search(rf'<tr data-target="{many.target.pk}".*?</tr>', html, re.S).group(0)
    for text in (
        "2",
        "数字经济核心产业增加值占GDP比重",
        "未录入",
        "5%（2025年）",
        "不低于／达到值",
        "市工信局",
        "数据尚未发布",
    ):
        assert text in row, text


def test_filters_binding_status_and_unit(many):
    client = _client(many.plan_office)
    binding = _rows(client.get(f"/indicators/?plan={many.plan.pk}&kind=binding"))
    assert set(binding) == set(Target.objects.filter(task__binding=True).values_list("pk", flat=True))
    # odd tasks have an actual of n % 7 against a 10% reduction (path 8% by 2024): behind, or no data
    no_data = set(_rows(client.get(f"/indicators/?plan={many.plan.pk}&status=no_data&year=2024")))
    behind = set(_rows(client.get(f"/indicators/?plan={many.plan.pk}&status=behind&year=2024")))
    odd = set(
        Target.objects.filter(task__number__gte=100, task__number__in=range(101, 140, 2)).values_list("pk", flat=True)
    )
    assert behind == odd and not (no_data & odd) and many.target.pk in no_data
    unit = set(_rows(client.get(f"/indicators/?plan={many.plan.pk}&unit={many.caizheng.pk}")))
    assert unit == set(Target.objects.filter(task__number__gte=100).values_list("pk", flat=True))
    bad = client.get("/indicators/?status=nonsense")
    assert bad.status_code == 400 and "筛选条件有误" in bad.content.decode()


def test_a_unit_clerk_sees_its_own_targets_only(many):
    assert _rows(_client(many.gongxin_clerk).get("/indicators/")) == [many.target.pk]
    assert _client(many.caizheng_clerk).get(f"/indicators/{many.target.pk}/").status_code == 200  # supporting task 2
    assert _client(many.nancheng_clerk).get(f"/indicators/{many.target.pk}/").status_code == 404
    assert _client(many.nobody).get("/indicators/").status_code == 403


def test_the_target_page_shows_series_chart_and_the_plan_office_forms(world):
    report = ProgressReportFactory(
        task=world.tasks[2],
        department=world.gongxin,
        period=world.h2,
        role="lead",
        status=ReportStatus.ACCEPTED,
        submitted_by=world.gongxin_clerk,
    )
    TargetActual.objects.create(
        report=report, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 12, 31)
    )
    page = _client(world.plan_office).get(f"/indicators/{world.target.pk}/").content.decode()
    assert "4.2%" in page and "2024年下半年" in page and "gongxin_clerk" in page
    assert '<svg class="trajectory"' in page and "<polyline" in page
    assert "录入或更正实际值" in page and "基期值" in page
    assert "<script" not in page.split("<main", 1)[1] and " style=" not in page.split("<main", 1)[1]
    assert "录入或更正实际值" not in _client(world.leader).get(f"/indicators/{world.target.pk}/").content.decode()

    client = _client(world.plan_office)
    bad = client.post(f"/indicators/{world.target.pk}/actuals/", {"year": "2024", "value": "四点八", "reason": ""})
    assert bad.status_code == 400
    assert "应为数字" in bad.content.decode() and "理由" in bad.content.decode()
    assert OfficialActual.objects.count() == 0
    done = client.post(
        f"/indicators/{world.target.pk}/actuals/",
        {
            "year": "2024",
            "value": "4.8",
            "reason": "统计公报更正",
            "source": "2024年统计公报",
            "data_date": "2024-12-31",
        },
    )
    assert done.status_code == 302
    page = client.get(f"/indicators/{world.target.pk}/").content.decode()
    assert "4.8%" in page and "2024年统计公报" in page and "统计公报更正" in page
    assert (
        client.post(
            f"/indicators/{world.target.pk}/baseline/", {"baseline_value": "2.5", "baseline_year": "2020"}
        ).status_code
        == 302
    )
    world.target.refresh_from_db()
    assert world.target.baseline_value == Decimal("2.5")


def test_the_binding_board_links_to_the_target_pages(world):
    from dashboard.selectors.cached import dashboard_overview  # noqa: F401 - the page reads it

    page = _client(world.plan_office).get(f"/dashboard/?period={world.h2.pk}").content.decode()
    assert f'href="/indicators/{world.target.pk}/"' in page
    nav = _client(world.gongxin_clerk).get("/").content.decode()
    assert 'href="/indicators/"' in nav
