"""Two workers racing for the same deliveries on PostgreSQL: real row locks and real commits on four
connections, so this test cannot run inside the world ``test_delivery`` shares across its tests (it
builds and commits its own)."""

from __future__ import annotations

import pytest

from progress.tests.factories import build_world
from reminders.models import Channel, DeliveryStatus
from reminders.services.delivery import Outcome, deliver
from reminders.tests.delivery_helpers import RobotServer, make_delivery, make_reminder, robots
from reminders.tests.test_delivery import _row
from xingping_tracker.tests.racing import race

# --- two workers racing (PostgreSQL: real row locks, real concurrency) ---------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_deliveries_send_each_once():
    world = build_world()
    with RobotServer(delay=0.2) as server:
        robots(world.gongxin, wecom=server.wecom_url)
        deliveries = [make_delivery(make_reminder(world), Channel.WECOM) for _ in range(3)]
        ids = [d.pk for d in deliveries]

        def deliver_each() -> list[str]:
            return [deliver(delivery_id=delivery_id).outcome for delivery_id in ids]

        results = race(*[deliver_each] * 4)

    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors
    outcomes = [outcome for result in results for outcome in result]
    assert sorted(outcomes) == sorted([Outcome.SENT] * 3 + [Outcome.NOT_CLAIMED] * 9)
    assert len(server.requests) == 3
    assert [_row(d) for d in deliveries] == [(DeliveryStatus.SENT, 1)] * 3
