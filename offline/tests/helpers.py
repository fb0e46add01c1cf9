"""Building and filling templates in tests: real .xlsx bytes, read and written with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from offline import layout


def download(user: Any, period: Any) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("offline:template_download"), {"period": period.pk})
    assert response.status_code == 200, response.content[:500]
    return response.content


def open_book(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def save_book(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column(columns: list[layout.Column], key: str) -> int:
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def row_of(ws: Any, number: int) -> int:
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == number:
            return r
    raise AssertionError(f"no row for task {number}")


def fill(workbook: Any, number: int, **values: Any) -> None:
    ws = workbook[layout.MAIN_SHEET]
    r = row_of(ws, number)
    for key, value in values.items():
        ws.cell(row=r, column=column(layout.MAIN_COLUMNS, key)).value = value


def fill_actual(workbook: Any, number: int, position: int, **values: Any) -> None:
    ws = workbook[layout.ACTUALS_SHEET]
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == number and ws.cell(row=r, column=2).value == position:
            for key, value in values.items():
                ws.cell(row=r, column=column(layout.ACTUAL_COLUMNS, key)).value = value
            return
    raise AssertionError(f"no actual row {number}-{position}")


def upload(user: Any, content: bytes, *, name: str = "模板.xlsx", api: bool = True) -> Any:
    client = Client()
    client.force_login(user)
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    url = reverse("api:offline-upload") if api else reverse("offline:template_upload")
    return client.post(url, {"file": file})
