"""Checks on an uploaded workbook before openpyxl parses a byte of it.

Only an Excel workbook (.xlsx) is accepted, recognised by its content and not only its name: a zip
whose ``[Content_Types].xml`` declares the plain workbook part and which holds no macro project
(``vbaProject.bin``). Refused, each with a Chinese message saying what to do: files over the size
limit, other names (.xlsm, .xltm, .xltx, .xls, .csv …), old binary Excel (OLE), text, a zip that is
not a workbook, macro-enabled workbooks and templates, zip bombs (too many members, too much
uncompressed data in total, or a member compressed suspiciously well: the sizes come from the
zip's central directory, and Python's zipfile never inflates more than a member declares), and any
XML part that declares a DOCTYPE or entities (billion laughs, external entities), refused by the
streaming parse below before anything is expanded. openpyxl itself parses through defusedxml too
(:func:`ensure_defused_openpyxl`).

The work is bounded by what the template can hold: every XML part is inflated and parsed as a stream
(expat, in chunks) before openpyxl opens the file, counting what it holds: a worksheet's rows (empty
ones too) up to the row limit plus a margin, its cells (empty ones too) within the template's
columns plus a margin, every part's inflated size, and the elements of the whole workbook. The first
excess stops the reading with a Chinese message; nothing is parsed twice beyond that.
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
# What the template can hold (offline.layout: 12 and 9 columns; a title, a header and the data rows),
# with room for blank rows Excel keeps for their height or format and a note typed beside the columns.
ROW_SLACK = 200
SHEET_MAX_COLUMNS = 32
# Inflated bytes of one part: worksheets and shared strings hold the texts (up to 5000 characters
# a cell; the template writes them inline as character references, 8 bytes a character, about five
# times what they take compressed in an upload of at most 5 MB); any other part (styles, comments,
# relationships) is a few KB in the template.
TEXT_PART_MAX_BYTES = 32 * MB
OTHER_PART_MAX_BYTES = 4 * MB
# XML elements in the whole workbook: as many as one sheet of the widest rows, a cell being at most a
# few (c, is, t or v). The template's two sheets of 12 and 9 columns, filled, take about half of it.
ELEMENTS_PER_CELL = 4
# Inflated and parsed this many bytes at a time.
SCAN_CHUNK_BYTES = 64 * 1024

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


def max_sheet_rows() -> int:
    """The highest row number (and the most rows, empty ones included) a worksheet may have."""
    return max_rows() + ROW_SLACK


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


def too_many_rows() -> ApplicationError:
    limit = max_sheet_rows()
    return refuse(
        f"工作表的行数超过{limit}行（空白行也计算在内），超出填报模板的范围。"
        "请删除模板下方多余的行（选中后“删除”，不是清除内容）后重新上传，或分批上传。"
    )


def too_many_columns() -> ApplicationError:
    return refuse(
        f"工作表超出填报模板的列范围（第{SHEET_MAX_COLUMNS}列之后还有单元格，空白但设置过格式的单元格也计算在内）。"
        "请删除模板右侧多余的列后重新上传。"
    )


def too_much_content() -> ApplicationError:
    return refuse("工作簿内容过多（解压后超出填报模板可能的大小），为安全起见已拒绝读取。" + SAVE_AS_HINT)


def _column_number(reference: str) -> int:
    """The column of a cell reference such as ``"L3"`` (0 when there is none)."""
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > SHEET_MAX_COLUMNS:
            break
    return number


class _PartScan:
    """Counts the elements of the workbook's XML parts as expat reports them, refusing at the first
    excess: a worksheet's rows and each row's cells, and all elements together."""

    def __init__(self) -> None:
        self.elements = 0
        self.element_limit = max_sheet_rows() * SHEET_MAX_COLUMNS * ELEMENTS_PER_CELL
        self.row_limit = max_sheet_rows()
        self.start_part()

    def start_part(self) -> None:
        self.rows = 0
        self.row_number = 0
        self.cells_in_row = 0
        self.column = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.element_limit:
            raise too_much_content()
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells_in_row += 1
            reference = attributes.get("r")
            self.column = _column_number(reference) if reference else self.column + 1
            if self.cells_in_row > SHEET_MAX_COLUMNS or self.column > SHEET_MAX_COLUMNS:
                raise too_many_columns()
        elif name == "row":
            self.rows += 1
            given = attributes.get("r")
            self.row_number = int(given) if given and given.isdecimal() and len(given) < 9 else self.row_number + 1
            if self.rows > self.row_limit or self.row_number > self.row_limit:
                raise too_many_rows()
            self.cells_in_row = 0
            self.column = 0


def _refuse_declaration(*args: object) -> None:
    raise xml_declaration_refused()


def _part_limit(name: str) -> int:
    if (name.startswith("xl/worksheets/") and not name.endswith(".rels")) or name == "xl/sharedStrings.xml":
        return TEXT_PART_MAX_BYTES
    return OTHER_PART_MAX_BYTES


def _prescan_xml(archive: zipfile.ZipFile) -> None:
    """Parse every XML part as a stream, refusing any DOCTYPE or entity declaration (billion laughs,
    external entities) and anything beyond what the template can hold (see the module's docstring)."""
    from xml.parsers import expat

    xml_parts = [info for info in archive.infolist() if info.filename.lower().endswith((".xml", ".rels", ".vml"))]
    # Declared sizes are what zipfile inflates at most: parts too large are refused before reading.
    if any(info.file_size > _part_limit(info.filename) for info in xml_parts):
        raise too_much_content()
    scan = _PartScan()
    for info in xml_parts:
        scan.start_part()
        parser = expat.ParserCreate()
        parser.StartElementHandler = scan.start
        parser.StartDoctypeDeclHandler = _refuse_declaration
        parser.EntityDeclHandler = _refuse_declaration
        parser.UnparsedEntityDeclHandler = _refuse_declaration
        parser.ExternalEntityRefHandler = _refuse_declaration
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            with archive.open(info) as member:
                while chunk := member.read(SCAN_CHUNK_BYTES):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError:
            raise refuse("工作簿内容已损坏，无法读取。" + SAVE_AS_HINT) from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError):
            raise refuse("文件已损坏，无法打开。" + SAVE_AS_HINT) from None
