"""Writes of the indicators app: the plan office enters or corrects a year's actual value of a target,
and enters a target's baseline where the text does not state it.

Every function checks the actor (:mod:`access.rules.indicators`), validates every field (a Chinese
message per field in ``ApplicationError.extra["errors"]``), writes in one transaction and
announces the change on commit; a refused call writes nothing. A correction is a plan office entry
for the year, which wins over the reports' values (:mod:`indicators.selectors`): the reports
themselves are never rewritten. Row history (django-simple-history) keeps every earlier value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from access.actor import actor_for
from access.rules.indicators import check_can_enter_actuals
from tasks.models import Target
from xingping_tracker.core.changes import PLAN, PROGRESS, announce
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.core.text import clean_text

from .models import OfficialActual

INVALID = "录入内容有误，请按提示修改。"
# DecimalField(max_digits=20, decimal_places=4): at most 16 digits before the point.
_LIMIT = Decimal(10) ** 16


def parse_decimal(raw: Any, *, label: str, errors: dict[str, str], key: str, required: bool = True) -> Decimal | None:
    """``raw`` (text from a form or JSON, a number) as a Decimal with four places, or None with a
    Chinese message in ``errors[key]``. Full-width digits and thousands separators are accepted."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[key] = f"请填写{label}。"
        return None
    if isinstance(raw, bool):
        errors[key] = f"{label}应为数字，如 6.5。"
        return None
    text = str(raw).strip().translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-")).replace(",", "")
    text = text.replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[key] = f"{label}应为数字，如 6.5（不要带单位或文字）。"
        return None
    if not value.is_finite() or abs(value) >= _LIMIT:
        errors[key] = f"{label}超出可记录的范围。"
        return None
    return value.quantize(Decimal("0.0001"))


def _parse_year(raw: Any, *, label: str, errors: dict[str, str], key: str) -> int | None:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        errors[key] = f"请填写{label}。"
        return None
    text = text.removesuffix("年")
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        errors[key] = f"{label}应为四位年份，如 2024。"
        return None
    return int(text)


def _parse_date(raw: Any, *, errors: dict[str, str], key: str) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[key] = "数据截至日期格式应为 2024-12-31。"
        return None


def entry_years(target: Target) -> tuple[int, int] | None:
    """The years a target's actuals may be entered for: the plan period, extended to the target's
    own year (a 2035 vision target); None when the plan has no period."""
    plan = target.task.plan
    if plan.period_start is None or plan.period_end is None:
        return None
    return plan.period_start.year, max(plan.period_end.year, target.year or 0)


def _invalid(errors: dict[str, str]) -> ApplicationError:
    return ApplicationError(ErrorCode.INVALID, INVALID, extra={"errors": errors})


def _target(target_id: int) -> Target:
    target = Target.objects.select_related("task__plan").filter(pk=target_id).first()
    if target is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该指标，或您无权查看。")
    return target


def record_official_actual(
    *,
    target_id: int,
    user: Any,
    year: Any,
    value: Any,
    reason: str,
    data_date: Any = None,
    source: str = "",
    document_number: str = "",
) -> OfficialActual:
    """Enter (or correct) the plan office's actual value of ``year`` for a target, with a reason.
    One entry per target and year: a second one for the same year replaces the first (its earlier
    value stays in the row history). Errors: not a number, a year outside the plan period (see
    :func:`entry_years`), a data date in the future or in another year, a missing reason."""
    check_can_enter_actuals(actor_for(user))
    target = _target(target_id)
    errors: dict[str, str] = {}
    year_value = _parse_year(year, label="年份", errors=errors, key="year")
    amount = parse_decimal(value, label="实际值", errors=errors, key="value")
    day = _parse_date(data_date, errors=errors, key="data_date")
    reason, source, document_number = (
        clean_text(reason or ""),
        clean_text(source or ""),
        clean_text(document_number or ""),
    )
    if year_value is not None:
        years = entry_years(target)
        if years is not None and not years[0] <= year_value <= years[1]:
            errors["year"] = f"年份应在规划期内（{years[0]}—{years[1]}年）。"
        elif year_value > timezone.localdate().year:
            errors["year"] = "不能录入未来年份的实际值。"
    if day is not None:
        if day > timezone.localdate():
            errors["data_date"] = "数据截至日期不能晚于今天。"
        elif year_value is not None and day.year != year_value:
            errors["data_date"] = "数据截至日期应在所录年份之内。"
    if not reason.strip():
        errors["reason"] = "请填写录入或更正的理由（如：依据2024年统计公报）。"
    elif len(reason) > 500:
        errors["reason"] = "理由不超过500字。"
    if len(source) > 200:
        errors["source"] = "数据来源不超过200字。"
    if len(document_number) > 100:
        errors["document_number"] = "文号不超过100字。"
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        announce(PROGRESS)
        entry = OfficialActual.objects.select_for_update().filter(target=target, year=year_value).first()
        if entry is None:
            entry = OfficialActual(target=target, year=year_value)
        entry.value = amount
        entry.data_date = day
        entry.source = source
        entry.document_number = document_number
        entry.reason = reason
        entry.entered_by = user
        entry.entered_at = timezone.now()
        entry.full_clean(exclude=["target"], validate_unique=False)
        entry.save()
    return entry


def set_baseline(
    *, target_id: int, user: Any, baseline_value: Any, baseline_year: Any, baseline_note: str = ""
) -> Target:
    """Enter the target's baseline (基期值 and 基期年份) where the text does not state it, e.g. 2020
    GDP for "年均增长7%". An empty value clears it. The year must be before the target year."""
    check_can_enter_actuals(actor_for(user))
    target = _target(target_id)
    errors: dict[str, str] = {}
    value = parse_decimal(baseline_value, label="基期值", errors=errors, key="baseline_value", required=False)
    year = _parse_year(baseline_year, label="基期年份", errors=errors, key="baseline_year")
    note = clean_text(baseline_note or "")
    target_year = target.year or (target.task.plan.period_end.year if target.task.plan.period_end else None)
    if year is not None and target_year is not None and year >= target_year:
        errors["baseline_year"] = f"基期年份应早于目标年份（{target_year}年）。"
    if len(note) > 300:
        errors["baseline_note"] = "说明不超过300字。"
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        announce(PLAN)
        locked = Target.objects.select_for_update().get(pk=target.pk)
        locked.baseline_value = value
        locked.baseline_year = year
        locked.baseline_note = note
        locked.save(update_fields=["baseline_value", "baseline_year", "baseline_note"])
    return locked
