"""Two scans at once on PostgreSQL: real commits on two connections, so this test cannot run inside the
world ``test_scan`` shares across its tests (it builds and commits its own).

The world (``build_world``): period 2024年下半年 open, due Fri 2025-01-10; 2024-12-31 is the 7th
working day before the due date.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from progress.tests.factories import build_world
from reminders.models import Channel, Delivery, DeliveryStatus, Reminder, ReminderPolicy
from reminders.services.scan import scan

SEVEN_BEFORE = dt.date(2024, 12, 31)


# --- two scans at once (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_write_and_send_each_reminder_once(mailoutbox):
    """Two connections scan the same day at once: the first holds its transaction open while the
    second starts. The second waits for the first to commit, then finds everything decided. With no
    broker each scan runs its jobs inline after its commit."""
    world = build_world()
    # No quiet hours: deliveries are placed by the wall clock, which would hold them after 20:00.
    ReminderPolicy.objects.create(plan=world.plan, quiet_hours_start=dt.time(0, 0), quiet_hours_end=dt.time(0, 0))
    first_decided, second_started = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = scan(today=SEVEN_BEFORE)
                first_decided.set()
                second_started.wait(10)
                time.sleep(0.5)  # the second scan is now waiting on this transaction
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            first_decided.set()
            connection.close()

    def second() -> None:
        try:
            first_decided.wait(10)
            second_started.set()
            results["second"] = scan(today=SEVEN_BEFORE)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert (len(results["first"].created), len(results["first"].deliveries)) == (6, 12)
    assert (results["second"].due, results["second"].created, results["second"].deliveries) == ([], [], [])
    keys = list(Reminder.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) == 6
    pairs = list(Delivery.objects.values_list("reminder_id", "channel"))
    assert len(pairs) == len(set(pairs)) == 12
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}  # each sent by one job
    emails = Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count()
    assert len(mailoutbox) == emails == 4  # 东城 and 西城 have no staff accounts
    assert world.gongxin_clerk.notifications.count() == 1
