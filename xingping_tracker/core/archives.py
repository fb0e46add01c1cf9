"""Checks of an uploaded Office file (a zip archive) read from its central directory only, before
anything is inflated: the one rule for a zip bomb and for a macro project, used by the evidence
upload (progress.services.evidence), the offline template upload (offline.safety) and the plan
document reader (tasks.importer.decoding)."""

from __future__ import annotations

import zipfile

MB = 1024 * 1024
# No real document compresses its parts a hundredfold; members smaller than RATIO_CHECK_MIN_BYTES
# are not ratio-checked (small repetitive XML parts compress very well).
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1 * MB


def is_zip_bomb(archive: zipfile.ZipFile, *, max_members: int, max_unpacked_bytes: int) -> bool:
    """Too many members, too many bytes once unpacked, or one member inflating suspiciously."""
    infos = archive.infolist()
    if len(infos) > max_members:
        return True
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            return True
    return total > max_unpacked_bytes


def has_macro_project(archive: zipfile.ZipFile) -> bool:
    """Whether the document carries a VBA project (``vbaProject.bin``, in any folder, any case)."""
    return any(name.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for name in archive.namelist())
