"""Build real .docx files in tests with python-docx, and tamper with their zip packages.

    data = (
        DocxBuilder()
        .paragraph("一、目标定位")
        .table([["序号", "重点任务", "牵头单位"], ["1", "建设…", "市发改局"]], merges=[(1, 0, 1, 2)])
        .to_bytes()
    )

A cell value is a string (one paragraph) or a list of strings (one paragraph each).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Self

import docx
from docx.oxml import OxmlElement

CellValue = str | Sequence[str]


class DocxBuilder:
    def __init__(self) -> None:
        self.document = docx.Document()

    def paragraph(self, text: str = "", *, style: str | None = None) -> Self:
        self.document.add_paragraph(text, style=style)
        return self

    def numbered(self, *texts: str) -> Self:
        """Paragraphs in Word's automatic numbered list ("List Number": 1. 2. 3.)."""
        for text in texts:
            self.document.add_paragraph(text, style="List Number")
        return self

    def table(
        self,
        rows: Sequence[Sequence[CellValue]],
        *,
        merges: Sequence[tuple[int, int, int, int]] = (),
        styles: Mapping[tuple[int, int], str] | None = None,
    ) -> Self:
        """A table; ``merges`` are inclusive (top, left, bottom, right) rectangles keeping the top-left text.

        ``styles`` gives a paragraph style per (row, column), e.g. "List Number" for an
        automatically numbered 序号 column.
        """
        width = max(len(row) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                paragraphs = [value] if isinstance(value, str) else list(value)
                style = (styles or {}).get((r, c))
                cell.paragraphs[0].text = paragraphs[0] if paragraphs else ""
                if style:
                    cell.paragraphs[0].style = style
                for text in paragraphs[1:]:
                    cell.add_paragraph(text, style=style)
        for top, left, bottom, right in merges:
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    if (r, c) != (top, left):
                        _clear(table.cell(r, c))
            table.cell(top, left).merge(table.cell(bottom, right))
        return self

    def deleted_and_hidden(self, kept: str, deleted: str, hidden: str, inserted: str) -> Self:
        """One paragraph: ``kept`` text, a tracked deletion, a hidden run and a tracked insertion."""
        paragraph = self.document.add_paragraph(kept)
        p = paragraph._p

        deletion = OxmlElement("w:del")
        run = OxmlElement("w:r")
        del_text = OxmlElement("w:delText")
        del_text.text = deleted
        run.append(del_text)
        deletion.append(run)
        p.append(deletion)

        hidden_run = paragraph.add_run(hidden)
        hidden_run.font.hidden = True

        insertion = OxmlElement("w:ins")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = inserted
        run.append(text)
        insertion.append(run)
        p.append(insertion)
        return self

    def content_control(self, text: str) -> Self:
        """A paragraph wrapped in a block-level content control (w:sdt)."""
        paragraph = self.document.add_paragraph(text)
        p = paragraph._p
        sdt = OxmlElement("w:sdt")
        content = OxmlElement("w:sdtContent")
        p.addprevious(sdt)
        sdt.append(content)
        content.append(p)
        return self

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _clear(cell) -> None:
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    cell.paragraphs[0].text = ""


def docx_of_paragraphs(*texts: str) -> bytes:
    builder = DocxBuilder()
    for text in texts:
        builder.paragraph(text)
    return builder.to_bytes()


def zip_bytes(members: Mapping[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_members(data: bytes, changes: Mapping[str, bytes | None]) -> bytes:
    """The same package with members replaced or added (``None`` removes a member)."""
    members = docx_members(data)
    for name, content in changes.items():
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    return zip_bytes(members)
