"""Checks on an uploaded workbook before openpyxl parses a byte of it.

Only an Excel workbook (.xlsx) is accepted, recognised by its content and not only its name: a zip
whose ``[Content_Types].xml`` declares the plain workbook part and which holds no macro project
(``vbaProject.bin``). Refused, each with a Chinese message saying what to do: files over the size
limit, other names (.xlsm, .xltm, .xltx, .xls, .csv …), old binary Excel (OLE), text, a zip that is
not a workbook, macro-enabled workbooks and templates, zip bombs (too many members, too much
uncompressed data in total, or a member compressed suspiciously well: the sizes come from the
zip's central directory, and Python's zipfile never inflates more than a member declares), and any
XML part that declares a DOCTYPE or entities (billion laughs, external entities), checked with
defusedxml. openpyxl itself parses through defusedxml too (:func:`ensure_defused_openpyxl`).
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings

from xingping_tracker.core.archives import has_macro_project, is_zip_bomb
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 5 * MB
DEFAULT_MAX_ROWS = 2000
# Zip-bomb limits (xingping_tracker.core.archives), checked on the central directory before anything is inflated.
MAX_UNCOMPRESSED_BYTES = 100 * MB
MAX_MEMBERS = 500
# Worksheets larger than this are pre-scanned by their head only (see _prescan_xml).
SHEET_PRESCAN_BYTES = 64 * 1024

WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_OTHER_WORKBOOK_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "启用宏的工作簿（.xlsm）",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "启用宏的模板（.xltm）",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "Excel 模板（.xltx）",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": "Excel 二进制工作簿（.xlsb）",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
SAVE_AS_HINT = "请使用从本系统下载的填报模板，在 Excel 或 WPS 中填写后保存为“Excel 工作簿（.xlsx）”再上传。"


def max_bytes() -> int:
    return int(getattr(settings, "OFFLINE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "OFFLINE_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS))


def refuse(message: str) -> ApplicationError:
    """A file-level refusal, in the same shape as the row errors (one entry, no sheet or row)."""
    return ApplicationError(
        ErrorCode.INVALID, message, extra={"errors": [{"sheet": "", "row": None, "column": "", "message": message}]}
    )


def ensure_defused_openpyxl() -> None:
    """openpyxl parses with defusedxml only when it is installed and not switched off
    (``OPENPYXL_DEFUSEDXML=False``); refuse to read uploads otherwise."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise ApplicationError(ErrorCode.INVALID, "服务器未启用安全的 XML 解析（defusedxml），暂不能读取上传的工作簿，请联系管理员。")


def check_file_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise refuse(f"文件过大（{size / MB:.1f} MB），超过 {limit / MB:g} MB 的上限。请只保留填报模板的内容后重新上传。")
    if size == 0:
        raise refuse("文件是空的。请选择填写好的填报模板（.xlsx）。")


def check_workbook_bytes(data: bytes, *, filename: str = "") -> None:
    """Raise ``ApplicationError`` (INVALID, one Chinese message) unless ``data`` is a plain .xlsx workbook."""
    check_file_size(len(data))
    name = filename.lower().strip()
    if data.startswith(_OLE_MAGIC):
        raise refuse("这是旧版 Excel 工作簿（.xls）或加密的文件，不能上传。请取消打开密码，" + SAVE_AS_HINT)
    if not data.startswith(_ZIP_MAGIC):
        if name.endswith(".csv") or name.endswith(".txt"):
            raise refuse("这是文本文件（如 .csv），不是 Excel 工作簿，不能上传。" + SAVE_AS_HINT)
        raise refuse("这不是 Excel 工作簿（.xlsx），不能上传。" + SAVE_AS_HINT)
    if name and not name.endswith(".xlsx"):
        suffix = name.rsplit(".", 1)[-1] if "." in name else ""
        shown = f"“.{suffix}”文件" if suffix else "没有扩展名的文件"
        raise refuse(f"只接受 Excel 工作簿（.xlsx），不接受{shown}。" + SAVE_AS_HINT)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, IndexError):
        raise refuse("文件已损坏，无法打开。" + SAVE_AS_HINT) from None
    with archive:
        _check_zip_safety(archive)
        _check_content_types(archive)
        _prescan_xml(archive)


def _structure_error() -> ApplicationError:
    return refuse("文件结构异常（解压后体积过大或压缩比异常），为安全起见已拒绝读取。" + SAVE_AS_HINT)


def _check_zip_safety(archive: zipfile.ZipFile) -> None:
    if is_zip_bomb(archive, max_members=MAX_MEMBERS, max_unpacked_bytes=MAX_UNCOMPRESSED_BYTES):
        raise _structure_error()


def _check_content_types(archive: zipfile.ZipFile) -> None:
    import defusedxml
    import defusedxml.ElementTree as SafeET

    names = set(archive.namelist())
    if has_macro_project(archive):
        raise refuse("工作簿中含有宏（VBA），不能上传。" + SAVE_AS_HINT)
    if "[Content_Types].xml" not in names:
        raise refuse("这不是 Excel 工作簿（.xlsx）。" + SAVE_AS_HINT)
    try:
        root = SafeET.fromstring(archive.read("[Content_Types].xml"), forbid_dtd=True)
    except (defusedxml.DefusedXmlException, SafeET.ParseError):
        raise refuse("文件结构异常，无法读取。" + SAVE_AS_HINT) from None
    types = {element.get("ContentType", "") for element in root}
    for content_type, what in _OTHER_WORKBOOK_TYPES.items():
        if content_type in types:
            raise refuse(f"这是{what}，不能上传。" + SAVE_AS_HINT)
    if any("macroEnabled" in content_type or "vbaProject" in content_type for content_type in types):
        raise refuse("工作簿中含有宏（VBA），不能上传。" + SAVE_AS_HINT)
    if WORKBOOK_CONTENT_TYPE not in types:
        raise refuse("这不是 Excel 工作簿（.xlsx）。" + SAVE_AS_HINT)


def xml_declaration_refused() -> ApplicationError:
    return refuse("文件结构异常：工作簿中含有不允许的 XML 声明（DOCTYPE/ENTITY），为安全起见已拒绝读取。" + SAVE_AS_HINT)


def _prescan_xml(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part declaring a DOCTYPE or entities (billion laughs, external entities)."""
    import defusedxml
    import defusedxml.ElementTree as SafeET

    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        if info.filename.startswith("xl/worksheets/") and info.file_size > SHEET_PRESCAN_BYTES:
            # A large worksheet: its prolog (where a DOCTYPE must stand) is checked here, and openpyxl
            # reads worksheets with defusedxml's iterparse, which refuses any entity declaration
            # (caught as the same refusal, see offline.upload).
            with archive.open(info) as member:
                head = member.read(SHEET_PRESCAN_BYTES)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head or not head.lstrip().startswith(b"<"):
                raise xml_declaration_refused()
            continue
        try:
            SafeET.fromstring(archive.read(info), forbid_dtd=True)
        except defusedxml.DefusedXmlException:
            raise xml_declaration_refused() from None
        except SafeET.ParseError:
            raise refuse("工作簿内容已损坏，无法读取。" + SAVE_AS_HINT) from None
