"""The official layout every exported sheet shares, for openpyxl write-only workbooks.

A sheet: a merged title row (plan and period), a merged subtitle row, one header row (frozen,
repeated on every printed page, with an autofilter), then the rows; columns with widths that print
on A4 landscape fitted to the page width (``fitToWidth=1, fitToHeight=0``), wrapped text, a
Chinese font (宋体 for the body, 黑体 for titles and headers: both ship with Excel, WPS and
LibreOffice's Chinese fonts map them), and green / yellow / red fills for the lights and statuses.

Write-only sheets write their top part (sheet properties, views, column widths) when the first row
is appended and their tail (autofilter, merged cells, print set-up, drawings) on close, so
:class:`TableSheet` sets the former before the first row and the latter after the last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl import LXML
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from exports.cells import cell_payload, choice_validation, clean_text

if LXML:  # the stream openpyxl writes sheets with takes elements of its own XML library
    from lxml.etree import fromstring
else:  # pragma: no cover - openpyxl without lxml
    from xml.etree.ElementTree import fromstring  # noqa: S314 - parses XML this module builds, never input

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
# The workbook's default (Normal) font sets the unit of column widths: one unit is the width of its
# digit "0". Excel's own default (Calibri) is replaced by another font on a machine without it
# (LibreOffice on Linux takes DejaVu Sans, 30% wider), so the same widths printed at different
# scales. Arial is everywhere (Windows, WPS, and on Linux as the metric-compatible Liberation
# Sans): one unit is 8 pixels (6 points) wherever the file is printed.
DEFAULT_FONT = Font(name="Arial", size=11)
BODY_POINTS = 10  # the body text size: printed at 100% when the sheet's columns fit the page
# Column-width units that fit an A4 page at 100% between the margins of :func:`setup_print`
# (measured with LibreOffice: 128 landscape, 87 portrait; a little room is kept).
LANDSCAPE_UNITS = 124
PORTRAIT_UNITS = 84

# (fill, font colour) per light and per status key: Excel's own "good / neutral / bad" colours.
GREEN_COLOURS = ("C6EFCE", "006100")
YELLOW_COLOURS = ("FFEB9C", "9C5700")
RED_COLOURS = ("FFC7CE", "9C0006")
GREY_COLOURS = ("EDEDED", "404040")
COLOURS = {
    "green": GREEN_COLOURS,
    "yellow": YELLOW_COLOURS,
    "red": RED_COLOURS,
    # ProgressStatus values and the ledger's 未报送
    "completed": GREEN_COLOURS,
    "on_track": GREEN_COLOURS,
    "at_risk": YELLOW_COLOURS,
    "not_started": YELLOW_COLOURS,
    "delayed": RED_COLOURS,
    "unreported": GREY_COLOURS,
}

_thin = Side(style="thin", color="808080")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _named(
    name: str,
    *,
    font: Font,
    alignment: Alignment,
    fill: PatternFill | None = None,
    border: bool = True,
    number_format: str | None = None,
) -> NamedStyle:
    style = NamedStyle(name=name, font=font, alignment=alignment)
    if fill is not None:
        style.fill = fill
    if border:
        style.border = copy(_BORDER)
    if number_format:
        style.number_format = number_format
    return style


def register_styles(workbook: Workbook) -> None:
    """Add the named styles the sheets use (idempotent)."""
    if "xp_body" in workbook.named_styles:
        return
    _use_default_font(workbook)
    wrap_left = Alignment(wrap_text=True, vertical="top", horizontal="left")
    wrap_center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    styles = [
        _named(
            "xp_title",
            font=Font(name=HEADING_FONT, size=16, bold=True),
            border=False,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        _named(
            "xp_subtitle",
            font=Font(name=BODY_FONT, size=10),
            border=False,
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        ),
        _named(
            "xp_heading",
            font=Font(name=HEADING_FONT, size=12, bold=True),
            border=False,
            alignment=Alignment(horizontal="left", vertical="center"),
        ),
        _named(
            "xp_header",
            font=Font(name=HEADING_FONT, size=10, bold=True),
            alignment=wrap_center,
            fill=PatternFill("solid", fgColor="D9E1F2"),
        ),
        _named("xp_body", font=Font(name=BODY_FONT, size=10), alignment=wrap_left),
        _named("xp_center", font=Font(name=BODY_FONT, size=10), alignment=wrap_center),
        _named("xp_number", font=Font(name=BODY_FONT, size=10), alignment=wrap_center, number_format="0"),
        _named("xp_percent", font=Font(name=BODY_FONT, size=10), alignment=wrap_center, number_format="0.0%"),
    ]
    for key, (fill, colour) in {
        "green": GREEN_COLOURS,
        "yellow": YELLOW_COLOURS,
        "red": RED_COLOURS,
        "grey": GREY_COLOURS,
    }.items():
        styles.append(
            _named(
                f"xp_{key}",
                font=Font(name=BODY_FONT, size=10, color=colour),
                alignment=wrap_center,
                fill=PatternFill("solid", fgColor=fill),
            )
        )
    for style in styles:
        workbook.add_named_style(style)


def _use_default_font(workbook: Workbook) -> None:
    """Make :data:`DEFAULT_FONT` the workbook's first font (the Normal style's, which sets the width unit)."""
    from openpyxl.utils.indexed_list import IndexedList

    if len(workbook._fonts) == 1:  # a fresh workbook: only openpyxl's default font, not used by any style yet
        workbook._fonts = IndexedList([copy(DEFAULT_FONT)])


def colour_style(key: str) -> str:
    """The named style of a light or status key (plain centred text when it has no colour)."""
    colours = COLOURS.get(key)
    if colours is None:
        return "xp_center"
    return {GREEN_COLOURS: "xp_green", YELLOW_COLOURS: "xp_yellow", RED_COLOURS: "xp_red"}.get(colours, "xp_grey")


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    style: str = "xp_body"
    # The values a person may type (a drop-down list on the data rows, other text refused with a
    # Chinese message), for a column the plan office may mark during the meeting.
    choices: tuple[str, ...] = ()


class Utf8WorksheetWriter(WorksheetWriter):
    """openpyxl's sheet writer with the XML stream in UTF-8: openpyxl's default (ASCII) writes each
    Chinese character as an 8-byte character reference; UTF-8 makes the sheets a third smaller and
    the pack ~10% faster to write. (XML's default encoding is UTF-8: no declaration needed.)"""

    def get_stream(self) -> Any:
        with xmlfile(self.out, encoding="utf-8") as xf, xf.element("worksheet", xmlns=SHEET_MAIN_NS):
            try:
                while True:
                    element = yield
                    if element is True:
                        yield xf
                    elif element is None:
                        continue
                    else:
                        xf.write(element)
            except GeneratorExit:
                pass


class RowWriter:
    """Rows of one write-only sheet, written as cell XML built in one go.

    openpyxl's write-only path makes a cell object per value, rebinds it (raising and catching a
    ValueError for every styled cell) and writes it element by element; for the meeting pack's
    400,000 cells that is most of the time. Here a row is a list of ``(value, named style)``; each
    value goes through :func:`exports.cells.cell_payload` (the same cleaning and formula guard as
    :func:`exports.cells.set_value`: text is always an inline string, formula-like text also gets
    ``quotePrefix``), each style is resolved to its id once, and the row is handed to openpyxl's
    XML stream as one element. Everything else (the sheet's top and tail, styles, the zip) is
    openpyxl's own; the tests read every sheet back with openpyxl.

    Set the sheet's top parts (:func:`prepare_sheet`) before creating the writer: openpyxl writes
    them when the writer starts.
    """

    def __init__(self, worksheet: Any):
        self.worksheet = worksheet
        self._ids: dict[tuple[str, bool], str] = {}
        self._tails: dict[tuple[str, bool], str] = {}
        self._height: float | None = None
        self.rows = 0
        worksheet._values_to_row = lambda values, row_idx: values  # rows arrive prepared
        if worksheet._writer is None:  # as WriteOnlyWorksheet._get_writer, with the UTF-8 stream
            worksheet._writer = Utf8WorksheetWriter(worksheet)
            worksheet._writer.write_top()
        worksheet._writer.write_row = self._write_row

    def style_id(self, style: str, quote: bool = False) -> str:
        key = (style, quote)
        found = self._ids.get(key)
        if found is None:
            probe = WriteOnlyCell(self.worksheet)
            probe.style = style
            if quote:
                probe.quotePrefix = True
            found = self._ids[key] = str(probe.style_id)
        return found

    def append(self, values: Sequence[tuple[Any, str]] | str, *, height: float | None = None) -> int:
        """Append one row (with a height in points, when given), or a row :meth:`render` made; returns its number."""
        self._height = height
        # openpyxl takes a list; a rendered row travels as its only item (cells are (value, style) pairs).
        self.worksheet.append([values] if isinstance(values, str) else list(values))
        self.rows += 1
        return self.rows

    def render(self, values: Sequence[tuple[Any, str]], *, height: float | None = None, attrs: Any = None) -> str:
        """The row's XML with :data:`ROW_MARK` for its number: one text the same row can be written
        from on any sheet of the workbook (style ids are the workbook's)."""
        number = ROW_MARK
        row_attrs = dict(attrs or {})
        if height:
            row_attrs.update({"ht": f"{height:.1f}", "customHeight": "1"})
        parts = [f'<row r="{number}"', *[f' {key}="{escape_xml(str(value))}"' for key, value in row_attrs.items()], ">"]
        append = parts.append
        for column, (value, style) in enumerate(values):
            kind, payload, quote = cell_payload(value)
            head = _cell_heads(column)
            if kind == "s" and payload:
                append(head)
                append(number)
                append(self._text_tail(style, quote))
                if payload != payload.strip():
                    append('<t xml:space="preserve">')
                else:
                    append("<t>")
                append(escape_xml(payload) if _NEEDS_ESCAPE.search(payload) else payload)
                append("</t></is></c>")
            else:
                append(f'{head}{number}" s="{self.style_id(style, quote)}"')
                append(f' t="n"><v>{payload}</v></c>' if kind == "n" else "/>")
        append("</row>")
        return "".join(parts)

    def _write_row(self, xf: Any, row: Sequence[Any], row_idx: int) -> None:
        # The row as XML text, parsed once by lxml (C) and handed to openpyxl's stream: much cheaper
        # than an element per cell. Text is escaped (& < > and CR, which a parser would turn into LF).
        if row and isinstance(row[0], str):
            template = row[0]
        else:
            dimensions = self.worksheet.row_dimensions
            attrs = dict(dimensions[row_idx]) if row_idx in dimensions else None
            template = self.render(row, height=self._height, attrs=attrs)
        xf.write(fromstring(template.replace(ROW_MARK, str(row_idx))))

    def _text_tail(self, style: str, quote: bool) -> str:
        key = (style, quote)
        tail = self._tails.get(key)
        if tail is None:
            tail = self._tails[key] = f'" s="{self.style_id(style, quote)}" t="inlineStr"><is>'
        return tail


ROW_MARK = "\x00"  # never in a cell: exports.cells drops control characters
_NEEDS_ESCAPE = re.compile('[&<>"\r]')
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


def escape_xml(text: str) -> str:
    return text.translate(_XML_ESCAPES)


_HEADS: list[str] = []


def _cell_heads(index: int) -> str:
    """``<c r="B`` for the 0-based column ``index`` (cached)."""
    while len(_HEADS) <= index:
        _HEADS.append(f'<c r="{get_column_letter(len(_HEADS) + 1)}')
    return _HEADS[index]


def setup_print(
    worksheet: Any, *, header_row: int | None, last_column: int, landscape: bool = True, one_page: bool = False
) -> None:
    """A4 (landscape by default), fitted to the page width (``one_page``: to one whole page), header
    row repeated on every page, narrow margins, page numbers in the footer. Sets only tail parts:
    call any time before close. Fitting only shrinks: columns within :data:`LANDSCAPE_UNITS` /
    :data:`PORTRAIT_UNITS` print at 100%, the body at :data:`BODY_POINTS`."""
    worksheet.page_setup.orientation = "landscape" if landscape else "portrait"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 1 if one_page else 0
    worksheet.print_options.horizontalCentered = True
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4
    worksheet.page_margins.top = worksheet.page_margins.bottom = 0.6
    worksheet.page_margins.header = worksheet.page_margins.footer = 0.3
    worksheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    worksheet.oddFooter.center.font = BODY_FONT
    if header_row is not None:
        worksheet.print_title_rows = f"{header_row}:{header_row}"


def prepare_sheet(worksheet: Any, *, columns: Sequence[Column], freeze: str | None) -> None:
    """The top parts (write before the first row): fit-to-page flag, column widths, frozen panes."""
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for index, column in enumerate(columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    if freeze:
        worksheet.freeze_panes = freeze


class TableSheet:
    """A sheet laid out as the ledger: title, subtitle, header row 3 (frozen, filtered, repeated), rows."""

    HEADER_ROW = 3

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        *,
        heading: str,
        subtitle: str,
        columns: Sequence[Column],
        landscape: bool = True,
    ):
        self.worksheet = workbook.create_sheet(title=title)
        self.columns = list(columns)
        self.rows_written = 0
        self.data_rows = 0  # rows_written without the notes
        self.widths = [column.width for column in self.columns]
        ws, last = self.worksheet, len(self.columns)
        prepare_sheet(ws, columns=self.columns, freeze=f"A{self.HEADER_ROW + 1}")
        total = sum(self.widths)
        ws.row_dimensions[1].height = title_height(heading, total)
        subtitle_lines = text_lines(clean_text(subtitle), total)
        if subtitle_lines > 1:
            ws.row_dimensions[2].height = subtitle_lines * LINE_POINTS + ROW_PADDING_POINTS
        self.writer = RowWriter(ws)
        self.writer.append([(heading, "xp_title")])
        self.writer.append([(subtitle, "xp_subtitle")])
        headers = [(c.header, "xp_header") for c in self.columns]
        self.writer.append(headers, height=row_height(headers, self.widths))
        end = get_column_letter(last)
        ws.merged_cells.add(f"A1:{end}1")
        ws.merged_cells.add(f"A2:{end}2")
        setup_print(ws, header_row=self.HEADER_ROW, last_column=last, landscape=landscape)

    def append(self, values: Iterable[tuple[Any, str | None]]) -> None:
        """One row: (value, style or None for the column's style) per column; its height fits its text."""
        self.writer.append(self.render(values))
        self.rows_written += 1
        self.data_rows += 1

    def render(self, values: Iterable[tuple[Any, str | None]]) -> str:
        """The row's XML (see :meth:`RowWriter.render`), to append here or on another sheet with the same columns."""
        cells = [(value, style or column.style) for (value, style), column in zip(values, self.columns, strict=True)]
        return self.writer.render(cells, height=row_height(cells, self.widths))

    def append_rendered(self, row: str) -> None:
        self.writer.append(row)
        self.rows_written += 1
        self.data_rows += 1

    def append_note(self, text: str) -> None:
        """A row of plain text across the table (e.g. "没有符合条件的任务。")."""
        self.writer.append([(text, "xp_body")])
        row = self.HEADER_ROW + self.rows_written + 1
        self.worksheet.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")
        self.rows_written += 1

    def finish(self) -> None:
        last_row = self.HEADER_ROW + max(self.rows_written, 0)
        self.worksheet.auto_filter.ref = f"A{self.HEADER_ROW}:{get_column_letter(len(self.columns))}{last_row}"
        if not self.data_rows:
            return
        for index, column in enumerate(self.columns, start=1):
            if column.choices:
                letter = get_column_letter(index)
                cells = f"{letter}{self.HEADER_ROW + 1}:{letter}{last_row}"
                validation = choice_validation(column.choices, title=column.header)
                validation.add(cells)
                self.worksheet.data_validations.append(validation)  # write-only sheets lack add_data_validation


LINE_POINTS = 14.5  # one line of 10-point text: 宋体 in Excel ~13.5, Noto Sans CJK (LibreOffice on Linux) 14.5
ROW_PADDING_POINTS = 4.0
MAX_ROW_POINTS = 409.0  # Excel's largest row height


CJK_UNITS = 1.75  # a 10-point CJK character in width units (13.3 px of 8: 1.67, and a little room)


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` units wide (a CJK character counts :data:`CJK_UNITS`).

    Neither Excel nor LibreOffice fits row heights to wrapped text when opening a generated file
    (LibreOffice prints every row one line high), so the sheets give each row its height.
    """
    per_line = max(width - 1.0, 1.0)
    lines = 0
    for line in text.split("\n"):
        # Display width: ASCII 1, most others (CJK: 3 bytes in UTF-8) CJK_UNITS — computed in C, not per character.
        # (surrogatepass: a lone surrogate, dropped from the cell, must not fail the measure either)
        size = len(line)
        display = size + (len(line.encode("utf-8", "surrogatepass")) - size) / 2 * (CJK_UNITS - 1)
        lines += max(1, -int(-display // per_line))
    return lines


def title_height(text: str, width: float, *, points: float = 16) -> float:
    """The height (points) of a title row of ``points``-point text across ``width`` units (at least 32)."""
    lines = text_lines(clean_text(text), width * BODY_POINTS / points)
    return max(32.0, lines * points * 1.45 + ROW_PADDING_POINTS)


def row_height(cells: Sequence[tuple[Any, str]], widths: Sequence[float]) -> float | None:
    """The height (points) that shows every text of the row, or None for one line."""
    most = 1
    for (value, _), width in zip(cells, widths, strict=False):
        if isinstance(value, str) and value:
            most = max(most, text_lines(value, width))
    if most == 1:
        return None
    return min(MAX_ROW_POINTS, most * LINE_POINTS + ROW_PADDING_POINTS)


def safe_sheet_title(text: str, *, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in ``taken`` (added)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in clean_text(text)).strip("'") or "Sheet"
    base = cleaned[:31]
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name
