"""Turn the bytes of an uploaded or local plan document into plain text for the parser.

``decode_document`` accepts plain text (UTF-8 with or without BOM, UTF-16/UTF-32 with BOM,
GB18030/GBK) and Word ``.docx`` files (recognised by content, whatever the file name). Anything
else is refused with a ``PlanParseError`` whose code is stable and whose message, in Chinese,
says what is wrong and what to do:

- ``IMPORT_TOO_LARGE``: more than ``max_bytes``;
- ``IMPORT_EMPTY``: nothing but whitespace;
- ``IMPORT_BINARY``: not text at all (NUL bytes, control characters, PDF, old ``.doc``/OLE,
  images, archives other than zip);
- ``IMPORT_BAD_FORMAT``: a known container that is not a readable Word document (a zip that is
  not Word, ``.xlsx``, ``.pptx``, OFD, RTF, HTML/XML exports, a damaged or unsafe ``.docx``);
- ``IMPORT_UNDECODABLE``: bytes in no supported text encoding.

The text returned has ``\\n`` line breaks, no trailing whitespace on any line, no BOM and no
NUL; the characters are otherwise those of the document (the parser deals with full-width and
ASCII punctuation itself).

A ``.docx`` is flattened in body order: one line per non-empty paragraph (with Word's automatic
list numbers written out), and tables either as task lines
``{序号}.{任务}(牵头单位:…;配合单位:…;完成时限:…)`` when the header names the usual columns, or
as tab-separated rows otherwise.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from xingping_tracker.core.archives import MAX_COMPRESSION_RATIO, is_zip_bomb
from xingping_tracker.core.exceptions import ErrorCode

from .types import PlanParseError

__all__ = ["decode_document", "MAX_DOCX_UNCOMPRESSED_BYTES", "MAX_DOCX_MEMBERS", "MAX_DOCX_COMPRESSION_RATIO"]

MB = 1024 * 1024

# Limits on a .docx before anything is decompressed (zip-bomb protection). The sizes come from
# the zip's central directory; Python's zipfile never returns more bytes than a member declares,
# so the declared sizes bound what python-docx can load.
MAX_DOCX_UNCOMPRESSED_BYTES = 50 * MB
MAX_DOCX_MEMBERS = 2000
# The per-member compression ratio rule is the one of xingping_tracker.core.archives.
MAX_DOCX_COMPRESSION_RATIO = MAX_COMPRESSION_RATIO

_SAVE_AS_HINT = "请在 Word 或 WPS 中打开原文件，另存为 .docx 或 UTF-8 编码的 .txt 后重新上传。"


def _fail(code: ErrorCode, message: str) -> PlanParseError:
    return PlanParseError(code, message)


def decode_document(data: bytes, *, filename: str = "", max_bytes: int = 10 * MB) -> str:
    """Return the document's text, or raise ``PlanParseError`` saying why it cannot be read."""
    if len(data) > max_bytes:
        raise _fail(
            ErrorCode.IMPORT_TOO_LARGE,
            f"文件过大（{len(data) / MB:.1f} MB），超过 {max_bytes / MB:g} MB 的上限。"
            "请删除方案以外的内容（如图片、附件）后重新上传，或只上传任务分工部分。",
        )
    if not data.strip():
        raise _fail(ErrorCode.IMPORT_EMPTY, "文件是空的，没有任何内容。请检查是否选错了文件。")

    _refuse_known_binary(data, filename)
    if _is_zip(data):
        lines = _docx_lines(data)
        text = "\n".join(lines)
    else:
        text = _decode_text(data)
        _refuse_markup(text)
    text = _normalise(text)
    if not text.strip():
        raise _fail(ErrorCode.IMPORT_EMPTY, "文件中没有可读取的文字。请检查是否选错了文件。")
    return text


# --- text -------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)

