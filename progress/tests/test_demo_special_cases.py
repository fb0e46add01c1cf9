"""First run in the cases that start from another database than an empty one being set up with the
demo: `bootstrap --no-demo`, `bootstrap` when users exist, `demo_data --remove` beside a real user
named like a demo account (the demo's own run is test_demo.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from departments.tests.factories import DepartmentFactory, UserFactory
from progress.models import PeriodStatus, ProgressReport, ReviewPeriod
from progress.tests.test_demo import printed_accounts, run

pytestmark = pytest.mark.django_db


def test_no_demo_creates_only_the_admin_and_planned_periods():
    output = run("bootstrap", "--no-demo")

    assert set(printed_accounts(output)) == {"admin"}
    assert not ProgressReport.objects.exists()
    assert ReviewPeriod.objects.count() == 10
    assert not ReviewPeriod.objects.exclude(status=PeriodStatus.PLANNED).exists()


def test_no_accounts_or_demo_when_users_exist():
    UserFactory(username="clerk")

    output = run("bootstrap")

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["clerk"]
    assert not ProgressReport.objects.exists()
    assert not printed_accounts(output)


def test_a_real_user_named_like_a_demo_account_is_not_removed():
    DepartmentFactory(name="市工信局")
    UserFactory(username="demo_gongxin")  # no demo marker: a real person who chose that name

    output = run("demo_data", "--remove")

    assert "没有演示数据" in output
    assert get_user_model().objects.filter(username="demo_gongxin").exists()
