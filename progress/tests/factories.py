"""Factories and a small world for progress tests: the sample plan, two periods and one user per role."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP, ensure_role_groups
from departments.models import MembershipRole
from departments.tests.factories import MembershipFactory, UserFactory
from progress.models import PeriodStatus, ProgressReport, ProgressStatus, ReportStatus, ReviewPeriod
from tasks.tests.factories import build_sample_plan
from xingping_tracker.core.changes import PROGRESS, announce


class ReviewPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewPeriod

    name = factory.Sequence(lambda n: f"第{n}期")
    starts_on = factory.Sequence(lambda n: dt.date(2000 + n % 90, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: dt.date(o.starts_on.year, 6, 30))
    report_due_on = factory.LazyAttribute(lambda o: dt.date(o.starts_on.year, 7, 10))
    meeting_on = factory.LazyAttribute(lambda o: dt.date(o.starts_on.year, 7, 20))
    status = PeriodStatus.OPEN


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    role = "lead"
    progress_text = "已完成年度工作量的一半。"


def submitted_lead_report(world, number, department, progress_status=ProgressStatus.ON_TRACK, *, day=5):
    """A submitted lead report of ``world``'s open period (2024年下半年) on task ``number``, sent on
    2025-01-``day`` (committed at once outside a transaction; announced as the submit service does)."""
    report = ProgressReportFactory(
        task=world.tasks[number],
        department=department,
        period=world.h2,
        role="lead",
        status=ReportStatus.SUBMITTED,
        progress_status=progress_status,
        submitted_at=dt.datetime(2025, 1, day, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    announce(PROGRESS)
    return report


def unit_user(department, *, username: str, role: str = MembershipRole.REPORTER):
    user = UserFactory(username=username)
    MembershipFactory(user=user, department=department, role=role)
    return user


def role_user(group_name: str, *, username: str):
    ensure_role_groups()
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def build_world():
    """The sample plan (see ``build_sample_plan``) with periods 2024年上半年 (closed) and
    2024年下半年 (open), and users:

    - ``gongxin_clerk`` / ``gongxin_head``: 市工信局, lead of task 2 (one target);
    - ``fagai_clerk``: 市发改局, lead of tasks 1 and 3, supporting on task 2;
    - ``caizheng_clerk``: 市财政局, lead of task 4, supporting on task 2;
    - ``nancheng_clerk``: 南城镇, not on task 2 (only on task 3 as an expanded placeholder);
    - ``plan_office`` (group 规划科), ``leader`` (group 市领导), ``nobody`` (no unit, no role).
    """
    world = build_sample_plan()
    plan = world.plan
    world.h1 = ReviewPeriodFactory(
        plan=plan, name="2024年上半年", starts_on=dt.date(2024, 1, 1), status=PeriodStatus.CLOSED
    )
    world.h2 = ReviewPeriodFactory(
        plan=plan,
        name="2024年下半年",
        starts_on=dt.date(2024, 7, 1),
        ends_on=dt.date(2024, 12, 31),
        report_due_on=dt.date(2025, 1, 10),
        meeting_on=dt.date(2025, 1, 20),
        is_annual_summary=True,
    )
    world.gongxin_clerk = unit_user(world.gongxin, username="gongxin_clerk")
    world.gongxin_head = unit_user(world.gongxin, username="gongxin_head", role=MembershipRole.HEAD)
    world.fagai_clerk = unit_user(world.fagai, username="fagai_clerk")
    world.caizheng_clerk = unit_user(world.caizheng, username="caizheng_clerk")
    world.nancheng_clerk = unit_user(world.nancheng, username="nancheng_clerk")
    world.plan_office = role_user(PLAN_OFFICE_GROUP, username="plan_office")
    world.leader = role_user(LEADERSHIP_GROUP, username="leader")
    world.nobody = UserFactory(username="nobody")
    world.target = world.tasks[2].targets.get()
    announce(PROGRESS)  # as the period services that would have written these rows
    return SimpleNamespace(**vars(world))


def stored_file_names(path: str = "") -> list[str]:
    """Every file name in the default file storage (the tests' in-memory storage) under ``path``."""
    from django.core.files.storage import default_storage

    if not default_storage.exists(path or "."):
        return []
    dirs, files = default_storage.listdir(path)
    return [f"{path}/{f}".lstrip("/") for f in files] + [
        name for d in dirs for name in stored_file_names(f"{path}/{d}".lstrip("/"))
    ]


def empty_file_storage() -> None:
    """Delete every file of the default file storage (it outlives a test's rolled-back rows)."""
    from django.core.files.storage import default_storage

    for name in stored_file_names():
        default_storage.delete(name)
