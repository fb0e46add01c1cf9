"""bench_reminders must not rot: one pass of each measurement on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_reminders import check_one_digest_per_unit_and_stage, measure, scan_days
from bench.synthetic import generate
from reminders.models import Delivery, Reminder

pytestmark = pytest.mark.django_db


def test_the_scan_measurements_run_and_leave_the_database_unchanged():
    generate(tasks=60, departments=12, seed=1)
    days = scan_days()
    assert [label.split(" ")[0] for label, _ in days] == ["wd_before_7", "escalation"]
    for label, day in days:
        dry = measure(label, day, dry_run=True, runs=1, warmups=0)
        real = measure(label, day, dry_run=False, runs=1, warmups=0)
        assert dry.per_stage == real.per_stage and dry.units > 0 and dry.items > 0
        assert real.queries > dry.queries
        assert check_one_digest_per_unit_and_stage(day)
    assert "wd_before_7" in measure(*days[0], dry_run=True, runs=1, warmups=0).per_stage
    assert not Reminder.objects.exists() and not Delivery.objects.exists()  # every real scan was rolled back
