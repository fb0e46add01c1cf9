"""Sending a reminder through one channel, exactly once: claim, send, record.

The one guarantee rests on the database, not on Celery:

1. **Claim** with one atomic UPDATE: ``pending`` (or ``failed`` with a retry time) whose time has come
   → ``sending``, ``claimed_at`` = now, ``attempts`` + 1. The database serialises concurrent UPDATEs
   of a row, so of two workers, two beats or a retried job exactly one gets the row; the others see
   zero rows updated and stop. A ``sending`` claim older than ``REMINDER_DELIVERY_LEASE_SECONDS``
   belongs to a worker that died mid-send: it may be claimed again, so nothing is lost. (The lease is
   longer than Celery's hard time limit, so a live worker is killed before its claim can be taken.)
2. **Send** outside any transaction (the claim is already committed).
3. **Record** ``sent`` (time, recipients; an earlier attempt's error stays visible), ``skipped`` (nobody to send to) or ``failed`` (the Chinese
   reason and the technical one). A failure that may pass gets a retry time (``not_before``) with
   exponential backoff (``REMINDER_RETRY_BASE_SECONDS`` × 2ⁿ, at most ``REMINDER_RETRY_MAX_SECONDS``)
   until ``REMINDER_MAX_ATTEMPTS`` attempts in all; the Celery task waits for that time, and the
   sweep re-enqueues anything whose job was lost. A failure that cannot pass, or the last attempt,
   leaves ``not_before`` empty: the row waits for the plan office's 重新发送 (:func:`retry_delivery`).

What is left is the window between the other side accepting a message and the "sent" row being
written: a worker killed exactly there sends that message again after the lease. In-app
notifications have no such window (their rows are unique per reminder and user).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from reminders.channels import ChannelError, NoRecipients, channel_module
from reminders.models import Delivery, DeliveryStatus
from reminders.services.recipients import recipients_for
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"  # failed, tried again at ``retry_at``
    FAILED = "failed"  # failed for good (until the plan office retries it)
    NOT_DUE = "not_due"  # waiting for ``retry_at`` (quiet hours, backoff)
    NOT_CLAIMED = "not_claimed"  # sent, sending elsewhere, skipped, failed for good, or gone


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    outcome: str
    retry_at: dt.datetime | None = None
    error: str = ""


def _claimable(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)
    due_pending = Q(status=DeliveryStatus.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    due_retry = Q(status=DeliveryStatus.FAILED, not_before__isnull=False, not_before__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    return due_pending | due_retry | abandoned


def claim_delivery(*, delivery_id: int, now: dt.datetime) -> bool:
    """Take the delivery for sending (one atomic UPDATE); False when it is not ours to send."""
    with transaction.atomic():
        claimed = (
            Delivery.objects.filter(_claimable(now), pk=delivery_id)
            .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
        )
    return claimed == 1


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, … at most the maximum."""
    seconds = settings.REMINDER_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.REMINDER_RETRY_MAX_SECONDS))


def deliver(*, delivery_id: int, now: dt.datetime | None = None) -> DeliveryResult:
    """Send one delivery if it is due and nobody else has it; record the outcome.

    Call it outside a transaction (the Celery task does): the claim must be committed before the
    message leaves, and the message must not wait for anything else to commit.
    """
    now = now or timezone.now()
    if not claim_delivery(delivery_id=delivery_id, now=now):
        return _why_not_claimed(delivery_id, now)
    started = time.monotonic()

    def clock() -> dt.datetime:  # ``now`` moved on by the time the send took
        return now + dt.timedelta(seconds=time.monotonic() - started)

    delivery = (
        Delivery.objects.select_related("reminder", "reminder__department", "reminder__department__reminder_settings")
        .get(pk=delivery_id)
    )
    reminder = delivery.reminder
    try:
        module = channel_module(delivery.channel)
        recipients = recipients_for(reminder) if getattr(module, "NEEDS_RECIPIENTS", False) else []
        summary = module.send(delivery, reminder, recipients)
    except NoRecipients as exc:
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.SKIPPED, recipients="", last_error=exc.describe(), not_before=None, updated_at=clock()
        )
        return DeliveryResult(delivery_id, Outcome.SKIPPED, error=exc.describe())
    except ChannelError as exc:
        return _record_failure(delivery, exc, now=clock())
    except Exception as exc:  # a bug or a time limit must not leave the row "sending" until the lease ends
        logger.exception("delivery %s (%s) raised unexpectedly", delivery_id, delivery.channel)
        error = ChannelError("发送时出现内部错误", technical=f"{type(exc).__name__}: {exc}"[:300])
        return _record_failure(delivery, error, now=clock())
    sent_at = clock()
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=sent_at, recipients=summary, not_before=None, updated_at=sent_at
    )  # last_error stays: a row sent on its second attempt still says why the first one failed
    logger.info("delivery %s sent via %s (attempt %s)", delivery_id, delivery.channel, delivery.attempts)
    return DeliveryResult(delivery_id, Outcome.SENT)


