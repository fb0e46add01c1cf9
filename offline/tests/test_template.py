"""The downloaded template: sheets, locked and editable cells, validations, comments, pre-fill, identity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from offline import layout
from offline.identity import TemplateIdentity
from offline.tests.helpers import column, download, open_book, row_of
from progress.models import ActualState, ProgressReport, ReportStatus, TargetActual
from progress.services.reports import ActualInput, ReportInput, return_report, save_report, start_report, submit_report

pytestmark = pytest.mark.django_db


def _previous_report(world, **extra):
    report = ProgressReport.objects.create(
        task=world.tasks[2], department=world.gongxin, period=world.h1, role="lead", status=ReportStatus.ACCEPTED,
        progress_status="on_track", percent=40, progress_text="=上期完成40%", problems_text="资金不足",
        next_steps_text="继续推进", **extra,
    )
    TargetActual.objects.create(report=report, target=world.target, value=Decimal("4.2"), data_date=dt.date(2024, 6, 30))
    return report


def test_sheets_layout_protection_and_comments(world):
    book = open_book(download(world.gongxin_clerk, world.h2))
    assert book.sheetnames == [layout.MAIN_SHEET, layout.ACTUALS_SHEET, layout.IDENTITY_SHEET]
    assert book[layout.IDENTITY_SHEET].sheet_state == "veryHidden"
    main = book[layout.MAIN_SHEET]
    assert "A1:L1" in {str(r) for r in main.merged_cells.ranges}
    assert "市工信局" in main["A1"].value and "2024年下半年" in main["A1"].value
    assert main.freeze_panes == "A3"
    assert main.page_setup.orientation == "landscape" and int(main.page_setup.paperSize) == 9
    assert main.protection.sheet is True
    headers = [main.cell(row=2, column=i).value for i in range(1, len(layout.MAIN_COLUMNS) + 1)]
    assert headers == [c.header for c in layout.MAIN_COLUMNS]
    for i, col in enumerate(layout.MAIN_COLUMNS, start=1):
        assert main.cell(row=2, column=i).comment is not None
        assert col.comment in main.cell(row=2, column=i).comment.text
    r = row_of(main, 2)
    for i, col in enumerate(layout.MAIN_COLUMNS, start=1):
        assert main.cell(row=r, column=i).protection.locked is (not col.editable), col.header
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "role")).value == "牵头"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "report_status")).value == "未填报"
    ranges = {str(v.sqref): v for v in main.data_validations.dataValidation}
    status = next(v for v in ranges.values() if v.type == "list")
    assert "未启动" in status.formula1 and "已完成" in status.formula1
    percent = next(v for v in ranges.values() if v.type == "whole")
    assert (percent.formula1, percent.formula2) == ("0", "100")
    actuals = book[layout.ACTUALS_SHEET]
    assert actuals.protection.sheet is True
    assert actuals.cell(row=3, column=1).value == 2 and actuals.cell(row=3, column=2).value == 1
    assert actuals.cell(row=3, column=column(layout.ACTUAL_COLUMNS, "indicator")).protection.locked is True
    assert actuals.cell(row=3, column=column(layout.ACTUAL_COLUMNS, "value")).protection.locked is False
    types = {v.type for v in actuals.data_validations.dataValidation}
    assert types == {"decimal", "date", "list"}
    state = next(v for v in actuals.data_validations.dataValidation if v.type == "list")
    assert "数据尚未发布" in state.formula1 and "已填报" in state.formula1


def test_rows_are_the_due_list_lead_and_supporting(world):
    book = open_book(download(world.fagai_clerk, world.h2))
    main = book[layout.MAIN_SHEET]
    numbers = [main.cell(row=r, column=1).value for r in range(3, main.max_row + 1)]
    # 市发改局: lead of 1 and 3, supporting on 2 and on 5 (named and through the expanded placeholder).
    assert numbers == [1, 2, 3, 5]
    roles = {main.cell(row=r, column=1).value: main.cell(row=r, column=3).value for r in range(3, main.max_row + 1)}
    assert roles == {1: "牵头", 2: "配合", 3: "牵头", 5: "配合"}
    # Supporting tasks have no target rows; task 2's target belongs to the lead unit.
    actuals = book[layout.ACTUALS_SHEET]
    assert all(actuals.cell(row=r, column=1).value != 2 for r in range(3, actuals.max_row + 1))


def test_prefilled_from_last_period_and_formula_text_stays_text(world):
    _previous_report(world)
    book = open_book(download(world.gongxin_clerk, world.h2))
    main = book[layout.MAIN_SHEET]
    r = row_of(main, 2)
    cell = main.cell(row=r, column=column(layout.MAIN_COLUMNS, "progress_text"))
    assert cell.value == "=上期完成40%" and cell.data_type == "s" and cell.quotePrefix
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "previous")).value == "=上期完成40%"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "status")).value == "正常推进"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "percent")).value == 40
    # Last period's actual is not a value to upload again (start_report does not copy actuals): the
    # cells are empty and the value cell's note says what it was, as the portal's form does.
    actuals = book[layout.ACTUALS_SHEET]
    value = actuals.cell(row=3, column=column(layout.ACTUAL_COLUMNS, "value"))
    assert value.value is None
    assert actuals.cell(row=3, column=column(layout.ACTUAL_COLUMNS, "data_date")).value is None
    assert actuals.cell(row=3, column=column(layout.ACTUAL_COLUMNS, "state")).value is None
    assert value.comment.text.startswith("上期（2024年上半年）：4.2")
    assert "截至2024-06-30" in value.comment.text and "本期请重新填写" in value.comment.text
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    assert not report.actuals.exists()  # the portal's rule, which the template follows


def test_prefilled_from_this_periods_draft_and_returned_comment(world):
    _previous_report(world)
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1,
                data=ReportInput(progress_status="at_risk", percent=55, progress_text="本期草稿",
                                 actuals=[ActualInput(target_id=world.target.pk, state=ActualState.NOT_RELEASED)]))
    main = open_book(download(world.gongxin_clerk, world.h2))[layout.MAIN_SHEET]
    r = row_of(main, 2)
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "progress_text")).value == "本期草稿"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "status")).value == "存在风险"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "report_status")).value == "草稿"
    submit_report(report_id=report.pk, user=world.gongxin_head)
    return_report(report_id=report.pk, user=world.plan_office, comment="请补充数据")
    main = open_book(download(world.gongxin_clerk, world.h2))[layout.MAIN_SHEET]
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "review")).value == "请补充数据"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "report_status")).value == "已退回"
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "progress_text")).protection.locked is False


def test_submitted_report_row_is_locked(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=1,
                data=ReportInput(progress_status="on_track", progress_text="已报"))
    TargetActual.objects.create(report=report, target=world.target, state=ActualState.NOT_RELEASED)
    submit_report(report_id=report.pk, user=world.gongxin_head)
    book = open_book(download(world.gongxin_clerk, world.h2))
    main = book[layout.MAIN_SHEET]
    r = row_of(main, 2)
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "progress_text")).protection.locked is True
    assert main.cell(row=r, column=column(layout.MAIN_COLUMNS, "report_status")).value == "已报送"
    assert book[layout.ACTUALS_SHEET].cell(row=3, column=column(layout.ACTUAL_COLUMNS, "state")).value == "数据尚未发布"


def test_identity_is_signed_with_rows_and_versions(world):
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    ws = open_book(download(world.gongxin_clerk, world.h2))[layout.IDENTITY_SHEET]
    identity = TemplateIdentity.from_token(ws["B6"].value)
    assert (identity.plan_id, identity.period_id, identity.department_id) == (world.plan.pk, world.h2.pk, world.gongxin.pk)
    (row,) = identity.rows
    assert (row.number, row.report_id, row.version, row.role) == (2, report.pk, 1, "lead")
    assert row.target_ids == (world.target.pk,)


@pytest.mark.parametrize("who", ["plan_office", "leader", "nobody"])
def test_only_unit_staff_download(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    response = client.get(reverse("offline:template_download"), {"period": world.h2.pk})
    assert response.status_code == 403
    assert "只有单位的填报员或负责人" in response.content.decode()
    api = client.get(reverse("api:offline-template"), {"period": world.h2.pk})
    assert api.status_code == 403 and "填报模板" in api.json()["detail"]


def test_closed_or_foreign_period_refused(world):
    client = Client()
    client.force_login(world.gongxin_clerk)
    closed = client.get(reverse("offline:template_download"), {"period": world.h1.pk})
    assert closed.status_code == 409 and "已关闭" in closed.content.decode()
    assert client.get(reverse("offline:template_download"), {"period": 999999}).status_code == 404
    api = client.get(reverse("api:offline-template"), {"period": world.h1.pk})
    assert api.status_code == 409


def test_unit_gets_only_its_own_tasks(world):
    """市财政局's template never holds 市工信局's report text, even though both work on task 2."""
    start = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    save_report(report_id=start.pk, user=world.gongxin_clerk, expected_version=1,
                data=ReportInput(progress_status="on_track", progress_text="工信局的秘密草稿"))
    book = open_book(download(world.caizheng_clerk, world.h2))
    texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("工信局的秘密草稿" in t for t in texts)
    identity = TemplateIdentity.from_token(book[layout.IDENTITY_SHEET]["B6"].value)
    assert identity.department_id == world.caizheng.pk
    assert {r.number for r in identity.rows} == {2, 4}


def test_download_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.fagai_clerk)
    with django_assert_max_num_queries(17):  # +1 since issue 13: the plan's state (an ended plan is read-only)
        assert client.get(reverse("offline:template_download"), {"period": world.h2.pk}).status_code == 200


def test_download_queries_are_the_same_for_more_tasks(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.tests.factories import LeadFactory, TaskFactory

    client = Client()
    client.force_login(world.fagai_clerk)
    url = reverse("offline:template_download")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"period": world.h2.pk}).status_code == 200
        return len(queries)

    ProgressReport.objects.create(task=world.tasks[1], department=world.fagai, period=world.h1, role="lead")
    small = count()
    for n in range(20):
        task = TaskFactory(plan=world.plan, section=world.chapter2, number=100 + n)
        LeadFactory(task=task, department=world.fagai)
        ProgressReport.objects.create(task=task, department=world.fagai, period=world.h1, role="lead", progress_text="上期")
    assert count() == small