# Characters str.splitlines() breaks on; they become "\n" and are not counted as junk.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _decode_text(data: bytes) -> str:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise _fail(
                    ErrorCode.IMPORT_UNDECODABLE,
                    f"文件标明为 {label} 编码，但内容不是有效的 {label} 文字（可能已损坏或被截断）。"
                    "请用记事本或 WPS 打开后另存为 UTF-8 编码的 .txt，或上传 .docx。",
                ) from exc
            _refuse_control_characters(text)
            return text

    if b"\x00" in data:
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            "文件包含二进制内容（空字节），不是文本文件或 Word 文档。"
            "如果这是文本文件，请用记事本另存为 UTF-8 编码后重新上传；否则" + _SAVE_AS_HINT,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_control_characters(text)
        if _has_cjk(text) or not _ALPHABETIC_NON_CJK.search(text):
            return text
        # Valid UTF-8 without a single hanzi but with Latin/Cyrillic/... letters: a short GBK text
        # can be valid UTF-8 by accident ("前页" in GBK reads "ǰҳ"); prefer GB18030 if plausible.
        chinese = _gb18030_or_none(data)
        return chinese if chinese is not None and _has_cjk(chinese) else text

    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable() from exc
    _refuse_control_characters(text)
    if not _plausible_chinese(text):
        raise _undecodable()
    return text


def _gb18030_or_none(data: bytes) -> str | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _plausible_chinese(text) else None


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


# Letters of alphabetic scripts (Latin-1 supplement to Greek extended): what GBK bytes read as
# UTF-8 look like.
_ALPHABETIC_NON_CJK = re.compile("[\u0080-\u1fff]")


def _has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def _undecodable() -> PlanParseError:
    return _fail(
        ErrorCode.IMPORT_UNDECODABLE,
        "无法识别文件的文字编码（支持 UTF-8、UTF-16 和 GBK/GB18030）。"
        "请用记事本或 WPS 打开文件，另存为 UTF-8 编码的 .txt，或直接上传 .docx。",
    )


def _refuse_control_characters(text: str) -> None:
    if "\x00" in text:
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            "文件包含空字符，不是正常的文本文件。" + _SAVE_AS_HINT,
        )
    junk = sum(
        count
        for char, count in Counter(text).items()
        if char != "\t" and char not in _LINE_BREAKS and unicodedata.category(char) == "Cc"
    )
    if junk and (junk * 100 > len(text) or junk > 64):
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            f"文件包含大量控制字符（{junk} 个），看起来是二进制文件而不是文本。" + _SAVE_AS_HINT,
        )


# Characters outside GB2312 that still occur in ordinary Chinese government text.
_COMMON_EXTRA = frozenset("·•—–―‘’“”…‰℃№〇〔〕【】〖〗「」『』﹝﹞①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳€")


@lru_cache(maxsize=65536)
def _is_common_char(char: str) -> bool:
    if char in _COMMON_EXTRA:
        return True
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _is_private_use(char: str) -> bool:
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def _plausible_chinese(text: str) -> bool:
    """Whether a GB18030 decoding looks like real text and not random bytes.

    GB18030 accepts a great many byte strings. Real Chinese text is ASCII plus characters of the
    GB2312 repertoire (the 6,763 common hanzi and the usual punctuation); random high bytes land
    mostly in the rare GBK extension rows, the four-byte ranges and the private-use areas.
    """
    counts = Counter(char for char in text if ord(char) > 0x7F)
    total = sum(counts.values())
    if total == 0:
        return True
    common = sum(count for char, count in counts.items() if _is_common_char(char))
    private = sum(count for char, count in counts.items() if _is_private_use(char))
    return common >= 0.8 * total and private <= max(2, total // 50)


_MARKUP = re.compile(r"(?is)\A\s*(<!doctype\s+html|<html[\s>]|<\?xml|mime-version:)")


def _refuse_markup(text: str) -> None:
    """Word's "save as web page / XML" output decodes as text but is markup, not the plan."""
    if _MARKUP.match(text.lstrip("\ufeff")):
        raise _fail(
            ErrorCode.IMPORT_BAD_FORMAT,
            "这是网页（HTML/MHT）或 XML 格式的文件，不是纯文本。" + _SAVE_AS_HINT,
        )


def _normalise(text: str) -> str:
    text = text.replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.splitlines())


