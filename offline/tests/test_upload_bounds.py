"""Small uploads that unpack to a lot of work: empty cells, empty rows, a false dimension, many shared
strings. The template holds a known number of columns and rows; anything past that is refused while
the part is being read (before openpyxl parses it), with a Chinese message and nothing written, and
every shape is answered within a second of CPU."""

from __future__ import annotations

import contextlib
import io
import random
import re
import threading
import time
import tracemalloc
import zipfile

import pytest

from offline import layout, safety
from offline.tests.helpers import download, fill, open_book, save_book, upload
from offline.tests.test_upload import _state, _with_parts
from offline.upload import check_upload
from xingping_tracker.core import archives

pytestmark = pytest.mark.django_db

MAIN_PART = "xl/worksheets/sheet1.xml"
SECOND = 1.0  # CPU seconds any of these uploads may take
MEMORY = 100 * 1024 * 1024  # extra bytes any of these uploads may allocate (peak)


def _part(content: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read(name)


def _noise_cells(count: int, rng: random.Random) -> bytes:
    """``count`` empty cells, each ``<c/>`` or ``<c s="0"/>`` at random: deflate cannot squeeze them
    beyond the zip check's ratio, so only counting them finds them."""
    return b"".join(rng.choice((b"<c/>", b'<c s="0"/>')) for _ in range(count))


def _main_with(content: bytes, rows: bytes) -> bytes:
    """The template with ``rows`` appended to 填报表's sheetData."""
    sheet = _part(content, MAIN_PART)
    return _with_parts(content, replace={MAIN_PART: sheet.replace(b"</sheetData>", rows + b"</sheetData>", 1)})


def wide_row(content: bytes, cells: int = 1_000_000) -> bytes:
    return _main_with(content, b'<row r="500">' + _noise_cells(cells, random.Random(1)) + b"</row>")


def wide_rows(content: bytes, rows: int = 2000, cells: int = 2000) -> bytes:
    rng = random.Random(2)
    return _main_with(content, b"".join(b'<row r="%d">' % (100 + r) + _noise_cells(cells, rng) + b"</row>" for r in range(rows)))


def empty_rows(content: bytes, rows: int = 300_000) -> bytes:
    return _main_with(content, b"".join(b'<row r="%d"/>' % (100 + r) for r in range(rows)))


def many_strings(content: bytes, strings: int = 300_000) -> bytes:
    """A shared-strings part of 300,000 short strings (the template writes its texts inline; Excel
    and WPS save them here), declared in the workbook so that openpyxl would read it."""
    rng = random.Random(3)
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"".join(
        b"<si><t>%d</t></si>" % rng.randrange(10**6) for _ in range(strings)
    ) + b"</sst>"
    rels = _part(content, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = _part(content, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return _with_parts(
        content,
        replace={"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
        add={"xl/sharedStrings.xml": table},
    )


def false_dimension(content: bytes) -> bytes:
    sheet = _part(content, MAIN_PART)
    sheet, count = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:L1048576"/>', sheet, count=1)
    assert count == 1
    return _with_parts(content, replace={MAIN_PART: sheet})


def _filled(world) -> bytes:
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, progress_text="离线填写的进展")
    return save_book(book)


def _seconds(call) -> tuple[object, float]:
    """(result, CPU seconds) of ``call``."""
    started = time.process_time()
    result = call()
    return result, time.process_time() - started


def _peak(call) -> int:
    """Peak bytes allocated while ``call`` runs (traced apart from the timing: tracing slows it down)."""
    tracemalloc.start()
    with contextlib.suppress(Exception):  # a refusal: its memory is what is measured
        call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _old_checks_pass(data: bytes) -> None:
    """The shape is small and gets past the zip checks (size, members, ratio): only the bounds find it."""
    assert len(data) < safety.max_bytes()
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        assert info.file_size <= archives.MAX_COMPRESSION_RATIO * max(info.compress_size, 1), info.filename


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (wide_row, "列"),
        (wide_rows, "列"),
        (empty_rows, "行"),
        (many_strings, "内容过多"),
    ],
    ids=["1M empty cells in a row", "4M empty cells in 2000 rows", "300k empty rows", "300k shared strings"],
)
def test_a_small_file_that_unpacks_to_much_work_is_refused_quickly(world, monkeypatch, shape, message):
    data = shape(_filled(world))
    _old_checks_pass(data)
    before = _state()

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not parse what the bounds refuse")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    response, seconds = _seconds(lambda: upload(world.gongxin_clerk, data))
    assert response.status_code == 400, response.content[:500]
    detail = response.json()["detail"]
    assert message in detail and "请" in detail, detail
    assert _state() == before
    assert seconds < SECOND, f"{seconds:.2f} s"
    peak = _peak(lambda: upload(world.gongxin_clerk, data))
    assert peak < MEMORY, f"{peak / 2**20:.0f} MB"


def test_a_false_dimension_is_ignored_and_the_upload_accepted_quickly(world):
    data = false_dimension(_filled(world))
    peak = _peak(lambda: check_upload(data=data, filename="模板.xlsx", user=world.gongxin_clerk))
    assert peak < MEMORY, f"{peak / 2**20:.0f} MB"
    response, seconds = _seconds(lambda: upload(world.gongxin_clerk, data))
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created_count"] == 1
    assert seconds < SECOND, f"{seconds:.2f} s"


def test_rows_and_columns_within_the_template_are_accepted(world):
    """Blank rows below the data and a note typed beside the template's columns are still a template."""
    book = open_book(download(world.gongxin_clerk, world.h2))
    fill(book, 2, progress_text="离线填写的进展")
    ws = book[layout.MAIN_SHEET]
    ws.cell(row=3, column=len(layout.MAIN_COLUMNS) + 2).value = "自己的备注"
    for r in range(10, 60):
        ws.row_dimensions[r].height = 30  # empty rows Excel writes for their height
    response = upload(world.gongxin_clerk, save_book(book))
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created_count"] == 1


def test_the_bounds_follow_the_row_limit(world, settings):
    settings.OFFLINE_UPLOAD_MAX_ROWS = 10
    data = _main_with(_filled(world), b"".join(b'<row r="%d"/>' % r for r in range(100, 100 + safety.ROW_SLACK + 20)))
    response = upload(world.gongxin_clerk, data)
    assert response.status_code == 400
    assert f"{10 + safety.ROW_SLACK}行" in response.json()["detail"]


def test_four_at_once_are_each_refused_quickly(world):
    """Four uploads checked at the same time (the check runs before any database work)."""
    content = _filled(world)
    shapes = [wide_row(content), wide_rows(content), empty_rows(content), many_strings(content)]
    results: list[object] = [None] * len(shapes)

    def check(index: int) -> None:
        try:
            safety.check_workbook_bytes(shapes[index], filename="模板.xlsx")
        except Exception as exc:  # the outcome under test
            results[index] = exc

    started = time.process_time()
    threads = [threading.Thread(target=check, args=(i,)) for i in range(len(shapes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(getattr(result, "code", None) == "invalid" for result in results), results
    assert time.process_time() - started < 2 * SECOND
