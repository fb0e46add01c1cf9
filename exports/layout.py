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

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import set_value

BODY_FONT = "宋体"
HEADING_FONT = "黑体"

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


def _named(name: str, *, font: Font, alignment: Alignment, fill: PatternFill | None = None, border: bool = True,
           number_format: str | None = None) -> NamedStyle:
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
    wrap_left = Alignment(wrap_text=True, vertical="top", horizontal="left")
    wrap_center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    styles = [
        _named("xp_title", font=Font(name=HEADING_FONT, size=16, bold=True), border=False,
               alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        _named("xp_subtitle", font=Font(name=BODY_FONT, size=10), border=False,
               alignment=Alignment(horizontal="left", vertical="center", wrap_text=True)),
        _named("xp_heading", font=Font(name=HEADING_FONT, size=12, bold=True), border=False,
               alignment=Alignment(horizontal="left", vertical="center")),
        _named("xp_header", font=Font(name=HEADING_FONT, size=10, bold=True), alignment=wrap_center,
               fill=PatternFill("solid", fgColor="D9E1F2")),
        _named("xp_body", font=Font(name=BODY_FONT, size=10), alignment=wrap_left),
        _named("xp_center", font=Font(name=BODY_FONT, size=10), alignment=wrap_center),
        _named("xp_number", font=Font(name=BODY_FONT, size=10), alignment=wrap_center, number_format="0"),
        _named("xp_percent", font=Font(name=BODY_FONT, size=10), alignment=wrap_center, number_format="0.0%"),
    ]
    for key, (fill, colour) in {"green": GREEN_COLOURS, "yellow": YELLOW_COLOURS, "red": RED_COLOURS,
                                "grey": GREY_COLOURS}.items():
        styles.append(
            _named(f"xp_{key}", font=Font(name=BODY_FONT, size=10, color=colour), alignment=wrap_center,
                   fill=PatternFill("solid", fgColor=fill))
        )
    for style in styles:
        workbook.add_named_style(style)


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


class StyledCells:
    """Cells for one write-only sheet, styled by name at the cost of copying a style array.

    Assigning a named style looks it up in the workbook each time; the sheets write hundreds of
    thousands of cells, so each style is resolved once and its array copied onto each cell.
    """

    def __init__(self, worksheet: Any):
        self.worksheet = worksheet
        self._arrays: dict[str, Any] = {}

    def _array(self, style: str) -> Any:
        array = self._arrays.get(style)
        if array is None:
            probe = WriteOnlyCell(self.worksheet)
            probe.style = style
            array = self._arrays[style] = probe._style
        return array

    def cell(self, value: Any, style: str = "xp_body") -> WriteOnlyCell:
        cell = WriteOnlyCell(self.worksheet)
        cell._style = copy(self._array(style))
        set_value(cell, value)  # people's text stays text (exports.cells)
        return cell


def setup_print(worksheet: Any, *, header_row: int | None, last_column: int, landscape: bool = True) -> None:
    """A4 (landscape by default), fitted to the page width, header row repeated on every page,
    narrow margins, page numbers in the footer. Sets only tail parts: call any time before close."""
    worksheet.page_setup.orientation = "landscape" if landscape else "portrait"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
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

    def __init__(self, workbook: Workbook, title: str, *, heading: str, subtitle: str, columns: Sequence[Column]):
        self.worksheet = workbook.create_sheet(title=title)
        self.columns = list(columns)
        self.cells = StyledCells(self.worksheet)
        self.rows_written = 0
        ws, last = self.worksheet, len(self.columns)
        prepare_sheet(ws, columns=self.columns, freeze=f"A{self.HEADER_ROW + 1}")
        ws.row_dimensions[1].height = 32
        ws.append([self.cells.cell(heading, "xp_title")])
        ws.append([self.cells.cell(subtitle, "xp_subtitle")])
        ws.append([self.cells.cell(c.header, "xp_header") for c in self.columns])
        end = get_column_letter(last)
        ws.merged_cells.add(f"A1:{end}1")
        ws.merged_cells.add(f"A2:{end}2")
        setup_print(ws, header_row=self.HEADER_ROW, last_column=last)

    def append(self, values: Iterable[tuple[Any, str | None]]) -> None:
        """One row: (value, style or None for the column's style) per column."""
        self.worksheet.append(
            [self.cells.cell(value, style or column.style) for (value, style), column in zip(values, self.columns, strict=True)]
        )
        self.rows_written += 1

    def append_note(self, text: str) -> None:
        """A row of plain text across the table (e.g. "没有符合条件的任务。")."""
        self.worksheet.append([self.cells.cell(text, "xp_body")])
        row = self.HEADER_ROW + self.rows_written + 1
        self.worksheet.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")
        self.rows_written += 1

    def finish(self) -> None:
        last_row = self.HEADER_ROW + max(self.rows_written, 0)
        self.worksheet.auto_filter.ref = f"A{self.HEADER_ROW}:{get_column_letter(len(self.columns))}{last_row}"


def safe_sheet_title(text: str, *, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in ``taken`` (added)."""
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in text).strip("'") or "Sheet"
    base = cleaned[:31]
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name
