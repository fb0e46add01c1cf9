"""Evidence uploads (bounded, typed by content)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from progress.models import Evidence, ReportEvent
from progress.services.evidence import add_evidence, clean_filename, remove_evidence
from progress.tests.factories import empty_file_storage, stored_file_names
from progress.tests.test_services_reports import started, submitted
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ooxml(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


@pytest.fixture
def media():
    """The test settings' in-memory file storage, emptied for the test."""
    from django.core.files.storage import default_storage

    empty_file_storage()
    default_storage.stored_names = stored_file_names
    return default_storage


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("进展材料.pdf", PDF, "application/pdf"),
        ("现场照片.PNG", PNG, "image/png"),
        ("台账.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("汇报.docx", ooxml("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_evidence_is_stored_under_a_random_name(world, media, name, content, content_type):
    report = started(world)
    evidence = add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile(name, content))
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    with media.open(evidence.file.name) as stored:
        assert stored.read() == content
    assert name not in evidence.file.name
    assert ReportEvent.objects.filter(report=report, type="evidence_added", comment=name).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 20),  # an executable renamed
        ("脚本.html", b"<script>alert(1)</script>"),
        ("表格.xlsx", ooxml("word/document.xml")),  # a docx renamed xlsx
        ("坏的.docx", b"PK\x03\x04broken"),
        ("照片.jpg", PNG),
    ],
)
def test_wrong_types_are_refused(world, media, name, content):
    report = started(world)
    with pytest.raises(ApplicationError) as caught:
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile(name, content))
    assert caught.value.code == ErrorCode.EVIDENCE_BAD_TYPE
    assert not Evidence.objects.exists()
    assert media.stored_names() == []


def test_size_and_count_are_bounded(world, media):
    report = started(world)
    with override_settings(EVIDENCE_MAX_BYTES=len(PDF) - 1), pytest.raises(ApplicationError) as caught:
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF))
    assert caught.value.code == ErrorCode.EVIDENCE_TOO_LARGE and caught.value.http_status == 413
    with override_settings(EVIDENCE_MAX_PER_REPORT=1):
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF))
        with pytest.raises(ApplicationError) as caught:
            add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("b.pdf", PDF))
    assert caught.value.code == ErrorCode.EVIDENCE_TOO_MANY
    with pytest.raises(ApplicationError):
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("空.pdf", b""))
    assert Evidence.objects.count() == 1


def test_only_the_units_staff_attach_while_editable(world, media):
    report = submitted(world)
    with pytest.raises(ApplicationError) as caught:
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF))
    assert caught.value.code == ErrorCode.ILLEGAL_TRANSITION
    for who in (world.fagai_clerk, world.plan_office, world.leader):
        with pytest.raises(ApplicationError):
            add_evidence(report_id=report.pk, user=who, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Evidence.objects.exists()


def test_remove_deletes_the_row_and_the_file_after_commit(world, media, django_capture_on_commit_callbacks):
    report = started(world)
    evidence = add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("a.pdf", PDF))
    assert media.exists(evidence.file.name)
    with pytest.raises(ApplicationError):
        remove_evidence(evidence_id=evidence.pk, user=world.fagai_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(evidence_id=evidence.pk, user=world.gongxin_clerk)
    assert not Evidence.objects.exists() and not media.exists(evidence.file.name)


@pytest.mark.parametrize(
    ("given", "clean"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\张三\\材料.pdf", "材料.pdf"), ("a\x00b\n.pdf", "ab.pdf"), ("", "附件")],
)
@pytest.mark.no_rows
def test_file_names_lose_paths_and_control_characters(given, clean):
    assert clean_filename(given) == clean


def _with_members(main_part: str, members: dict[str, bytes], *, compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["word/vbaProject.bin", "word/VBAPROJECT.BIN", "customUI/vbaProject.bin"])
def test_a_document_carrying_macros_is_refused_with_its_own_message(world, media, member):
    report = started(world)
    content = _with_members("word/document.xml", {member: b"\xd0\xcf\x11\xe0 macro"})
    with pytest.raises(ApplicationError) as caught:
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("汇报.docx", content))
    assert caught.value.code == ErrorCode.EVIDENCE_BAD_TYPE
    assert "宏" in caught.value.message and "汇报.docx" in caught.value.message
    assert not Evidence.objects.exists() and media.stored_names() == []
    assert not ReportEvent.objects.filter(report=report, type="evidence_added").exists()


def test_a_zip_bomb_is_refused_with_its_own_message(world, media):
    report = started(world)
    # 20 MB of zeros deflate to ~20 KB: a ratio no real document has
    content = _with_members("xl/workbook.xml", {"xl/media/big.bin": b"\x00" * (20 * 1024 * 1024)}, compression=zipfile.ZIP_DEFLATED)
    assert len(content) < 100 * 1024
    with pytest.raises(ApplicationError) as caught:
        add_evidence(report_id=report.pk, user=world.gongxin_clerk, upload=SimpleUploadedFile("台账.xlsx", content))
    assert caught.value.code == ErrorCode.EVIDENCE_BAD_TYPE
    assert "压缩" in caught.value.message and "台账.xlsx" in caught.value.message
    assert "只能上传 PDF" not in caught.value.message  # not the message about the file type
    assert not Evidence.objects.exists() and media.stored_names() == []