# --- known binary formats ---------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _is_zip(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGICS)


def _image_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    if data.startswith(b"BM") and len(data) >= 26 and data[6:10] == b"\x00\x00\x00\x00":
        return "BMP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "HEIC"
    return None


def _refuse_known_binary(data: bytes, filename: str) -> None:
    name = filename.lower()
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            "这是 PDF 文件，系统无法从中准确读取文字。请上传方案的 Word 原文（.docx），"
            "或将文字复制到记事本中另存为 UTF-8 编码的 .txt 后上传。",
        )
    if data.startswith(_OLE_MAGIC):
        if name.endswith((".xls", ".et")):
            what = "旧版 Excel 工作簿（.xls）"
        elif name.endswith((".ppt", ".dps")):
            what = "旧版 PowerPoint 演示文稿（.ppt）"
        else:
            what = "旧版 Word 文档（.doc/.wps）或设置了打开密码的 Office 文件"
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            f"这是{what}，系统无法直接读取。请在 Word 或 WPS 中打开（如有密码请先取消），"
            "另存为 .docx 或 UTF-8 编码的 .txt 后重新上传。",
        )
    image = _image_kind(data)
    if image:
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            f"这是一张图片（{image}），不是文字文件。请上传方案的 Word 原文（.docx）或文本文件（.txt）。",
        )
    if data.startswith((b"\x1f\x8b", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"BZh")):
        raise _fail(
            ErrorCode.IMPORT_BINARY,
            "这是一个压缩包，不是方案文件。请解压后上传其中的 Word 文档（.docx）或文本文件（.txt）。",
        )
    if head.startswith(b"{\\rtf"):
        raise _fail(
            ErrorCode.IMPORT_BAD_FORMAT,
            "这是 RTF 格式的文件，系统无法读取。" + _SAVE_AS_HINT,
        )


# --- .docx --------------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, IndexError) as exc:
        raise _fail(
            ErrorCode.IMPORT_BAD_FORMAT,
            "文件看起来是压缩格式（如 .docx），但已损坏，无法打开。" + _SAVE_AS_HINT,
        ) from exc


def _structure_error() -> PlanParseError:
    return _fail(
        ErrorCode.IMPORT_BAD_FORMAT,
        "文件结构异常（解压后体积过大或压缩比异常），为安全起见已拒绝读取。" + _SAVE_AS_HINT,
    )


def _classify_zip(archive: zipfile.ZipFile) -> None:
    """Refuse a zip that is not a Word document, naming what it is."""
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return
    if "xl/workbook.xml" in names:
        what = "Excel 工作簿（.xlsx），不是方案文档。请上传方案的 Word 原文（.docx）或文本文件（.txt）。"
    elif "ppt/presentation.xml" in names:
        what = "PowerPoint 演示文稿（.pptx），不是方案文档。请上传方案的 Word 原文（.docx）或文本文件（.txt）。"
    elif "OFD.xml" in names:
        what = "OFD 版式文件，系统无法读取。请上传方案的 Word 原文（.docx）或文本文件（.txt）。"
    elif "mimetype" in names or "content.xml" in names:
        what = "OpenDocument（.odt 等）文件，系统无法读取。" + _SAVE_AS_HINT
    else:
        what = "压缩包（.zip），不是 Word 文档。请解压后上传其中的 Word 文档（.docx）或文本文件（.txt）。"
    raise _fail(ErrorCode.IMPORT_BAD_FORMAT, "这是" + what)


def _check_zip_safety(archive: zipfile.ZipFile) -> None:
    if is_zip_bomb(archive, max_members=MAX_DOCX_MEMBERS, max_unpacked_bytes=MAX_DOCX_UNCOMPRESSED_BYTES):
        raise _structure_error()


