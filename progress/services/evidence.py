"""Evidence attachments (佐证材料): bounded in size, number and type, checked by content, not by name."""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from access.actor import actor_for
from access.rules import check_can_change_evidence
from progress import events
from progress.models import Evidence
from progress.services.reports import _locked
from xingping_tracker.core.archives import has_macro_project, is_zip_bomb
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

# extension → (content type, check of the first bytes / archive entries)
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
_OOXML_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def max_per_report() -> int:
    return settings.EVIDENCE_MAX_PER_REPORT


def clean_filename(name: str) -> str:
    """The base name without path parts or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 200:
        stem, suffix = base[: 200 - 10], PurePath(base).suffix[:10]
        base = stem + suffix
    return base or "附件"


def _bad_type(name: str) -> ApplicationError:
    return ApplicationError(
        ErrorCode.EVIDENCE_BAD_TYPE,
        f"“{name}”不是可接受的佐证材料：只能上传 PDF、图片（PNG、JPG）、Word（.docx）或 Excel（.xlsx）文件，且内容须与扩展名相符。",
    )


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload; raises with a Chinese message otherwise."""
    name = clean_filename(upload.name or "")
    limit = max_bytes()
    if upload.size is None or upload.size == 0:
        raise ApplicationError(ErrorCode.INVALID, f"“{name}”是空文件，请重新选择。")
    if upload.size > limit:
        raise ApplicationError(
            ErrorCode.EVIDENCE_TOO_LARGE,
            f"“{name}”有{upload.size / 1024 / 1024:.1f} MB，超过单个文件{limit // 1024 // 1024} MB 的上限，请压缩后再上传。",
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise _bad_type(name)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if suffix in _MAGIC:
        if not head.startswith(_MAGIC[suffix]):
            raise _bad_type(name)
    else:
        if not head.startswith(b"PK\x03\x04"):
            raise _bad_type(name)
        try:
            with zipfile.ZipFile(upload) as archive:
                if is_zip_bomb(archive, max_members=ZIP_MAX_ENTRIES, max_unpacked_bytes=ZIP_MAX_UNPACKED):
                    raise ApplicationError(
                        ErrorCode.EVIDENCE_BAD_TYPE,
                        f"“{name}”解压后体积过大或压缩比异常（疑似“压缩炸弹”），为安全起见已拒绝。"
                        "请用 Word 或 Excel 打开后另存一份再上传，或改传 PDF。",
                    )
                if has_macro_project(archive):
                    raise ApplicationError(
                        ErrorCode.EVIDENCE_BAD_TYPE,
                        f"“{name}”中含有宏（VBA），不能作为佐证材料上传。请另存为不含宏的 .docx / .xlsx，或改传 PDF。",
                    )
                if _OOXML_MAIN_PART[suffix] not in archive.namelist():
                    raise _bad_type(name)
        except zipfile.BadZipFile:
            raise _bad_type(name) from None
        finally:
            upload.seek(0)
    return name, ALLOWED_TYPES[suffix]


def add_evidence(*, report_id: int, user: Any, upload: UploadedFile) -> Evidence:
    actor = actor_for(user)
    name, content_type = check_upload(upload)
    with transaction.atomic():
        report = _locked(report_id)
        check_can_change_evidence(actor, report)
        if report.evidence.count() >= max_per_report():
            raise ApplicationError(
                ErrorCode.EVIDENCE_TOO_MANY, f"每份报告最多上传{max_per_report()}个佐证材料，请删除不需要的文件后再上传。"
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        evidence = Evidence(
            report=report,
            original_name=name,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        evidence.file.save(name, upload, save=False)
        # If the transaction rolls back, the stored file must not stay behind.
        stored = evidence.file.name
        storage = evidence.file.storage
        try:
            evidence.save()
            events.evidence_added(report, actor=user, name=name)
        except Exception:
            storage.delete(stored)
            raise
    return evidence


def remove_evidence(*, evidence_id: int, user: Any) -> None:
    actor = actor_for(user)
    with transaction.atomic():
        try:
            evidence = Evidence.objects.select_related("report").get(pk=evidence_id)
        except Evidence.DoesNotExist:
            raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该佐证材料，或您无权查看。") from None
        report = _locked(evidence.report_id)
        check_can_change_evidence(actor, report)
        stored, storage, name = evidence.file.name, evidence.file.storage, evidence.original_name
        evidence.delete()
        events.evidence_removed(report, actor=user, name=name)
        transaction.on_commit(lambda: storage.delete(stored))
