"""Two workers racing for the same deliveries on PostgreSQL: real row locks and real commits on four
connections, so this test cannot run inside the world ``test_delivery`` shares across its tests (it
builds and commits its own)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from progress.tests.factories import build_world
from reminders.models import Channel, Delivery, DeliveryStatus
from reminders.services.delivery import Outcome, deliver
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots


def _row(delivery: Delivery) -> tuple:
    delivery.refresh_from_db()
    return delivery.status, delivery.attempts


# --- two workers racing (PostgreSQL: real row locks, real concurrency) ---------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_deliveries_send_each_once():
    world = build_world()
    with RobotServer(delay=0.2) as server:
        robots(world.gongxin, wecom=server.wecom_url)
        deliveries = [make_delivery(make_reminder(world), Channel.WECOM) for _ in range(3)]
        ids = [d.pk for d in deliveries]
        barrier = threading.Barrier(4)
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                for delivery_id in ids:
                    outcomes.append(deliver(delivery_id=delivery_id).outcome)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert not errors
    assert sorted(outcomes) == sorted([Outcome.SENT] * 3 + [Outcome.NOT_CLAIMED] * 9)
    assert len(server.requests) == 3
    assert [_row(d) for d in deliveries] == [(DeliveryStatus.SENT, 1)] * 3