def _prescan_xml(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part declaring a DOCTYPE or entities (billion laughs, external entities)."""
    import defusedxml
    import defusedxml.ElementTree as SafeET

    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        content = archive.read(info)
        try:
            SafeET.fromstring(content, forbid_dtd=True)
        except defusedxml.DefusedXmlException as exc:
            raise _fail(
                ErrorCode.IMPORT_BAD_FORMAT,
                "文件结构异常：文档中含有不允许的 XML 声明（DOCTYPE/ENTITY），为安全起见已拒绝读取。" + _SAVE_AS_HINT,
            ) from exc
        except SafeET.ParseError as exc:
            raise _fail(
                ErrorCode.IMPORT_BAD_FORMAT,
                "Word 文档内容已损坏，无法读取。" + _SAVE_AS_HINT,
            ) from exc


def _docx_lines(data: bytes) -> list[str]:
    try:
        with _open_zip(data) as archive:
            _classify_zip(archive)
            _check_zip_safety(archive)
            _prescan_xml(archive)
        return _DocxReader(data).lines()
    except PlanParseError:
        raise
    except Exception as exc:  # any failure inside a damaged package is the file's fault
        message = str(exc)
        if "not a Word file" in message:
            raise _fail(
                ErrorCode.IMPORT_BAD_FORMAT,
                "这不是标准的 Word 文档（可能是模板或启用宏的文档）。请在 Word 中另存为 .docx 后重新上传。",
            ) from exc
        raise _fail(
            ErrorCode.IMPORT_BAD_FORMAT,
            "Word 文档已损坏或格式不受支持，无法读取。" + _SAVE_AS_HINT,
        ) from exc


# WordprocessingML names, in Clark notation for lxml.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _w(tag: str) -> str:
    return _W + tag


def _wval(element: Any, child: str) -> str | None:
    """The ``w:val`` of ``element``'s first ``w:child``, or None."""
    if element is None:
        return None
    found = element.find(_w(child))
    if found is None:
        return None
    return found.get(_w("val"))


# Runs and containers whose text is not part of the visible document flow.
_SKIPPED_INLINE = frozenset(
    {
        _w("del"),
        _w("moveFrom"),
        _w("pPr"),
        _w("rPr"),
        _w("instrText"),
        _w("delText"),
        _w("txbxContent"),
        _MC + "Fallback",
        _w("footnoteReference"),
        _w("endnoteReference"),
        _w("commentReference"),
    }
)


class _Numbering:
    """Writes out Word's automatic list numbers ("1.", "一、", "（一）") the way Word shows them."""

    def __init__(self, numbering: Any, styles: Any):
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._style_numpr: dict[str, tuple[str | None, int | None]] = {}
        self._style_based_on: dict[str, str] = {}
        self._counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            for abstract in numbering.findall(_w("abstractNum")):
                levels: dict[int, tuple[int, str, str]] = {}
                for lvl in abstract.findall(_w("lvl")):
                    ilvl = _int(lvl.get(_w("ilvl")), 0)
                    levels[ilvl] = (
                        _int(_wval(lvl, "start"), 1),
                        _wval(lvl, "numFmt") or "decimal",
                        _wval(lvl, "lvlText") or "",
                    )
                self._levels[abstract.get(_w("abstractNumId")) or ""] = levels
            for num in numbering.findall(_w("num")):
                overrides: dict[int, int] = {}
                for override in num.findall(_w("lvlOverride")):
                    start = _wval(override, "startOverride")
                    if start is not None:
                        overrides[_int(override.get(_w("ilvl")), 0)] = _int(start, 1)
                self._nums[num.get(_w("numId")) or ""] = (_wval(num, "abstractNumId") or "", overrides)
        if styles is not None:
            for style in styles.findall(_w("style")):
                style_id = style.get(_w("styleId")) or ""
                based_on = _wval(style, "basedOn")
                if based_on:
                    self._style_based_on[style_id] = based_on
                numpr = style.find(f"{_w('pPr')}/{_w('numPr')}")
                if numpr is not None:
                    ilvl = _wval(numpr, "ilvl")
                    self._style_numpr[style_id] = (_wval(numpr, "numId"), _int(ilvl, 0) if ilvl else None)

    def label(self, paragraph: Any) -> str:
        """The list number shown before ``paragraph`` (a ``w:p``), advancing the counters."""
        num_id, ilvl = self._numpr(paragraph)
        if not num_id or num_id == "0" or num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        levels = self._levels.get(abstract_id)
        if not levels:
            return ""
        # Lists sharing an abstract definition continue each other unless one restarts explicitly.
        key = f"num:{num_id}" if overrides else f"abstract:{abstract_id}"
        counters = self._counters.setdefault(key, {})

        def start(level: int) -> int:
            if level in overrides:
                return overrides[level]
            return levels.get(level, (1, "decimal", ""))[0]

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        _start, fmt, text = levels.get(ilvl, (1, "decimal", ""))
        if fmt in ("bullet", "none"):
            return ""

        def render(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt = levels.get(level, (1, "decimal", ""))[1]
            value = counters.get(level, start(level))
            return _format_number(value, level_fmt)

        return re.sub(r"%([1-9])", render, text)

    def _numpr(self, paragraph: Any) -> tuple[str | None, int]:
        numpr = paragraph.find(f"{_w('pPr')}/{_w('numPr')}")
        num_id = _wval(numpr, "numId")
        ilvl_text = _wval(numpr, "ilvl")
        ilvl = _int(ilvl_text, 0) if ilvl_text is not None else None
        if num_id is None:
            style_id = _wval(paragraph.find(_w("pPr")), "pStyle")
            seen: set[str] = set()
            while style_id and style_id not in seen:
                seen.add(style_id)
                if style_id in self._style_numpr:
                    num_id, style_ilvl = self._style_numpr[style_id]
                    if ilvl is None:
                        ilvl = style_ilvl
                    break
                style_id = self._style_based_on.get(style_id)
        return num_id, ilvl or 0


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_CN_DIGITS = "〇一二三四五六七八九"


def _chinese_counting(value: int) -> str:
    if value <= 0 or value >= 10000:
        return str(value)
    parts = []
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, value = divmod(value, unit_value)
        if digit:
            parts.append(_CN_DIGITS[digit] + unit)
        elif parts and value:
            parts.append("〇")
    text = "".join(parts)
    text = re.sub("〇+", "〇", text)
    return text[1:] if text.startswith("一十") else text


def _letters(value: int) -> str:
    if value <= 0:
        return str(value)
    # Word repeats the letter: a … z, aa … zz, aaa …
    return chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    if value <= 0 or value >= 4000:
        return str(value)
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"))
    numerals += ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for amount, numeral in numerals:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _chinese_counting(value)
    if fmt in ("ideographDigital", "taiwaneseDigital", "chineseLegalSimplified"):
        if fmt == "chineseLegalSimplified":
            return _chinese_counting(value).translate(
                str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")
            )
        return "".join(_CN_DIGITS[int(d)] for d in str(value))
    if fmt == "ideographTraditional" and 1 <= value <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[value - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalFullWidth":
        return str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "upperLetter":
        return _letters(value)
    if fmt == "lowerLetter":
        return _letters(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    if fmt == "lowerRoman":
        return _roman(value).lower()
    return str(value)


# --- task tables --------------------------------------------------------------------------------

_NUMBER, _TASK, _LEAD, _SUPPORTING, _DEADLINE = "number", "task", "lead", "supporting", "deadline"
_RESPONSIBLE, _LEADERS = "responsible", "leaders"
_ANNOTATION_LABELS = (
    (_LEAD, "牵头单位"),
    (_RESPONSIBLE, "责任单位"),
    (_SUPPORTING, "配合单位"),
    (_LEADERS, "责任领导"),
    (_DEADLINE, "完成时限"),
)
_SPACES = re.compile(r"\s+")


def column_role(header: str) -> str | None:
    """The role of a task table's column from its header: number, task, lead, responsible (责任单位: the
    lead unless a 牵头 column exists), supporting, leaders (people, never units), deadline, or None."""
    text = _SPACES.sub("", header)
    if not text:
        return None
    if text in ("序号", "编号", "序", "号") or text.endswith(("序号", "编号")):
        return _NUMBER
    if any(word in text for word in ("时限", "完成时间", "时间节点", "截止时间", "完成期限", "时间要求")):
        return _DEADLINE
    if any(word in text for word in ("配合", "协办", "协同", "参与单位")):
        return _SUPPORTING
    if any(word in text for word in ("领导", "责任人")):
        return _LEADERS  # people, not units
    if "联系人" in text:
        return None
    if "牵头" in text or "主责" in text or "主办" in text:
        return _LEAD
    if "责任" in text and ("单位" in text or "部门" in text):
        return _RESPONSIBLE
    if any(word in text for word in ("任务", "内容", "措施", "举措", "事项", "要点", "指标名称", "主要指标", "工作")):
        return _TASK
    return None


_CHAPTER_NUMBER = re.compile(r"^[一二三四五六七八九十百]+$")
_SECTION_NUMBER = re.compile(r"^[(（][一二三四五六七八九十百]+[)）]$")


@dataclass
class _Cell:
    key: int  # identity of the cell that holds the text (the top cell of a vertical merge)
    text: str
    paragraphs: list[str]
    continued: bool = False  # a lower part of a vertically merged cell


@dataclass
class _TaskRow:
    number: str
    task: str
    task_key: int | None
    values: dict[str, list[str]] = field(default_factory=dict)

    def line(self) -> str:
        number = self.number.rstrip(".．、。 ")
        head = f"{number}.{self.task}" if number else self.task
        parts = [
            f"{label}:{'、'.join(self.values[role])}" for role, label in _ANNOTATION_LABELS if self.values.get(role)
        ]
        return head + (f"({';'.join(parts)})" if parts else "")


class _DocxReader:
    def __init__(self, data: bytes):
        import docx
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        document = docx.Document(io.BytesIO(data))
        self._body = document.element.body
        part = document.part
        numbering = styles = None
        for rel in part.rels.values():
            if rel.is_external:
                continue
            if rel.reltype == RT.NUMBERING:
                numbering = rel.target_part.element
            elif rel.reltype == RT.STYLES:
                styles = rel.target_part.element
        self._numbering = _Numbering(numbering, styles)
        self._keys = itertools.count()

    def lines(self) -> list[str]:
        out: list[str] = []
        for kind, element in self._blocks(self._body):
            if kind == "p":
                text = self._paragraph_text(element)
                out.extend(line for line in text.split("\n") if line.strip())
            else:
                out.extend(self._table_lines(element))
        return out

    # - walking -

    def _blocks(self, container: Any) -> Iterator[tuple[str, Any]]:
        """Paragraphs and tables of a body or cell, in order, looking through content controls."""
        for child in container:
            tag = child.tag
            if tag == _w("p"):
                yield "p", child
            elif tag == _w("tbl"):
                yield "tbl", child
            elif tag == _w("sdt"):
                content = child.find(_w("sdtContent"))
                if content is not None:
                    yield from self._blocks(content)
            elif tag == _w("customXml"):
                yield from self._blocks(child)

    def _paragraph_text(self, paragraph: Any) -> str:
        return self._numbering.label(paragraph) + "".join(self._inline_text(paragraph))

    def _inline_text(self, element: Any) -> Iterator[str]:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED_INLINE:
                continue
            if tag == _w("t"):
                yield child.text or ""
            elif tag == _w("tab"):
                yield "\t"
            elif tag in (_w("br"), _w("cr")):
                if child.get(_w("type")) in (None, "textWrapping"):
                    yield "\n"
            elif tag == _w("noBreakHyphen"):
                yield "-"
            elif tag == _w("r") and _hidden(child):
                continue
            else:
                yield from self._inline_text(child)

    def _cell_paragraphs(self, tc: Any) -> list[str]:
        texts: list[str] = []
        for kind, element in self._blocks(tc):
            if kind == "p":
                texts.extend(part.strip() for part in self._paragraph_text(element).split("\n"))
            else:
                for row in self._grid(element):
                    texts.extend(cell.text for cell in _distinct(row))
        return [text.replace("\t", " ") for text in texts if text]

    def _grid(self, tbl: Any) -> list[list[_Cell]]:
        """Rows as lists of cells per grid column; merged cells repeat the same ``_Cell``."""
        rows: list[list[_Cell]] = []
        previous: dict[int, _Cell] = {}
        for tr in tbl.findall(_w("tr")):
            row: list[_Cell] = []
            current: dict[int, _Cell] = {}
            offset = _int(_wval(tr.find(_w("trPr")), "gridBefore"), 0)
            for tc in self._row_cells(tr):
                tc_pr = tc.find(_w("tcPr"))
                span = max(1, min(_int(_wval(tc_pr, "gridSpan"), 1), 64))
                vmerge = tc_pr.find(_w("vMerge")) if tc_pr is not None else None
                above = previous.get(offset)
                if vmerge is not None and vmerge.get(_w("val")) in (None, "continue") and above is not None:
                    cell = _Cell(above.key, above.text, above.paragraphs, continued=True)
                else:
                    paragraphs = self._cell_paragraphs(tc)
                    cell = _Cell(next(self._keys), "".join(paragraphs), paragraphs)
                for column in range(offset, offset + span):
                    current[column] = cell
                offset += span
            for column in sorted(current):
                while len(row) < column:
                    row.append(_Cell(-1, "", []))
                row.append(current[column])
            rows.append(row)
            previous = current
        return rows

    def _row_cells(self, tr: Any) -> Iterator[Any]:
        for child in tr:
            if child.tag == _w("tc"):
                yield child
            elif child.tag in (_w("sdt"), _w("customXml")):
                content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
                if content is not None:
                    yield from self._row_cells(content)

    def _table_lines(self, tbl: Any) -> list[str]:
        grid = self._grid(tbl)
        header = _find_header(grid)
        if header is None:
            return _plain_rows(grid)
        first, last, roles = header
        if _LEAD not in roles.values():
            # 责任单位 is the lead unless a 牵头 column says otherwise.
            roles = {column: _LEAD if role == _RESPONSIBLE else role for column, role in roles.items()}
        return _plain_rows(grid[:first]) + _task_lines(grid[last + 1 :], roles)


def _hidden(run: Any) -> bool:
    vanish = run.find(f"{_w('rPr')}/{_w('vanish')}")
    return vanish is not None and vanish.get(_w("val")) not in ("0", "false", "off")


def _distinct(row: list[_Cell]) -> list[_Cell]:
    seen: set[int] = set()
    out = []
    for cell in row:
        if cell.key == -1 or cell.key in seen:
            continue
        seen.add(cell.key)
        out.append(cell)
    return out


def _plain_rows(rows: list[list[_Cell]]) -> list[str]:
    """A table that is not a task table: one line per row, its cells separated by a tab."""
    return ["\t".join(cell.text for cell in _distinct(row)) for row in rows if any(cell.text for cell in row)]


def _row_roles(row: list[_Cell]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for column, cell in enumerate(row):
        role = column_role(cell.text)
        if role:
            roles[column] = role
    return roles


def _is_task_header(roles: dict[int, str]) -> bool:
    found = set(roles.values())
    return _TASK in found and bool(found & {_NUMBER, _LEAD, _RESPONSIBLE})


def _looks_like_header(row: list[_Cell]) -> bool:
    """Every filled cell is a short column name (a header row, or a header repeated on a new page)."""
    filled = [cell for cell in _distinct(row) if cell.text and not cell.continued]
    return len(filled) >= 2 and all(len(_SPACES.sub("", c.text)) <= 8 and column_role(c.text) for c in filled)


def _find_header(grid: list[list[_Cell]]) -> tuple[int, int, dict[int, str]] | None:
    """Where the header is among the first rows (title rows may come first) and each column's role.

    A two-level header ("责任单位" over "牵头单位 | 配合单位") is read as one: the second row's
    roles refine the first's. Returns (first header row, last header row, roles) or None.
    """
    for index, row in enumerate(grid[:4]):
        roles = _row_roles(row)
        if not _is_task_header(roles):
            continue
        if index + 1 < len(grid) and _looks_like_header(grid[index + 1]):
            return index, index + 1, {**roles, **_row_roles(grid[index + 1])}
        return index, index, roles
    return None


def _assign_roles(row: list[_Cell], roles: dict[int, str]) -> list[tuple[_Cell, str | None]]:
    """Each distinct cell of a row with one role; a cell merged across columns counts as the task."""
    cells: dict[int, tuple[_Cell, list[str]]] = {}
    for column, cell in enumerate(row):
        if cell.key == -1:
            continue
        _cell, cell_roles = cells.setdefault(cell.key, (cell, []))
        role = roles.get(column)
        if role and role not in cell_roles:
            cell_roles.append(role)
    return [
        (cell, _TASK if _TASK in cell_roles else (cell_roles[0] if cell_roles else None))
        for cell, cell_roles in cells.values()
    ]


def _task_lines(rows: list[list[_Cell]], roles: dict[int, str]) -> list[str]:
    records: list[_TaskRow | str] = []
    for row in rows:
        if not any(cell.text for cell in row) or _looks_like_header(row):
            continue
        assigned = _assign_roles(row, roles)
        number = "".join(c.text for c, role in assigned if role == _NUMBER and not c.continued).strip()
        task_cells = [c for c, role in assigned if role == _TASK]
        task = "：".join(c.text for c in task_cells if c.text)
        values = {
            role: _unique([part for c, r in assigned if r == role for part in _unit_parts(c, role)])
            for role in (_LEAD, _RESPONSIBLE, _SUPPORTING, _LEADERS, _DEADLINE)
        }

        if not any(values.values()) and (not number or _CHAPTER_NUMBER.match(number) or _SECTION_NUMBER.match(number)):
            records.append(_heading(assigned, number, task))
            continue

        task_key = task_cells[0].key if task_cells else None
        last = records[-1] if records else None
        if (
            not number
            and isinstance(last, _TaskRow)
            and task_cells
            and all(c.continued for c in task_cells)
            and task_key == last.task_key
        ):
            # One task spread over several rows (its text merged vertically): gather the units.
            for role, items in values.items():
                last.values[role] = _unique([*last.values.get(role, []), *items])
            continue
        records.append(_TaskRow(number=number, task=task, task_key=task_key, values=values))
    return [record if isinstance(record, str) else record.line() for record in records]


def _heading(assigned: list[tuple[_Cell, str | None]], number: str, task: str) -> str:
    """A heading row: "一、目标定位", "(一)创新驱动…", or the text of a row merged into one cell."""
    if number and task:
        if _CHAPTER_NUMBER.match(number):
            return f"{number}、{task}"
        return f"{number}{task}"
    return "".join(cell.text for cell, _role in assigned if cell.text)


def _unit_parts(cell: _Cell, role: str) -> list[str]:
    """Units listed one per paragraph become one list; a deadline's paragraphs are one phrase."""
    if role == _DEADLINE:
        return ["，".join(cell.paragraphs)] if cell.paragraphs else []
    out = []
    for paragraph in cell.paragraphs:
        paragraph = paragraph.strip().rstrip("、，,；;")
        if paragraph:
            out.append(paragraph)
    return out


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
