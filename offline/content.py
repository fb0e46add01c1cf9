"""A report's editable content in one normalised, comparable form, shared by the download (which
signs a digest of what each row was pre-filled with) and the upload (which compares what came back
with it, and with what is stored now)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from exports.cells import clean_text
from progress.formatting import plain_decimal
from progress.models import ActualState, ProgressReport, ProgressStatus, TargetActual
from tasks.models import Target


def normal_text(text: str | None) -> str:
    """Text as compared and stored: no illegal characters, ``\\n`` line breaks, no outer whitespace."""
    if not text:
        return ""
    return clean_text(str(text)).replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class ActualContent:
    target_id: int
    state: str = ActualState.REPORTED
    value: Decimal | None = None
    data_date: dt.date | None = None
    note: str = ""

    def key(self) -> list:
        return [
            self.target_id,
            self.state,
            plain_decimal(self.value) if self.value is not None else "",
            self.data_date.isoformat() if self.data_date else "",
            self.note,
        ]

    @property
    def blank(self) -> bool:
        return self.state == ActualState.REPORTED and self.value is None and self.data_date is None and not self.note


@dataclass(frozen=True)
class RowContent:
    progress_status: str
    percent: int | None
    progress_text: str
    problems_text: str
    next_steps_text: str
    actuals: tuple[ActualContent, ...] = ()

    def key(self) -> list:
        return [
            self.progress_status,
            self.percent,
            self.progress_text,
            self.problems_text,
            self.next_steps_text,
            [actual.key() for actual in self.actuals],
        ]

    def digest(self) -> str:
        payload = json.dumps(self.key(), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def actual_content(target_id: int, actual: TargetActual | None) -> ActualContent:
    if actual is None:
        return ActualContent(target_id=target_id)
    return ActualContent(
        target_id=target_id,
        state=actual.state,
        value=actual.value if actual.state == ActualState.REPORTED else None,
        data_date=actual.data_date,
        note=normal_text(actual.note),
    )


def report_content(
    report: ProgressReport | None, *, targets: list[Target], actuals: dict[int, TargetActual]
) -> RowContent:
    """The content a row shows for ``report`` (None: a fresh row, 未启动 and empty)."""
    actual_rows = tuple(actual_content(target.pk, actuals.get(target.pk)) for target in targets)
    if report is None:
        return RowContent(ProgressStatus.NOT_STARTED, None, "", "", "", actual_rows)
    return RowContent(
        progress_status=report.progress_status,
        percent=report.percent,
        progress_text=normal_text(report.progress_text),
        problems_text=normal_text(report.problems_text),
        next_steps_text=normal_text(report.next_steps_text),
        actuals=actual_rows,
    )


def same_stored(uploaded: RowContent, stored: RowContent) -> bool:
    """Whether saving ``uploaded`` over ``stored`` would change nothing: a blank target row leaves
    the stored actual as it is (as ``save_report`` does)."""
    if uploaded.key()[:5] != stored.key()[:5]:
        return False
    stored_by_target = {actual.target_id: actual for actual in stored.actuals}
    for actual in uploaded.actuals:
        if actual.blank:
            continue
        previous = stored_by_target.get(actual.target_id, ActualContent(target_id=actual.target_id))
        if actual.key() != previous.key():
            return False
    return True
