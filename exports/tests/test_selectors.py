"""The ledger's rows: every task with its effective units, sent reports only, actual values, filters, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.actor import actor_for
from exports.selectors import LedgerFilters, ledger_rows, ledger_task_ids, parse_ledger_filters
from exports.tests.conftest import TODAY
from progress.models import ProgressStatus, ReportStatus
from progress.states import task_states
from progress.tests.factories import ProgressReportFactory
from tasks.tests.factories import LeadFactory, SupportingFactory, TargetFactory, TaskFactory
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode


def rows_of(world, **filters):
    states = task_states(world.h2, today=TODAY)
    return {row.number: row for row in ledger_rows(LedgerFilters(period=world.h2, **filters), states=states)}


def test_every_task_has_a_row_with_its_effective_units_in_written_order(pack_world):
    rows = rows_of(pack_world)
    assert list(rows) == [1, 2, 3, 4, 5]
    assert rows[1].lead_units == "市发改局"
    assert rows[1].supporting_units == "各镇办"  # a FIXED group, not expanded: every town, by its name
    assert (rows[2].lead_units, rows[2].supporting_units) == ("市工信局", "市发改局、市财政局")
    assert rows[3].supporting_units == "相关镇办（南城镇）"  # the plan office's expansion
    assert rows[4].supporting_units == "各镇办（东城街道办）、市级相关部门"  # an unexpanded SELECTED group as written
    assert rows[5].lead_units == "某某中心（未识别）"
    assert rows[2].chapter == "一、目标定位 / （一）主要目标"
    assert rows[3].deadline == "到2022年"


def test_sent_reports_give_the_texts_and_the_actual_values_drafts_never(pack_world):
    rows = rows_of(pack_world)
    two = rows[2]
    assert (two.progress_text, two.problems_text, two.next_steps_text) == ("数字经济增加值稳步增长。", "人才不足。", "引进龙头企业。")
    assert two.report_status == "已报送" and two.status == "正常推进"
    [target] = two.targets
    assert target.actual == "4.2%" and target.data_date == dt.date(2024, 12, 31)
    assert target.target == "不低于5%（2025年）"  # as the dashboard writes it
    assert two.actuals_text == "4.2%（截至2024-12-31）"
    one = rows[1]  # 市发改局's report is a draft
    assert one.progress_text == "" and one.report_status == "未报送" and one.status == "未报送"
    assert rows[4].status == "滞后" and rows[4].light == "red" and rows[4].light_reason
    assert all("DRAFT" not in (r.progress_text + r.problems_text) for r in rows.values())


def test_a_not_released_actual_says_so(pack_world):
    from progress.models import ActualState, TargetActual

    TargetActual.objects.filter(report=pack_world.r2).update(state=ActualState.NOT_RELEASED, value=None)
    assert rows_of(pack_world)[2].targets[0].actual == "数据尚未发布"


def test_the_status_and_light_come_from_the_dashboard(pack_world):
    states = task_states(pack_world.h2, today=TODAY)
    for row in rows_of(pack_world).values():
        state = states[row.task_id]
        assert row.light == state.light and row.light_reason == state.light_reason
        assert row.status == state.progress_status_label


def test_a_target_reads_the_same_in_the_ledger_and_on_the_dashboard(pack_world):
    from dashboard.selectors.overview import period_overview

    rows = rows_of(pack_world)
    binding = period_overview(pack_world.h2, today=TODAY).binding
    assert binding  # task 2's target is binding
    for board_row in binding:
        ledger_targets = {t.indicator: t.target for t in rows[board_row.number].targets}
        assert ledger_targets[board_row.indicator] == board_row.target_text


@pytest.mark.parametrize(
    ("filters", "numbers"),
    [
        ({"unit": "fagai"}, [1, 2, 3, 5]),  # lead of 1 and 3, supporting on 2 and 5 (directly and expanded)
        ({"unit": "fagai", "role": "lead"}, [1, 3]),
        ({"unit": "fagai", "role": "supporting"}, [2, 5]),
        ({"unit": "dongcheng"}, [1, 4]),  # member of 各镇办 (task 1) and the expansion on task 4
        ({"unit": "nancheng"}, [3]),  # not task 2, where a unit is named and the expansion is ignored
        ({"section": "chapter1"}, [1, 2, 3]),  # with its sections
        ({"section": "section11"}, [2, 3]),
    ],
)
def test_unit_and_section_filters(pack_world, filters, numbers):
    resolved = {key: getattr(pack_world, value) if key != "role" else value for key, value in filters.items()}
    states = task_states(pack_world.h2, today=TODAY)
    ids = ledger_task_ids(LedgerFilters(period=pack_world.h2, **resolved), states=states)
    assert [pack_world.tasks[n].pk for n in numbers] == ids


def test_a_unit_both_leading_and_supporting_a_task_is_filtered_as_its_lead_as_the_columns_show(pack_world):
    world = pack_world
    SupportingFactory(task=world.tasks[2], department=world.gongxin)  # also named among 2's supporting units
    states = task_states(world.h2, today=TODAY)

    def numbers(role):
        ids = ledger_task_ids(LedgerFilters(period=world.h2, unit=world.gongxin, role=role), states=states)
        return [n for n, task in world.tasks.items() if task.pk in ids]

    assert numbers("lead") == [2] and numbers(None) == [2]
    assert numbers("supporting") == []  # lead wins, as on the review board and the portal
    assert "市工信局" not in rows_of(world)[2].supporting_units


def test_status_and_light_filters(pack_world):
    assert list(rows_of(pack_world, status="delayed")) == [4]
    assert list(rows_of(pack_world, status="unreported")) == [1, 3, 5]
    assert list(rows_of(pack_world, light="green")) == [2]
    reds = {n for n, row in rows_of(pack_world).items() if row.light == "red"}
    assert set(rows_of(pack_world, light="red")) == reds and reds


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "999999"}, "找不到编号为999999的填报期"),
        ({"period": "abc"}, "填报期参数应为编号"),
        ({"unit": "999999"}, "找不到编号为999999的单位"),
        ({"section": "999999"}, "没有编号为999999的章节"),
        ({"status": "bogus"}, "状态参数不正确"),
        ({"light": "blue"}, "灯色参数不正确"),
        ({"role": "lead"}, "请同时指定单位"),
    ],
)
def test_bad_filters_are_refused_in_chinese(pack_world, params, message):
    params = {"period": str(pack_world.h2.pk), **params}
    with pytest.raises(ApplicationError) as caught:
        parse_ledger_filters(params, actor=actor_for(pack_world.plan_office))
    assert caught.value.code == ErrorCode.INVALID and message in caught.value.message


def test_unit_staff_get_their_own_unit_and_may_not_name_another(pack_world):
    clerk = actor_for(pack_world.gongxin_clerk)
    filters = parse_ledger_filters({"period": str(pack_world.h2.pk)}, actor=clerk)
    assert filters.unit == pack_world.gongxin
    with pytest.raises(ApplicationError) as caught:
        parse_ledger_filters({"period": str(pack_world.h2.pk), "unit": str(pack_world.fagai.pk)}, actor=clerk)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(ApplicationError) as caught:
        parse_ledger_filters({"period": str(pack_world.h2.pk)}, actor=actor_for(pack_world.nobody))
    assert caught.value.code == ErrorCode.NOT_FOUND


def _grow_plan(world, extra: int) -> None:
    """``extra`` more tasks, each with a lead, a supporting unit, a target and a submitted report."""
    for n in range(extra):
        task = TaskFactory(plan=world.plan, section=world.section11, number=100 + n)
        LeadFactory(task=task, department=world.gongxin)
        SupportingFactory(task=task, department=world.caizheng)
        TargetFactory(task=task)
        ProgressReportFactory(
            task=task, department=world.gongxin, period=world.h2, status=ReportStatus.SUBMITTED,
            progress_status=ProgressStatus.ON_TRACK,
        )


def _count_row_queries(world) -> tuple[int, int]:
    states = task_states(world.h2, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        rows = list(ledger_rows(LedgerFilters(period=world.h2), states=states))
    return len(queries), len(rows)


def test_the_rows_cost_the_same_queries_whatever_the_plan_size(pack_world):
    small, small_rows = _count_row_queries(pack_world)
    _grow_plan(pack_world, 40)
    big, big_rows = _count_row_queries(pack_world)
    assert big_rows == small_rows + 40
    assert big == small <= 10


def test_chunks_add_a_fixed_number_of_queries(pack_world):
    states = task_states(pack_world.h2, today=TODAY)
    filters = LedgerFilters(period=pack_world.h2)
    with CaptureQueriesContext(connection) as one_chunk:
        whole = list(ledger_rows(filters, states=states))
    with CaptureQueriesContext(connection) as five_chunks:
        chunked = list(ledger_rows(filters, states=states, chunk_size=1))
    assert [r.number for r in chunked] == [r.number for r in whole]
    assert [r.progress_text for r in chunked] == [r.progress_text for r in whole]
    assert len(five_chunks) - len(one_chunk) <= 4 * 5


def test_reading_the_whole_plan_by_plan_gives_the_same_rows(pack_world):
    states = task_states(pack_world.h2, today=TODAY)
    filters = LedgerFilters(period=pack_world.h2)
    by_ids = list(ledger_rows(filters, states=states))
    by_plan = list(ledger_rows(filters, states=states, task_ids=list(states), whole_plan=True))
    assert by_plan == by_ids and len(by_plan) == 5
