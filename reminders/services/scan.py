"""The reminder scan: decide the reminders due on a day, write them with their deliveries, and
hand the new deliveries to the workers once the transaction commits.

Exactly once: every reminder has a unique ``dedupe_key`` and every delivery is unique per
(reminder, channel). The scan also locks the plans' policy rows (``SELECT … FOR UPDATE`` on
PostgreSQL) before it reads what was already sent, so a second scan running at the same time waits
for the first to commit and then finds everything decided: it creates nothing and enqueues
nothing. Should a row be written by someone else anyway, ``bulk_create(ignore_conflicts=True)``
skips it and the scan leaves its deliveries alone. (SQLite has one writer at a time: a second scan
waits for the database lock or fails on it; the unique keys keep the rows single either way.) Jobs
are enqueued only from ``transaction.on_commit``, so a scan that rolls back sends nothing.

Deliveries: a unit's channels (:func:`reminders.selectors.unit_channels`: e-mail and in-app
without settings, the robots when their address is set); escalations and meeting notices (to
people, not to a unit) by e-mail and in-app. Inside the plan's quiet hours (Asia/Shanghai) a
delivery waits until they end (``not_before``); recipients are read when it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import JSONField, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from reminders import schedule, selectors, workdays
from reminders.models import Delivery, DeliveryStatus, Reminder, ReminderPolicy, UnitNotice
from reminders.schedule import DueReminder
from tasks.models import Plan

logger = logging.getLogger(__name__)

PERSON_CHANNELS = selectors.DEFAULT_CHANNELS  # escalation and meeting notices


@dataclass
class ScanResult:
    today: dt.date
    dry_run: bool
    working_day: bool
    due: list[DueReminder] = field(default_factory=list)
    channels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by dedupe key
    created: list[int] = field(default_factory=list)  # ids of the reminders this scan wrote
    deliveries: list[int] = field(default_factory=list)  # ids of the deliveries this scan wrote

    @property
    def per_stage(self) -> dict[str, int]:
        """How many reminders are due per stage (e.g. ``{"wd_before_7": 80, "escalation": 3}``)."""
        return dict(Counter(reminder.stage for reminder in self.due))

    def __str__(self) -> str:
        if not self.working_day:
            return f"{self.today}: not a working day, nothing decided"
        mode = "dry run, " if self.dry_run else ""
        return (
            f"{self.today}: {mode}{len(self.due)} due, {len(self.created)} reminders and "
            f"{len(self.deliveries)} deliveries created {self.per_stage}"
        )


# --- time --------------------------------------------------------------------------------------------


def in_quiet_hours(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """True when ``moment`` is inside the quiet hours [start, end) (they may cross midnight)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def send_after(now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """``now``, or the end of the quiet hours when ``now`` is inside them (an aware datetime)."""
    local = now.astimezone(workdays.SHANGHAI)
    if not in_quiet_hours(local.time(), start, end):
        return now
    end_day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(end_day, end, tzinfo=workdays.SHANGHAI)


# --- links --------------------------------------------------------------------------------------------


def _reverse(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the portal is not mounted (a stripped-down deployment): no link
        return ""


def link_for(reminder: DueReminder) -> str:
    """Report reminders: the unit's 本期待填报 for the period; escalations: the period's review board
    filtered to the unit; meeting notices: the period's 领导看板 (where the meeting pack is downloaded);
    milestones: the task's page (several milestones: the unit's task list)."""
    if reminder.kind == schedule.REPORT_DUE:
        home = _reverse("progress:home")
        return f"{home}?period={reminder.period_id}" if home else ""
    if reminder.kind == schedule.ESCALATION:
        board = _reverse("progress:period_board", reminder.period_id)
        return f"{board}?unit={reminder.department_id}" if board else ""
    if reminder.kind == schedule.MEETING:
        dashboard = _reverse("dashboard:home")
        return f"{dashboard}?period={reminder.period_id}" if dashboard else ""
    if reminder.kind == schedule.MILESTONE:
        if reminder.task_id is not None:
            return _reverse("progress:task_detail", reminder.task_id)
        return _reverse("progress:home")
    return ""


# --- the scan ----------------------------------------------------------------------------------------


def ensure_policies() -> None:
    """Give every plan its reminder policy (the defaults) when it has none. Race-safe: a policy another
    scan created meanwhile is kept (the plan is unique)."""
    for plan_id in Plan.objects.filter(reminder_policy__isnull=True).values_list("pk", flat=True):
        ReminderPolicy.objects.get_or_create(plan_id=plan_id)


def decide(*, today: dt.date) -> tuple[list[DueReminder], dict[int, tuple]]:
    """The reminders due on ``today`` and not yet decided, and each plan's quiet hours (read only)."""
    policies, quiet = selectors.plan_policies()
    periods = selectors.scan_periods(today=today)
    units = selectors.active_units()
    report_periods = [
        period
        for period in periods
        if period.status == schedule.PERIOD_OPEN
        and schedule.period_may_remind_units(period, policies.get(period.plan_id, schedule.DEFAULT_POLICY), today)
    ]
    horizon = max((p.milestone_notice_days for p in policies.values() if p.enabled), default=0)
    milestones = selectors.upcoming_milestones(today=today, within_days=horizon, units=units) if horizon else []
    sent = selectors.sent_keys(
        period_ids=[p.id for p in periods], milestones_since=today - dt.timedelta(days=horizon) if milestones else None
    )
    owed = selectors.owed_by_unit(periods=report_periods, units=units)
    due = schedule.due_reminders(
        today=today, periods=periods, owed=owed, milestones=milestones, policies=policies, sent=sent
    )
    return due, quiet


def scan(*, today: dt.date | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> ScanResult:
    """Decide and write the reminders due on ``today`` (default: today in Asia/Shanghai), one per
    dedupe key, with a delivery per channel; enqueue the new deliveries after commit.

    ``dry_run``: decide only (nothing written, nothing sent; plans without a policy use the defaults).
    ``now`` (default: the current time) places the deliveries relative to the quiet hours.
    """
    now = now or timezone.now()
    today = today or workdays.shanghai_today(now)
    if not workdays.is_working_day(today):
        return ScanResult(today=today, dry_run=dry_run, working_day=False)
    if dry_run:
        due, _ = decide(today=today)
        channels = _channels(due)
        return ScanResult(today=today, dry_run=True, working_day=True, due=due, channels=channels)

    ensure_policies()
    with transaction.atomic():
        # Serialise concurrent scans: the second waits here, then reads the first one's reminders as sent.
        list(ReminderPolicy.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        due, quiet = decide(today=today)
        channels = _channels(due)
        created, deliveries = _write(due, channels, quiet, today=today, now=now)
    result = ScanResult(
        today=today, dry_run=False, working_day=True, due=due, channels=channels, created=created,
        deliveries=[pk for pk, _ in deliveries],
    )
    logger.info("reminder scan %s", result)
    return result


def _channels(due: list[DueReminder]) -> dict[str, tuple[str, ...]]:
    units = selectors.unit_channels(
        r.department_id for r in due if r.department_id is not None and r.kind in (schedule.REPORT_DUE, schedule.MILESTONE)
    )
    return {
        r.dedupe_key: units[r.department_id] if r.kind in (schedule.REPORT_DUE, schedule.MILESTONE) else PERSON_CHANNELS
        for r in due
    }


def _write(
    due: list[DueReminder],
    channels: dict[str, tuple[str, ...]],
    quiet: dict[int, tuple],
    *,
    today: dt.date,
    now: dt.datetime,
) -> tuple[list[int], list[tuple[int, dt.datetime]]]:
    """Insert the reminders and their deliveries; register the jobs for after commit.
    Returns (new reminder ids, [(new delivery id, not before)])."""
    if not due:
        return [], []
    # The unit's first digest of the day also lists what happened to its work since the last one.
    from reminders.services.unit_notices import digest_lines, pending_for_digest

    digest_of: dict[int, str] = {}  # unit id: the dedupe key of the reminder that lists its notices
    for r in due:
        if r.kind in (schedule.REPORT_DUE, schedule.MILESTONE) and r.department_id is not None:
            digest_of.setdefault(r.department_id, r.dedupe_key)
    notices = pending_for_digest(digest_of)
    extra = {digest_of[unit]: "\n".join(digest_lines(listed)) for unit, listed in notices.items()}
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=r.kind,
                stage=r.stage,
                dedupe_key=r.dedupe_key,
                period_id=r.period_id,
                department_id=r.department_id,
                milestone_id=r.milestone_id,
                decided_on=today,
                title=r.title[:200],
                body=r.body + extra.get(r.dedupe_key, ""),
                link=link_for(r)[:300],
                # An expression, so PostgreSQL gets a plain VALUES list: for literal values only, Django
                # inserts through UNNEST of arrays, which psycopg quotes in Python character by character
                # (5 s for 160 digests of 100,000 listed tasks instead of 0.1 s).
                items=Value([item.as_json() for item in r.items], output_field=JSONField()),
            )
            for r in due
        ],
        ignore_conflicts=True,
    )
    # Under the policy lock every key decided here is new (see the module docstring); a row another
    # writer slipped in anyway already has its deliveries, and those are left to it.
    by_key = dict(Reminder.objects.filter(dedupe_key__in=[r.dedupe_key for r in due]).values_list("dedupe_key", "pk"))
    with_deliveries = set(
        Delivery.objects.filter(reminder_id__in=by_key.values()).order_by().values_list("reminder_id", flat=True).distinct()
    )
    new = [r for r in due if by_key.get(r.dedupe_key) is not None and by_key[r.dedupe_key] not in with_deliveries]
    new_keys = {r.dedupe_key for r in new}
    for unit, listed in notices.items():
        if digest_of[unit] in new_keys:
            UnitNotice.objects.filter(pk__in=[n.pk for n in listed], digest__isnull=True).update(digest_id=by_key[digest_of[unit]])
    rows = []
    for r in new:
        start, end = quiet.get(r.plan_id, (None, None))
        not_before = send_after(now, start, end) if start is not None else now
        rows.extend(
            Delivery(reminder_id=by_key[r.dedupe_key], channel=channel, status=DeliveryStatus.PENDING, not_before=not_before)
            for channel in channels[r.dedupe_key]
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    new_ids = [by_key[r.dedupe_key] for r in new]
    deliveries = list(
        Delivery.objects.filter(reminder_id__in=new_ids, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", "not_before")
    )
    _enqueue_after_commit(deliveries, now=now)
    return new_ids, deliveries


def _enqueue_after_commit(deliveries: list[tuple[int, dt.datetime]], *, now: dt.datetime) -> None:
    """One job per new delivery once the transaction commits (at the end of the quiet hours when they
    wait; inline without a broker). A broker that does not answer is logged: the sweep sends the row."""
    from reminders.services.delivery import enqueue_delivery

    for delivery_id, not_before in deliveries:
        enqueue_delivery(delivery_id, eta=not_before if not_before is not None and not_before > now else None)
