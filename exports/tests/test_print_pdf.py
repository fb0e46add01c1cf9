"""The printed meeting pack, measured on paper: the 兴平 plan with its demo data (``manage.py
bootstrap``), the default pack converted to PDF by LibreOffice, its pages counted and the size
of every printed character read from the PDF (:mod:`exports.print_check`).

Needs LibreOffice Calc (``soffice``). Without it the test is skipped with a message, except under
``CI=true``, where it fails: CI installs LibreOffice (scripts/ensure_libreoffice.sh, called by
scripts/run_tests.sh).
"""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.management import call_command

from exports.meeting_pack import build_meeting_pack
from exports.print_check import MAX_PAGES, MIN_BODY_POINTS, convert_to_pdf, pdf_text_sizes
from progress.models import PeriodStatus, ReviewPeriod

IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture
def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        message = (
            "LibreOffice（soffice）未安装，无法检查会议材料的打印页数和字号：运行 scripts/ensure_libreoffice.sh 安装。"
        )
        if IN_CI:
            pytest.fail(f"{message}CI=true 时不能跳过。")
        pytest.skip(message)
    return found


@pytest.mark.django_db
def test_the_default_pack_of_the_demo_prints_on_at_most_40_pages_at_10_points(soffice, tmp_path):
    call_command("bootstrap", stdout=io.StringIO())  # units, the 兴平 plan, periods, demo accounts and reports
    # the period with the demo's reports: the last closed one (2025年上半年 as the demo runs today)
    period = (
        ReviewPeriod.objects.select_related("plan").filter(status=PeriodStatus.CLOSED).order_by("-starts_on").first()
    )
    assert period is not None and period.plan.tasks.count() == 210
    workbook = tmp_path / "会议材料.xlsx"
    with build_meeting_pack(period) as handle:
        workbook.write_bytes(handle.read())

    pages = pdf_text_sizes(convert_to_pdf(workbook, tmp_path, soffice=soffice))

    assert 0 < len(pages) <= MAX_PAGES, f"{len(pages)} pages"
    sizes = {size for page in pages for size in page.sizes}
    assert min(sizes) >= MIN_BODY_POINTS, {
        page.number: page.smallest for page in pages if page.smallest < MIN_BODY_POINTS
    }
    # nearly all the text is the 10-point body (titles are larger): nothing was shrunk to fit
    characters = sum(count for page in pages for count in page.sizes.values())
    body = sum(page.sizes.get(MIN_BODY_POINTS, 0) for page in pages)
    assert body / characters > 0.8
    # the cover is one page: the attention sheet starts on page 2
    assert "本材料说明" in pages[0].text and "历次填报期对比" in pages[0].text
    assert "序号 任务内容 牵头单位 完成时限 灯 推进状态" in pages[1].text and "本材料说明" not in pages[1].text
