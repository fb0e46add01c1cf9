"""The 兴平 plan imported as ``make run`` leaves it, with the two periods of 2024 and the users."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from progress.models import PeriodStatus, ReviewPeriod

SEED_PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


def xingping_plan():
    from departments.services import sync_units_from_fixture
    from tasks.importer.parser import parse_plan_text
    from tasks.services.plan_documents import current_unit_directory
    from tasks.services.plan_import import import_plan

    sync_units_from_fixture()
    text = SEED_PLAN.read_text(encoding="utf-8")
    return import_plan(result=parse_plan_text(text, directory=current_unit_directory()), source_text=text).plan


def periods_of(plan, year: int) -> tuple[ReviewPeriod, ReviewPeriod]:
    first = ReviewPeriod.objects.create(
        plan=plan,
        name=f"{year}年上半年",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 6, 30),
        report_due_on=dt.date(year, 7, 10),
        status=PeriodStatus.CLOSED,
    )
    second = ReviewPeriod.objects.create(
        plan=plan,
        name=f"{year}年下半年",
        starts_on=dt.date(year, 7, 1),
        ends_on=dt.date(year, 12, 31),
        report_due_on=dt.date(year + 1, 1, 10),
        is_annual_summary=True,
        status=PeriodStatus.OPEN,
    )
    return first, second


def build_xingping() -> SimpleNamespace:
    from progress.tests.factories import role_user, unit_user

    plan = xingping_plan()
    h1, h2 = periods_of(plan, 2024)
    tasks = {t.number: t for t in plan.tasks.all()}
    fagai = tasks[45].assignments.get(role="lead").department
    return SimpleNamespace(
        plan=plan,
        h1=h1,
        h2=h2,
        tasks=tasks,
        fagai=fagai,
        plan_office=role_user(PLAN_OFFICE_GROUP, username="plan_office"),
        leader=role_user(LEADERSHIP_GROUP, username="leader"),
        fagai_clerk=unit_user(fagai, username="fagai_clerk"),
    )


@pytest.fixture(scope="module")
def _module_xingping(request, django_db_setup, django_db_blocker):
    from xingping_tracker.tests.sharing import shared_per_module

    yield from shared_per_module(request, django_db_blocker, "xingping", build_xingping)


@pytest.fixture
def xingping(_module_xingping, db):
    """The imported 兴平 plan: built once per module where it may be (xingping_tracker.tests.sharing),
    a copy of its objects for each test."""
    if _module_xingping is None:
        return build_xingping()
    return copy.deepcopy(_module_xingping)
