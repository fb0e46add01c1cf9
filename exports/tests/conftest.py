"""A small world with reports for the export tests (see ``pack_world``)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from progress.models import ActualState, ProgressStatus, ReportStatus, TargetActual
from progress.tests.factories import ProgressReportFactory, build_world
from xingping_tracker.tests.sharing import module_fixtures

TODAY = dt.date(2025, 1, 15)  # after 2024年下半年's report due date (2025-01-10)


def build_pack_world():
    """``build_world()`` with reports of 2024年下半年 (h2):

    - task 2 (lead 市工信局): submitted, 正常推进, actual 4.2 (数据截至 2024-12-31);
    - task 1 (lead 市发改局): a draft with text ``FAGAI-DRAFT`` (never exported);
    - task 4 (lead 市财政局): accepted, 滞后 (red), problems written;
    - task 3 (lead 市发改局): none (late, yellow);
    - task 2's supporting 市财政局: a draft contribution ``CAIZHENG-CONTRIB-DRAFT``.
    """
    world = build_world()
    h2 = world.h2
    world.r2 = ProgressReportFactory(
        task=world.tasks[2], department=world.gongxin, period=h2, status=ReportStatus.SUBMITTED,
        progress_status=ProgressStatus.ON_TRACK, progress_text="数字经济增加值稳步增长。",
        problems_text="人才不足。", next_steps_text="引进龙头企业。",
    )
    TargetActual.objects.create(
        report=world.r2, target=world.target, state=ActualState.REPORTED, value=Decimal("4.2000"),
        data_date=dt.date(2024, 12, 31),
    )
    world.r1 = ProgressReportFactory(
        task=world.tasks[1], department=world.fagai, period=h2, status=ReportStatus.DRAFT,
        progress_status=ProgressStatus.ON_TRACK, progress_text="FAGAI-DRAFT 不应导出",
    )
    world.r4 = ProgressReportFactory(
        task=world.tasks[4], department=world.caizheng, period=h2, status=ReportStatus.ACCEPTED,
        progress_status=ProgressStatus.DELAYED, progress_text="城乡融合推进中。", problems_text="资金缺口较大。",
    )
    world.contribution = ProgressReportFactory(
        task=world.tasks[2], department=world.caizheng, period=h2, role="supporting", status=ReportStatus.DRAFT,
        progress_text="CAIZHENG-CONTRIB-DRAFT",
    )
    world.today = TODAY
    return world


# Built once per test module where it may be (xingping_tracker.tests.sharing); each test gets a copy.
_module_pack_world, pack_world = module_fixtures(build_pack_world, name="pack_world")


def open_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_xml(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith((".xml", ".rels"))}


def all_text(content: bytes) -> str:
    """Every cell value of every sheet, joined (for "does X appear anywhere")."""
    workbook = open_workbook(content)
    return "\n".join(
        str(cell.value) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None
    )
