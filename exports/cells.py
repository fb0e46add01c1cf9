"""Writing people's text into workbook cells so that it stays text.

Every workbook the product writes (the ledger, the meeting pack, the offline templates) puts report
texts, task texts and unit names into cells through these helpers, never by assigning ``cell.value``
directly:

- **Formula injection**: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  would be read by Excel, WPS or LibreOffice as a formula (or a DDE call). Such a text is stored as
  a string cell (``t="s"``/inline string, never ``t="f"``) *and* styled with ``quotePrefix``, so it
  also stays text when somebody edits the cell and presses Enter. Nothing is added to or removed
  from what the person wrote.
- **Characters XML cannot hold** (control characters other than tab, newline and carriage return,
  U+FFFE, U+FFFF, lone surrogates) are dropped by :func:`xingping_tracker.core.text.clean_text`,
  the same function the report services clean saved texts with: one such character would
  otherwise make the whole workbook fail.

Numbers, dates and ``None`` are written as they are (they cannot become formulas).

:func:`choice_validation` is the one drop-down list of allowed texts the workbooks use (a status
column), with its Chinese message for anything else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.datavalidation import DataValidation

from xingping_tracker.core.text import clean_text

__all__ = ["cell_payload", "choice_validation", "clean_text", "is_formula_like", "set_value", "text_cell"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CellValue = str | int | float | Decimal | dt.date | dt.datetime | None


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program would treat ``text`` as a formula if typed into a cell."""
    return text.startswith(FORMULA_TRIGGERS)


def set_value(cell: Cell | WriteOnlyCell, value: Any) -> Cell | WriteOnlyCell:
    """Put ``value`` into ``cell`` safely (see the module docstring); returns the cell."""
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        # openpyxl guesses the type from the value: a leading "=" would make it a formula.
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def text_cell(worksheet: Any, value: Any, *, style: str | None = None) -> WriteOnlyCell:
    """A write-only cell holding ``value`` safely, optionally with a named style registered on the workbook."""
    cell = WriteOnlyCell(worksheet)
    if style is not None:
        cell.style = style
    set_value(cell, value)
    return cell


def cell_payload(value: Any) -> tuple[str, str, bool]:
    """How ``value`` is stored by a row writer that builds the cell XML itself (:mod:`exports.layout`):

    ``("s", text, quote_prefix)`` for text (cleaned as :func:`set_value` does; ``quote_prefix`` when
    it looks like a formula), ``("n", digits, False)`` for a number, ``("", "", False)`` for None.
    Text is never a formula there either: the writer emits an inline string for ``"s"``.
    """
    if value is None:
        return "", "", False
    if isinstance(value, bool):
        return "s", "是" if value else "否", False
    if isinstance(value, str):
        text = clean_text(value)
        return "s", text, is_formula_like(text)
    if isinstance(value, int | float | Decimal):
        return "n", format(value, "f") if isinstance(value, Decimal) else repr(value), False
    raise TypeError(f"cell_payload: format {type(value).__name__} values as text first")


def choice_validation(
    choices: tuple[str, ...] | list[str], *, title: str, allow_blank: bool = True, prompt: bool = False
) -> DataValidation:
    """A drop-down of ``choices`` (add its cells with ``.add(range)``): typing anything else is refused
    with "``title``请从下拉列表中选择：a、b、c。"; ``prompt`` also shows a hint when the cell is selected."""
    return DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=allow_blank,
        showErrorMessage=True,
        errorTitle=title,
        error=f"{title}请从下拉列表中选择：{'、'.join(choices)}。",
        promptTitle=title if prompt else None,
        prompt="请从下拉列表中选择" if prompt else None,
        showInputMessage=prompt,
    )