def _record_failure(delivery: Delivery, exc: ChannelError, *, now: dt.datetime) -> DeliveryResult:
    attempts = delivery.attempts  # already counts this attempt (read after the claim)
    reason = f"第{attempts}次发送失败：{exc.describe()}。"
    retry_at = None
    if exc.retryable and attempts < settings.REMINDER_MAX_ATTEMPTS:
        retry_at = now + retry_delay(attempts)
        reason += f"将于{timezone.localtime(retry_at):%m月%d日 %H:%M:%S}自动重试。"
    elif exc.retryable:
        reason += f"已自动尝试{attempts}次，不再重试；可在发送记录中重新发送。"
    else:
        reason += "重试无法解决，请核对设置后在发送记录中重新发送。"
    # Only while the claim is still ours: a worker that took over an abandoned claim records its own outcome.
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at).update(
        status=DeliveryStatus.FAILED, last_error=reason, not_before=retry_at, updated_at=now
    )
    logger.warning("delivery %s via %s failed: %s", delivery.pk, delivery.channel, reason)
    return DeliveryResult(delivery.pk, Outcome.RETRY if retry_at else Outcome.FAILED, retry_at=retry_at, error=reason)


def _why_not_claimed(delivery_id: int, now: dt.datetime) -> DeliveryResult:
    row = Delivery.objects.filter(pk=delivery_id).values("status", "not_before").first()
    waiting = row and row["status"] in (DeliveryStatus.PENDING, DeliveryStatus.FAILED) and row["not_before"]
    if waiting and row["not_before"] > now:
        return DeliveryResult(delivery_id, Outcome.NOT_DUE, retry_at=row["not_before"])
    return DeliveryResult(delivery_id, Outcome.NOT_CLAIMED)


# --- enqueueing ---------------------------------------------------------------------------------


def enqueue_delivery(delivery_id: int, *, eta: dt.datetime | None = None) -> None:
    """Hand the delivery to a worker once the current transaction commits (inline without a broker).

    A broker that does not answer is logged, not raised: the row stays due and the sweep sends it.
    """
    from reminders.tasks import deliver_reminder

    def send_job() -> None:
        deliver_reminder.apply_async(args=[delivery_id], eta=eta)

    transaction.on_commit(send_job, robust=True)


# --- the plan office's 重新发送 -------------------------------------------------------------------


def retry_delivery(*, delivery_id: int, user: Any) -> Delivery:
    """Send a failed delivery again now (the plan office only: the review permission).

    The row goes back to "pending" and a job is enqueued after commit; its earlier error stays until
    the new attempt replaces it. Anything but a failed row is refused (409), so two clicks send once.
    """
    from access.actor import actor_for
    from access.rules import check_can_retry_deliveries

    check_can_retry_deliveries(actor_for(user))
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "找不到该发送记录。")
        if delivery.status != DeliveryStatus.FAILED:
            raise ApplicationError(
                ErrorCode.ILLEGAL_TRANSITION,
                f"这条记录当前为“{delivery.get_status_display()}”，只有发送失败的记录可以重新发送。",
                extra={"current_status": delivery.status},
            )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, not_before=now, claimed_at=None, updated_at=now
        )
        enqueue_delivery(delivery.pk)
    delivery.refresh_from_db()
    logger.info("delivery %s queued again by %s", delivery.pk, getattr(user, "username", user))
    return delivery


# --- the sweep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    due: list[int]
    abandoned: list[int]

    @property
    def delivery_ids(self) -> list[int]:
        return [*self.due, *self.abandoned]


def sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> SweepResult:
    """Enqueue what should have been sent and was not: due rows whose job was lost (broker down, a
    job run before its time) and claims abandoned by a dead worker. Beat runs it every 5 minutes.

    A row is picked only ``REMINDER_SWEEP_GRACE_SECONDS`` after its time, so the sweep does not
    double the job already queued for it (a double would find the row claimed and stop anyway).
    """
    now = now or timezone.now()
    late = now - dt.timedelta(seconds=settings.REMINDER_SWEEP_GRACE_SECONDS)
    stale = now - dt.timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)
    due = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, not_before__isnull=True, created_at__lte=late)
            | Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], not_before__lte=late)
        )
        .order_by("not_before", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    abandoned = list(
        Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
        .order_by("claimed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in [*due, *abandoned]:
        enqueue_delivery(delivery_id)
    if due or abandoned:
        logger.info("sweep: %s due and %s abandoned deliveries enqueued", len(due), len(abandoned))
    return SweepResult(due=due, abandoned=abandoned)
