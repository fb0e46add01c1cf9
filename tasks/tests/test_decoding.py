"""decode_document: plan files (text in several encodings, .docx) to plain text, and every refusal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.importer.decoding import MAX_DOCX_MEMBERS, decode_document
from tasks.importer.types import PlanParseError
from xingping_tracker.core.exceptions import ErrorCode

from .docx_builder import DocxBuilder, docx_members, docx_of_paragraphs, with_members, zip_bytes

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")

TASK_HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]


def refused(data: bytes, code: ErrorCode, *, filename: str = "", **kwargs) -> PlanParseError:
    with pytest.raises(PlanParseError) as caught:
        decode_document(data, filename=filename, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- plain text ---------------------------------------------------------------------------------


def test_utf8_text_is_returned_unchanged():
    text = "一、目标定位\n12.全市生产总值年均增长7%。(责任部门:市发改局)\n（一）创新驱动，致力培育发展新动能"
    assert decode_document(text.encode("utf-8")) == text


def test_the_whole_seed_plan_reads_back_line_for_line():
    result = decode_document(SEED.read_bytes(), filename="plan.txt")
    assert result.split("\n") == [line.rstrip() for line in SEED_TEXT.splitlines()]
    assert "*29.单位GDP能耗累计降低12.5%。(责任部门:市发改局)" in result.split("\n")


def test_gb18030_round_trip_equals_the_utf8_read():
    chunk = SEED_TEXT[:6000]
    from_gb = decode_document(chunk.encode("gb18030"), filename="plan.txt")
    assert from_gb == decode_document(chunk.encode("utf-8"))
    assert "兴平市国民经济和社会发展第十四个五年规划" in from_gb


def test_gbk_encoded_seed_plan_reads_like_the_utf8_one():
    assert decode_document(SEED_TEXT.encode("gbk", errors="strict")) == decode_document(SEED.read_bytes())


def test_short_gbk_text_that_is_also_valid_utf8_reads_as_chinese():
    data = "前页".encode("gbk")
    assert data.decode("utf-8") == "ǰҳ"  # valid UTF-8 by accident
    assert decode_document(data) == "前页"
    assert decode_document("（），".encode()) == "（），"  # UTF-8 punctuation alone stays UTF-8


def test_utf8_bom_is_dropped():
    result = decode_document(b"\xef\xbb\xbf" + "一、目标定位\n1.任务".encode())
    assert result == "一、目标定位\n1.任务"
    assert "\ufeff" not in result


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    text = "一、目标定位\r\n1.建设西部先进制造业强市。(牵头单位:市工信局)\r\n"
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    data = bom + text.encode(codec)
    assert decode_document(data) == "一、目标定位\n1.建设西部先进制造业强市。(牵头单位:市工信局)"


def test_newlines_are_normalised_and_trailing_spaces_stripped():
    data = "甲  \r\n乙\t\r丙\u3000\n\n  丁".encode()
    assert decode_document(data) == "甲\n乙\n丙\n\n  丁"


def test_punctuation_is_not_rewritten():
    text = "(一)创新驱动,致力培育发展新动能\n（二）协调发展，“十四五”期间；〔2022〕"
    assert decode_document(text.encode("gb18030")) == text


def test_a_stray_control_character_does_not_reject_a_long_file():
    text = SEED_TEXT[:500] + "\x1a"
    assert decode_document(text.encode()).startswith(SEED_TEXT[:20])


# --- refusals -----------------------------------------------------------------------------------


def test_too_large_names_the_limit_in_mb():
    error = refused(b"a" * (2 * 1024 * 1024 + 1), ErrorCode.IMPORT_TOO_LARGE, max_bytes=2 * 1024 * 1024)
    assert "2 MB" in error.message


def test_default_limit_is_ten_mb():
    assert decode_document("一".encode() * 10, max_bytes=30)
    error = refused(b"a" * (10 * 1024 * 1024 + 1), ErrorCode.IMPORT_TOO_LARGE)
    assert "10 MB" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n\t ",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf  \n",
        "\u3000\u3000\n".encode(),
        b"\xff\xfe" + " \n".encode("utf-16-le"),
    ],
)
def test_empty_content(data):
    refused(data, ErrorCode.IMPORT_EMPTY)


def test_nul_bytes_are_binary():
    error = refused("一、目标定位\x00\x00".encode(), ErrorCode.IMPORT_BINARY)
    assert "UTF-8" in error.message


def test_utf16_without_bom_is_refused_as_binary():
    refused("一、目标定位\n1.任务".encode("utf-16-le"), ErrorCode.IMPORT_BINARY)


def test_many_control_characters_are_binary():
    refused(bytes(range(1, 9)) * 40 + "任务".encode(), ErrorCode.IMPORT_BINARY)


def test_pdf():
    error = refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ErrorCode.IMPORT_BINARY, filename="plan.pdf")
    assert "PDF" in error.message


def test_old_word_document_says_save_as_docx_or_txt():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    error = refused(ole, ErrorCode.IMPORT_BINARY, filename="方案.doc")
    assert ".doc" in error.message
    assert ".docx" in error.message and ".txt" in error.message


def test_old_excel_workbook_is_named():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "Excel" in refused(ole, ErrorCode.IMPORT_BINARY, filename="台账.xls").message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"GIF89a\x01\x00\x01\x00",
    ],
)
def test_images(data):
    assert "图片" in refused(data, ErrorCode.IMPORT_BINARY).message


def test_gzip_archive():
    refused(b"\x1f\x8b\x08\x00" + b"\x00" * 20, ErrorCode.IMPORT_BINARY)


def test_zip_that_is_not_a_word_document():
    data = zip_bytes({"readme.txt": "一、目标定位".encode()})
    assert "压缩包" in refused(data, ErrorCode.IMPORT_BAD_FORMAT, filename="plan.docx").message


def test_xlsx_workbook():
    workbook = openpyxl.Workbook()
    workbook.active.append(["序号", "重点任务"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "Excel" in refused(buffer.getvalue(), ErrorCode.IMPORT_BAD_FORMAT, filename="plan.docx").message


def test_damaged_zip():
    refused(b"PK\x03\x04" + b"\x14\x00" * 40, ErrorCode.IMPORT_BAD_FORMAT)


def test_rtf_and_html_exports_are_refused():
    refused(b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", ErrorCode.IMPORT_BAD_FORMAT)
    refused(
        b"<html xmlns:o='urn:schemas-microsoft-com:office:office'><body>x</body></html>", ErrorCode.IMPORT_BAD_FORMAT
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x81\xff abc",  # neither UTF-8 nor GB18030
        b"\x81\x40" * 40,  # valid GB18030, but only a rare character repeated
        b"\xaa\xa1" * 40,  # valid GB18030, but private-use characters
        "中華民國政府工作報告說明".encode("big5"),  # Big5 is not supported
        b"\xff\xfe\x41",  # UTF-16 BOM with an odd byte count
        b"\xef\xbb\xbf\xc3\x28",  # UTF-8 BOM followed by invalid UTF-8
    ],
)
def test_undecodable(data):
    error = refused(data, ErrorCode.IMPORT_UNDECODABLE)
    assert "UTF-8" in error.message


# --- .docx: paragraphs --------------------------------------------------------------------------


def test_docx_paragraphs_one_line_each_and_empty_ones_skipped():
    data = docx_of_paragraphs("一、目标定位", "", "1.建设西部先进制造业强市。(牵头单位:市工信局)", "   ")
    assert decode_document(data) == "一、目标定位\n1.建设西部先进制造业强市。(牵头单位:市工信局)"


def test_docx_is_detected_by_content_not_name():
    data = docx_of_paragraphs("一、目标定位")
    assert decode_document(data, filename="plan.txt") == "一、目标定位"
    assert decode_document(data, filename="") == "一、目标定位"


def test_docx_automatic_list_numbers_are_written_out():
    data = (
        DocxBuilder()
        .paragraph("一、目标定位")
        .numbered("建设西部先进制造业强市。", "打造关中现代化田园城市。")
        .to_bytes()
    )
    assert decode_document(data) == "一、目标定位\n1.建设西部先进制造业强市。\n2.打造关中现代化田园城市。"


def test_docx_tracked_deletions_and_hidden_text_are_left_out():
    data = DocxBuilder().deleted_and_hidden("保留", "删除的字", "隐藏的字", "插入的字").to_bytes()
    assert decode_document(data) == "保留插入的字"


def test_docx_content_controls_are_read():
    data = DocxBuilder().paragraph("前").content_control("控件中的文字").paragraph("后").to_bytes()
    assert decode_document(data) == "前\n控件中的文字\n后"


def test_docx_with_no_text_is_empty():
    refused(docx_of_paragraphs("", "  "), ErrorCode.IMPORT_EMPTY)


# --- .docx: tables ------------------------------------------------------------------------------


def task_table_docx() -> bytes:
    return (
        DocxBuilder()
        .table(
            [
                TASK_HEADER,
                ["(一)创新驱动，致力培育发展新动能", "", "", "", ""],
                [
                    "50",
                    ["到2022年，创建省级以上创新平台5个；", "到2025年，新增高新技术企业20户以上。"],
                    "市发改局〈科技局〉",
                    ["市工信局", "市教育局、"],
                    "2025年底",
                ],
                ["*29", "单位GDP能耗累计降低12.5%。", "市发改局", "", ""],
                ["51", "推进产业链创新链深度融合。", "市工信局", "", "“十四五”期间"],
            ],
            merges=[(1, 0, 1, 4)],
        )
        .to_bytes()
    )


def test_task_table_rows_become_task_lines():
    assert decode_document(task_table_docx()).split("\n") == [
        "(一)创新驱动，致力培育发展新动能",
        "50.到2022年，创建省级以上创新平台5个；到2025年，新增高新技术企业20户以上。"
        "(牵头单位:市发改局〈科技局〉;配合单位:市工信局、市教育局;完成时限:2025年底)",
        "*29.单位GDP能耗累计降低12.5%。(牵头单位:市发改局)",
        "51.推进产业链创新链深度融合。(牵头单位:市工信局;完成时限:“十四五”期间)",
    ]


def test_task_table_with_other_column_names_and_a_title_row():
    data = (
        DocxBuilder()
        .table(
            [
                ["兴平市“十四五”规划重点任务分工表", "", "", "", ""],
                ["序 号", "任务内容", "责任单位", "配合部门", "时限"],
                ["一", "目标定位", "", "", ""],
                ["1.", "建设西部先进制造业强市。", "市工信局", "各镇办", "2025年"],
            ],
            merges=[(0, 0, 0, 4)],
        )
        .to_bytes()
    )
    assert decode_document(data).split("\n") == [
        "兴平市“十四五”规划重点任务分工表",
        "一、目标定位",
        "1.建设西部先进制造业强市。(牵头单位:市工信局;配合单位:各镇办;完成时限:2025年)",
    ]


def test_task_table_with_a_two_level_header_and_vertically_merged_units():
    data = (
        DocxBuilder()
        .table(
            [
                ["序号", "主要任务", "责任单位", "", "完成时间"],
                ["", "", "牵头单位", "配合单位", ""],
                ["12", "全市生产总值年均增长7%。", "市发改局", "市统计局", "2025年"],
                ["13", "固定资产投资年均增长10%。", "", "", "2025年"],
            ],
            # 序号, 主要任务 and 完成时间 span both header rows; 责任单位 spans two columns;
            # 牵头单位 and 配合单位 are shared by tasks 12 and 13.
            merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4), (2, 2, 3, 2), (2, 3, 3, 3)],
        )
        .to_bytes()
    )
    assert decode_document(data).split("\n") == [
        "12.全市生产总值年均增长7%。(牵头单位:市发改局;配合单位:市统计局;完成时限:2025年)",
        "13.固定资产投资年均增长10%。(牵头单位:市发改局;配合单位:市统计局;完成时限:2025年)",
    ]


def test_task_spread_over_rows_gathers_its_units():
    data = (
        DocxBuilder()
        .table(
            [
                TASK_HEADER,
                ["60", "实施乡村振兴战略。", "市农业农村局", "市财政局", "2025年"],
                ["", "", "", "市自然资源局", ""],
            ],
            merges=[(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 4, 2, 4)],
        )
        .to_bytes()
    )
    assert (
        decode_document(data)
        == "60.实施乡村振兴战略。(牵头单位:市农业农村局;配合单位:市财政局、市自然资源局;完成时限:2025年)"
    )


def test_header_repeated_on_a_new_page_is_skipped():
    data = (
        DocxBuilder()
        .table([TASK_HEADER, ["1", "甲任务。", "市发改局", "", ""], TASK_HEADER, ["2", "乙任务。", "市财政局", "", ""]])
        .to_bytes()
    )
    assert decode_document(data) == "1.甲任务。(牵头单位:市发改局)\n2.乙任务。(牵头单位:市财政局)"


def test_automatically_numbered_number_column():
    data = (
        DocxBuilder()
        .table(
            [["序号", "工作任务", "牵头部门"], ["", "甲任务。", "市发改局"], ["", "乙任务。", "市财政局"]],
            styles={(1, 0): "List Number", (2, 0): "List Number"},
        )
        .to_bytes()
    )
    assert decode_document(data) == "1.甲任务。(牵头单位:市发改局)\n2.乙任务。(牵头单位:市财政局)"


def test_other_tables_are_tab_separated_rows():
    data = DocxBuilder().table([["指标", "2020年", "2025年"], ["生产总值", "300亿元", ""]]).to_bytes()
    assert decode_document(data) == "指标\t2020年\t2025年\n生产总值\t300亿元"


def test_mixed_document_keeps_body_order():
    data = (
        DocxBuilder()
        .paragraph("兴平市“十四五”规划任务分工方案")
        .paragraph("一、目标定位")
        .table([TASK_HEADER, ["1", "建设西部先进制造业强市。", "市工信局", "市发改局", ""]])
        .paragraph("二、主要指标")
        .table([TASK_HEADER, ["12", "全市生产总值年均增长7%。", "市发改局", "", ""]])
        .paragraph("三、保障措施")
        .to_bytes()
    )
    assert decode_document(data).split("\n") == [
        "兴平市“十四五”规划任务分工方案",
        "一、目标定位",
        "1.建设西部先进制造业强市。(牵头单位:市工信局;配合单位:市发改局)",
        "二、主要指标",
        "12.全市生产总值年均增长7%。(牵头单位:市发改局)",
        "三、保障措施",
    ]


# --- .docx: unsafe or damaged packages ----------------------------------------------------------


def test_zip_bomb_like_docx_is_refused():
    bomb = with_members(docx_of_paragraphs("一、目标定位"), {"word/media/huge.bin": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on disk, 60 MB once unpacked
    assert "文件结构异常" in refused(bomb, ErrorCode.IMPORT_BAD_FORMAT).message


def test_highly_compressed_member_is_refused_below_the_size_limit():
    data = with_members(docx_of_paragraphs("一、目标定位"), {"word/document2.xml": b" " * (5 * 1024 * 1024)})
    assert "文件结构异常" in refused(data, ErrorCode.IMPORT_BAD_FORMAT).message


def test_too_many_members_is_refused():
    extra = {f"word/media/{i}.bin": b"" for i in range(MAX_DOCX_MEMBERS + 1)}
    refused(with_members(docx_of_paragraphs("一、目标定位"), extra), ErrorCode.IMPORT_BAD_FORMAT)


def test_docx_with_an_entity_declaration_is_refused():
    original = docx_members(docx_of_paragraphs("PLACEHOLDER"))["word/document.xml"].decode()
    declaration = '<!DOCTYPE w:document [<!ENTITY a "兴平兴平兴平兴平"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    head, sep, rest = original.partition("?>")
    evil = (head + sep + declaration + rest).replace("PLACEHOLDER", "&b;").encode()
    data = with_members(docx_of_paragraphs("PLACEHOLDER"), {"word/document.xml": evil})
    assert "DOCTYPE" in refused(data, ErrorCode.IMPORT_BAD_FORMAT).message


def test_doctype_in_another_part_is_refused_too():
    data = docx_of_paragraphs("一、目标定位")
    styles = docx_members(data)["word/styles.xml"].decode()
    head, sep, rest = styles.partition("?>")
    evil = (head + sep + '<!DOCTYPE w:styles SYSTEM "http://example.invalid/x.dtd">' + rest).encode()
    refused(with_members(data, {"word/styles.xml": evil}), ErrorCode.IMPORT_BAD_FORMAT)


def test_docx_with_broken_document_xml():
    data = with_members(docx_of_paragraphs("一、目标定位"), {"word/document.xml": b"<w:document><w:body>"})
    refused(data, ErrorCode.IMPORT_BAD_FORMAT)


def test_docx_without_content_types():
    data = with_members(docx_of_paragraphs("一、目标定位"), {"[Content_Types].xml": None})
    refused(data, ErrorCode.IMPORT_BAD_FORMAT)


def test_stored_docx_is_read():
    members = docx_members(docx_of_paragraphs("一、目标定位"))
    assert decode_document(zip_bytes(members, compression=zipfile.ZIP_STORED)) == "一、目标定位"


# --- properties -------------------------------------------------------------------------------

PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"%PDF",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"\xd0\xcf\x11\xe0",
    "一、".encode("gb18030"),
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600))
def test_any_bytes_give_text_or_a_plan_parse_error(prefix, body):
    try:
        result = decode_document(prefix + body)
    except PlanParseError as error:
        assert error.code in ErrorCode
        assert error.message
    else:
        assert isinstance(result, str)
        assert "\x00" not in result and "\r" not in result and "\ufeff" not in result
        assert all(line == line.rstrip() for line in result.split("\n"))


SAMPLE_DOCX = task_table_docx()


@settings(max_examples=150, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(0, len(SAMPLE_DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_docx_gives_text_or_a_plan_parse_error(flips):
    data = bytearray(SAMPLE_DOCX)
    for position, value in flips:
        data[position] = value
    try:
        result = decode_document(bytes(data))
    except PlanParseError:
        return
    assert isinstance(result, str)


@given(start=st.integers(0, len(SEED_TEXT) - 1), length=st.integers(40, 2000))
def test_any_stretch_of_the_seed_reads_the_same_in_gb18030_and_utf8(start, length):
    chunk = SEED_TEXT[start : start + length]
    if not chunk.strip():
        return
    assert decode_document(chunk.encode("gb18030")) == decode_document(chunk.encode("utf-8"))


@given(
    st.text(alphabet=st.sampled_from(list("兴平市任务牵头配合一二（）()，。、:：;；*12 \t\u3000\r\n")), max_size=200)
)
def test_utf8_text_comes_back_with_only_line_ends_and_trailing_spaces_changed(text):
    if not text.strip():
        refused(text.encode(), ErrorCode.IMPORT_EMPTY)
        return
    assert decode_document(text.encode()) == "\n".join(line.rstrip() for line in text.splitlines())
