"""bench_offline_upload must not rot: one run of each measurement on a tiny synthetic database. No timing is asserted."""

from __future__ import annotations

import pytest

from bench.bench_offline_upload import busiest_unit, ensure_writable_rows, measure
from bench.runtime import unit_clerk
from bench.synthetic import generate
from progress.models import PeriodStatus, ProgressReport, ReviewPeriod

pytestmark = pytest.mark.django_db


def test_the_upload_measurements_run_and_leave_the_reports_unchanged():
    generate(tasks=60, departments=12, seed=1)
    period = ReviewPeriod.objects.filter(status=PeriodStatus.OPEN).latest("starts_on")
    unit_id = busiest_unit(period)
    writable, _ = ensure_writable_rows(unit_id, period, 30)
    assert writable >= 30
    before = sorted(ProgressReport.objects.values_list("pk", "version"))
    figures = measure(unit_clerk(unit_id, username="smoke_clerk"), period, rows=30, runs=1)
    assert figures["filled"] == 30 and figures["written"] == [30] and figures["planned_writes"] == 30
    assert figures["template_rows"] >= 30 and figures["queries"] > 0
    assert sorted(ProgressReport.objects.values_list("pk", "version")) == before  # the upload was rolled back
