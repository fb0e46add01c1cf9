"""Characters an XML file cannot hold (U+FFFE, U+FFFF, control characters, lone surrogates) in a
person's text: dropped when the text is saved, and never fatal to a workbook, whatever is stored."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from departments.models import Department
from exports.cells import clean_text, set_value
from exports.layout import register_styles, safe_sheet_title
from exports.ledger import build_ledger, save_to_temporary, write_ledger_sheet
from exports.meeting_pack import SHEET_KEYS, build_meeting_pack
from exports.selectors import LedgerFilters, LedgerRow, TargetLine
from exports.tests.conftest import all_text, open_workbook
from offline.template import build_template
from progress.models import ProgressReport, TargetActual
from progress.services.reports import start_report
from tasks.models import Task

pytestmark = pytest.mark.django_db

LEDGER_URL = "/api/exports/ledger/"
PACK_URL = "/api/exports/meeting-pack/"
TEMPLATE_URL = "/api/offline/template/"
UNSAFE = "进展\uffff完成\ufffe"


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_clerk_saving_unsafe_characters_cannot_break_the_periods_exports(pack_world):
    world = pack_world
    clerk = api(world.gongxin_clerk)
    report = world.r2
    report.status = "draft"
    report.save()
    version = report.version
    # a JSON escape carries what no encoder sends raw: a lone surrogate is refused, nothing written
    response = clerk.patch(
        f"/api/reports/{report.pk}/", json.dumps({"progress_text": "进展\ud800"}), content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"',
    )
    assert response.status_code == 400 and "progress_text" in response.json()["errors"]
    report.refresh_from_db()
    assert report.version == version and report.progress_text == "数字经济增加值稳步增长。"
    response = clerk.patch(
        f"/api/reports/{report.pk}/", json.dumps({"progress_text": UNSAFE, "problems_text": "问题\x07\x0b"}),
        content_type="application/json", HTTP_IF_MATCH=f'"{version}"',
    )
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert (report.progress_text, report.problems_text) == ("进展完成", "问题")
    response = clerk.post(f"/api/reports/{report.pk}/submit/", {}, format="json", HTTP_IF_MATCH=f'"{report.version}"')
    assert response.status_code == 200, response.content

    for user, url in ((world.plan_office, LEDGER_URL), (world.plan_office, PACK_URL), (world.gongxin_clerk, LEDGER_URL)):
        response = api(user).get(url, {"period": world.h2.pk})
        assert response.status_code == 200, url
        assert "进展完成" in all_text(body_of(response))


def test_exports_survive_unsafe_characters_already_stored(pack_world):
    """Rows written before the cleaning (or by hand in the database) still export."""
    world = pack_world
    ProgressReport.objects.filter(pk=world.r2.pk).update(progress_text=UNSAFE, next_steps_text="下步\x0b打算")
    world.gongxin.name = "市工信局\uffff"
    world.gongxin.save()
    for url in (LEDGER_URL, PACK_URL):
        response = api(world.plan_office).get(url, {"period": world.h2.pk})
        assert response.status_code == 200, url
        text = all_text(body_of(response))
        assert "进展完成" in text and "下步打算" in text

    # a draft in the unit's offline template
    draft = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    ProgressReport.objects.filter(pk=draft.pk).update(status="draft", progress_text=UNSAFE)
    response = api(world.gongxin_clerk).get(TEMPLATE_URL, {"period": world.h2.pk})
    assert response.status_code == 200, response.content[:300]
    assert "进展完成" in all_text(body_of(response))
    assert open_workbook(body_of(response)).sheetnames


# --- every workbook writer, any string ----------------------------------------------------------

# Characters XML refuses, drawn often beside arbitrary ones (any code point, surrogates included):
# a list of characters joined, since st.text(alphabet=...) draws them evenly over the code points.
HOSTILE = "\uffff\ufffe\x00\x01\x08\x0b\x0c\x1f\ud800\udfff\x7f\x85\u2028\r\t<&>\"]]>"
ANY_CHARACTER = st.one_of(st.sampled_from(HOSTILE), st.characters(exclude_categories=()))
ANY_TEXT = st.lists(ANY_CHARACTER, max_size=30).map("".join)
# What a database column can hold: PostgreSQL refuses NUL, neither stores a lone surrogate.
STORABLE_TEXT = (
    st.lists(ANY_CHARACTER.filter(lambda ch: ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF), min_size=1, max_size=20)
    .map("".join)
)


def _ledger_row(text: str) -> LedgerRow:
    return LedgerRow(
        task_id=1, number=1, chapter=text, text=text, lead_units=text, supporting_units=text, deadline=text,
        progress_text=text, problems_text=text, next_steps_text=text, report_status=text, status=text,
        status_key="on_track", light="red", light_label=text, light_reason=text, binding=True,
        targets=[TargetLine(indicator=text, target=text, actual=text, note=text)],
    )


@pytest.mark.no_rows
@settings(max_examples=60, deadline=None)
@given(ANY_TEXT)
def test_the_sheet_writer_takes_any_string(text):
    """The ledger and meeting-pack sheets' writer (exports.layout), and a sheet named after a unit."""
    workbook = Workbook(write_only=True)
    register_styles(workbook)
    taken: set[str] = set()
    write_ledger_sheet(workbook, safe_sheet_title(text, taken=taken), heading=text, subtitle=text, rows=[_ledger_row(text)])
    loaded = load_workbook(save_to_temporary(workbook))
    row = next(loaded.worksheets[0].iter_rows(min_row=4, max_row=4, values_only=True))
    assert (row[2] or "") == clean_text(text)


@pytest.mark.no_rows
@settings(max_examples=60, deadline=None)
@given(ANY_TEXT)
def test_the_cell_helper_takes_any_string(text):
    """The offline template's cells (a normal workbook through exports.cells.set_value)."""
    workbook = Workbook()
    set_value(workbook.active.cell(row=1, column=1), text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert (load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].value or "") == clean_text(text)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(STORABLE_TEXT)
def test_ledger_meeting_pack_and_template_take_any_stored_text(pack_world, text):
    """Whatever a row holds (saved before the cleaning, or by hand): the three workbooks are written."""
    world = pack_world
    marker = f"标记{text}尾"
    ProgressReport.objects.filter(pk=world.r2.pk).update(progress_text=marker, problems_text=text, next_steps_text=text)
    TargetActual.objects.filter(report=world.r2).update(note=text)
    Task.objects.filter(pk=world.tasks[2].pk).update(text=text)
    Department.objects.filter(pk=world.gongxin.pk).update(name=f"市工信局{text}")
    expected = clean_text(marker)

    ledger = build_ledger(LedgerFilters(period=world.h2)).read()
    pack = build_meeting_pack(world.h2, today=world.today, sheets=SHEET_KEYS).read()  # with the full ledger
    template = build_template(user=world.gongxin_clerk, period_id=world.h2.pk).content
    for content in (ledger, pack, template):
        assert expected in all_text(content)
