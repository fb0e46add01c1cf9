"""Serving a workbook: a streamed FileResponse over a temporary file, with a Chinese file name.

Django's FileResponse writes ``Content-Disposition: attachment; filename*=utf-8''…`` (RFC 5987)
for a non-ASCII name, with an ASCII fallback; the file is read in blocks and closed when the
response is, so a workbook never lands in media storage.
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(handle: IO[bytes], filename: str, content_type: str) -> FileResponse:
    """A generated document as a download: never cached, never sniffed into another type."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(handle: IO[bytes], filename: str) -> FileResponse:
    return file_response(handle, filename, XLSX_CONTENT_TYPE)
