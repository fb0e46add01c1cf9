"""Telling a unit what happened to its work: a report returned (with the review comment) or accepted,
an extension decided, a period opened or closed.

Called by the service that makes the change, inside its transaction: the notice and the unit's
in-app notifications are written with the change, so they appear when it commits and a change that
is refused or rolled back tells nobody. Each active user of the unit gets one notification per
notice (unique per (notice, user)) unless the unit switched its in-app channel off; the unit's next
digest (the scan's report or milestone reminder for the unit) lists the notices not yet listed
(:func:`take_for_digest`), so robots and e-mail carry them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from access.querysets import unit_staff_q
from reminders.models import Channel, NoticeKind, Notification, UnitNotice
from reminders.schedule import short_text
from reminders.selectors import unit_channels

# How many notices a digest lists at most (the rest are summed up in one line).
DIGEST_MAX_NOTICES = 20


def _url(name: str, *args: int, query: str = "") -> str:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def notify_units(
    *,
    department_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    period_id: int | None = None,
) -> list[UnitNotice]:
    """Write one notice per unit and a notification for each of its active users (in-app channel on)."""
    department_ids = sorted(set(department_ids))
    if not department_ids:
        return []
    notices = UnitNotice.objects.bulk_create(
        [
            UnitNotice(
                kind=kind,
                department_id=department_id,
                period_id=period_id,
                title=title[:200],
                body=body,
                link=link[:300],
            )
            for department_id in department_ids
        ]
    )
    channels = unit_channels(department_ids)
    by_unit = {notice.department_id: notice for notice in notices}
    rows = []
    for department_id in department_ids:  # one query per unit: the access rule names a unit's staff
        if Channel.INAPP not in channels[department_id]:
            continue
        notice = by_unit[department_id]
        users = (
            get_user_model().objects.filter(unit_staff_q(department_id), is_active=True).values_list("pk", flat=True)
        )
        rows.extend(
            Notification(
                user_id=user_id,
                department_id=department_id,
                notice=notice,
                kind=kind,
                title=notice.title,
                body=notice.body,
                link=notice.link,
            )
            for user_id in set(users)
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return notices


def notify_unit(*, department_id: int, **kwargs: Any) -> UnitNotice:
    return notify_units(department_ids=[department_id], **kwargs)[0]


# --- what the services say ---------------------------------------------------------------------


def report_reviewed(report: Any, *, accepted: bool) -> UnitNotice:
    """The plan office accepted or returned ``report`` (a ProgressReport); the comment goes along."""
    what = "进展报告" if report.role == "lead" else "配合情况"
    task = f"任务{report.task.number}"
    if accepted:
        title = f"{task}的{what}已审核通过（{report.period.name}）"
        body = f"规划科已审核通过{task}的{what}。" + (
            f"审核意见：{report.review_comment}" if report.review_comment else ""
        )
        kind = NoticeKind.REPORT_ACCEPTED
    else:
        title = f"{task}的{what}被退回，请修改后重新报送（{report.period.name}）"
        body = f"规划科退回了{task}的{what}。退回意见：{report.review_comment}"
        kind = NoticeKind.REPORT_RETURNED
    return notify_unit(
        department_id=report.department_id,
        kind=kind,
        title=title,
        body=body,
        period_id=report.period_id,
        link=_url("progress:report_form", report.task_id, report.period_id),
    )


def extension_decided(request: Any, *, approved: bool) -> UnitNotice:
    """The plan office approved or refused an extension request (a progress.ExtensionRequest)."""
    task = f"任务{request.task.number}"
    if approved:
        title = f"{task}的延期申请已同意：延期至{request.requested_deadline:%Y年%-m月%-d日}"
    else:
        title = f"{task}的延期申请未同意"
    body = title + "。" + (f"审批意见：{request.decision_comment}" if request.decision_comment else "")
    return notify_unit(
        department_id=request.department_id,
        kind=NoticeKind.EXTENSION_DECIDED,
        title=title,
        body=body,
        link=_url("progress:task_detail", request.task_id),
    )


def period_moved(period: Any, *, department_ids: Iterable[int], opened: bool) -> list[UnitNotice]:
    """A period opened (or reopened) or closed: every unit with a task in the period's plan is told."""
    due = f"{period.report_due_on:%Y年%-m月%-d日}"
    if opened:
        title = f"{period.name}填报期已开放，报送截止{due}"
        body = f"{period.name}填报期已开放，请在{due}前报送本单位牵头任务的进展报告和配合任务的配合情况。"
        kind = NoticeKind.PERIOD_OPENED
    else:
        title = f"{period.name}填报期已关闭"
        body = f"{period.name}填报期已关闭，报告不能再修改或报送；如需补报，请联系规划科。"
        kind = NoticeKind.PERIOD_CLOSED
    return notify_units(
        department_ids=department_ids,
        kind=kind,
        title=title,
        body=body,
        period_id=period.pk,
        link=_url("progress:home", query=f"period={period.pk}"),
    )


# --- the digest ---------------------------------------------------------------------------------


def pending_for_digest(department_ids: Iterable[int]) -> dict[int, list[UnitNotice]]:
    """{unit id: its notices no digest has listed yet, oldest first}. One query."""
    result: dict[int, list[UnitNotice]] = {}
    for notice in UnitNotice.objects.filter(department_id__in=set(department_ids), digest__isnull=True).order_by(
        "created_at", "pk"
    ):
        result.setdefault(notice.department_id, []).append(notice)
    return result


def digest_lines(notices: list[UnitNotice]) -> list[str]:
    """The lines a digest adds for ``notices`` (none when there are none)."""
    if not notices:
        return []
    lines = ["", "自上次提醒以来："]
    for notice in notices[:DIGEST_MAX_NOTICES]:
        text = notice.title
        if notice.kind == NoticeKind.REPORT_RETURNED and notice.body:
            text = f"{notice.title}。{short_text(notice.body)}"
        lines.append(f"· {text}")
    if len(notices) > DIGEST_MAX_NOTICES:
        lines.append(f"· 另有{len(notices) - DIGEST_MAX_NOTICES}条，请在通知中心查看。")
    return lines
