"""The plan office's entries: a year's actual value with its reason, the baseline; refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators import services
from indicators.models import OfficialActual
from indicators.selectors import actual_series
from indicators.services import record_official_actual, set_baseline
from progress.models import ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory
from xingping_tracker.core import changes
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def _enter(world, **overrides):
    data = {"year": "2024", "value": "4.6", "reason": "依据2024年统计公报", "data_date": "2024-12-31"}
    data.update(overrides)
    return record_official_actual(target_id=world.target.pk, user=world.plan_office, **data)


def _errors(excinfo) -> dict[str, str]:
    assert excinfo.value.code == ErrorCode.INVALID
    return excinfo.value.extra["errors"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"value": "四点六"}, "value", "应为数字"),
        ({"value": "4.6%"}, "value", "应为数字"),
        ({"value": ""}, "value", "请填写实际值"),
        ({"value": "NaN"}, "value", "超出"),
        ({"year": "2019"}, "year", "规划期内（2021—2025年）"),
        ({"year": "2030"}, "year", "规划期内"),
        ({"year": "二〇二四"}, "year", "四位年份"),
        ({"reason": "  "}, "reason", "理由"),
        ({"data_date": "2024/12/31"}, "data_date", "格式"),
        ({"data_date": "2023-12-31"}, "data_date", "所录年份之内"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, overrides, field, words):
    with pytest.raises(ApplicationError) as excinfo:
        _enter(world, **overrides)
    errors = _errors(excinfo)
    assert words in errors[field]
    assert OfficialActual.objects.count() == 0


def test_only_the_plan_office_enters(world):
    for user in (world.gongxin_clerk, world.gongxin_head, world.leader, world.nobody):
        with pytest.raises(ApplicationError) as excinfo:
            record_official_actual(target_id=world.target.pk, user=user, year=2024, value="4.6", reason="理由")
        assert excinfo.value.code == ErrorCode.PERMISSION_DENIED
    assert OfficialActual.objects.count() == 0


def test_a_correction_replaces_the_years_entry_keeps_history_and_never_touches_the_report(world, monkeypatch):
    report = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=world.h2, role="lead", status=ReportStatus.ACCEPTED
    )
    TargetActual.objects.create(
        report=report, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 12, 31)
    )
    heard: list[tuple[str, ...]] = []
    monkeypatch.setattr(services, "announce", lambda *topics: heard.append(topics))
    with pytest.raises(ApplicationError):
        _enter(world, reason="")
    assert heard == []  # a refused entry announces nothing
    first = _enter(world, value="４，６００.5", source="统计公报", document_number="兴统发〔2025〕1号")
    assert heard == [(changes.PROGRESS,)]
    assert (first.value, first.entered_by, first.source) == (Decimal("4600.5"), world.plan_office, "统计公报")
    assert [r.value for r in actual_series([world.target.pk])[world.target.pk]] == [Decimal("4600.5")]

    second = _enter(world, value="4.7", reason="统计公报更正")
    assert second.pk == first.pk and OfficialActual.objects.count() == 1
    assert [h.value for h in second.history.order_by("history_date")] == [Decimal("4600.5"), Decimal("4.7")]
    assert TargetActual.objects.get(report=report).value == Decimal("4.2")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_baseline_is_entered_checked_and_cleared(world):
    target = set_baseline(
        target_id=world.target.pk,
        user=world.plan_office,
        baseline_value="3.1",
        baseline_year="2020",
        baseline_note="2020年数字经济核心产业增加值占比",
    )
    assert (target.baseline_value, target.baseline_year) == (Decimal("3.1"), 2020)
    with pytest.raises(ApplicationError) as excinfo:
        set_baseline(target_id=world.target.pk, user=world.plan_office, baseline_value="abc", baseline_year="2026")
    errors = _errors(excinfo)
    assert "应为数字" in errors["baseline_value"] and "早于目标年份" in errors["baseline_year"]
    world.target.refresh_from_db()
    assert world.target.baseline_value == Decimal("3.1")
    with pytest.raises(ApplicationError) as excinfo:
        set_baseline(target_id=world.target.pk, user=world.leader, baseline_value="1", baseline_year="2020")
    assert excinfo.value.code == ErrorCode.PERMISSION_DENIED
    cleared = set_baseline(target_id=world.target.pk, user=world.plan_office, baseline_value="", baseline_year="2020")
    assert cleared.baseline_value is None
