"""From a document's bytes to a parse result, with the unit directory the database holds."""

from __future__ import annotations

from departments.directory import UnitDirectory
from departments.models import Department
from departments.selectors import unit_directory
from tasks.importer.decoding import decode_document
from tasks.importer.parser import parse_plan_text
from tasks.importer.types import ParseResult


def current_unit_directory() -> UnitDirectory:
    """The database's units and aliases (kept by the plan office); the fixture when the database has none yet."""
    if Department.objects.exists():
        return unit_directory()
    return UnitDirectory.from_fixture()


def parse_plan_document(*, data: bytes, filename: str = "", max_bytes: int | None = None) -> tuple[str, ParseResult]:
    """Decode and parse; raises ``PlanParseError`` with a Chinese message for unusable input."""
    kwargs = {"max_bytes": max_bytes} if max_bytes is not None else {}
    text = decode_document(data, filename=filename, **kwargs)
    return text, parse_plan_text(text, directory=current_unit_directory())
