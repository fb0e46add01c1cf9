"""Celery jobs of the reminders (thin: each calls one service).

- ``reminders.scan`` (beat, daily 09:00): decide today's reminders; the scan enqueues their deliveries
  after it commits. Skipping non-working days is the scan's own rule.
- ``reminders.deliver``: send one delivery. Acknowledged late and rejected on a lost worker, so a job
  whose worker died is run again; the delivery's database claim makes the second run harmless.
  Backoff comes from the row (``not_before``, set by :func:`reminders.services.delivery.deliver`
  after a failure that may pass), not from Celery's retry counter, so every path that re-runs a
  delivery (a retry, the sweep, the plan office's 重新发送) shares one count of attempts.
- ``reminders.sweep`` (beat, every 5 minutes): re-enqueue due deliveries whose job was lost and
  claims abandoned by a dead worker.
- ``reminders.roll_over_periods`` (beat, daily 01:00): create the next review period before it starts.

Without a broker (embedded mode) jobs run inline; a delivery that must wait (quiet hours, backoff)
is then left to the next sweep or ``send_reminders`` run instead of blocking the caller.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# One send is one HTTP call with a short timeout or one SMTP conversation: far below the lease.
DELIVER_SOFT_TIME_LIMIT = 60
DELIVER_TIME_LIMIT = 90


@shared_task(name="reminders.scan", acks_late=True, reject_on_worker_lost=True)
def scan_reminders(today: str | None = None) -> str:
    from reminders.services.scan import scan

    result = scan(today=dt.date.fromisoformat(today) if today else None)
    logger.info("reminder scan: %s", result)
    return str(result)


@shared_task(
    bind=True,
    name="reminders.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded by REMINDER_MAX_ATTEMPTS on the row
    soft_time_limit=DELIVER_SOFT_TIME_LIMIT,
    time_limit=DELIVER_TIME_LIMIT,
)
def deliver_reminder(self, delivery_id: int) -> str:
    from reminders.services.delivery import deliver

    result = deliver(delivery_id=delivery_id)
    if result.retry_at is not None and not self.request.is_eager:
        # A failure that may pass (RETRY) or a job that came early (NOT_DUE): run again at the row's time.
        raise self.retry(eta=result.retry_at)
    return result.outcome


@shared_task(name="reminders.sweep", acks_late=True)
def sweep_deliveries() -> int:
    from reminders.services.delivery import sweep

    return len(sweep().delivery_ids)


@shared_task(name="reminders.roll_over_periods", acks_late=True, reject_on_worker_lost=True)
def roll_over_periods(today: str | None = None) -> str:
    from reminders.services.periods import roll_over_periods as roll_over

    result = roll_over(today=dt.date.fromisoformat(today) if today else None)
    logger.info("period roll-over: %s", result)
    return str(result)
