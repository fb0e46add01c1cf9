"""Serving a workbook: a streamed FileResponse over a temporary file, with a Chinese file name.

Django's FileResponse writes ``Content-Disposition: attachment; filename*=utf-8''…`` (RFC 5987)
for a non-ASCII name, with an ASCII fallback; the file is read in blocks and closed when the
response is, so a workbook never lands in media storage.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.http import FileResponse
from rest_framework.renderers import BaseRenderer

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(handle: IO[bytes], filename: str, content_type: str) -> FileResponse:
    """A generated document as a download: never cached, never sniffed into another type."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(handle: IO[bytes], filename: str) -> FileResponse:
    return file_response(handle, filename, XLSX_CONTENT_TYPE)


class BinaryRenderer(BaseRenderer):
    """An API renderer for a generated document: lets a client ask for the file's type in ``Accept``;
    an error is still sent as JSON (Chinese kept as characters)."""

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


class XlsxRenderer(BinaryRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
