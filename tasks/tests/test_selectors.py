"""Task selectors: effective-unit semantics, filters, prefetching and the department overview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from departments.tests.factories import MembershipFactory, UserFactory
from tasks import selectors
from tasks.models import Task
from tasks.services.effective_assignments import refresh_effective_assignments_for_groups
from tasks.tests.factories import PlanFactory, build_many_tasks, build_sample_plan
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

# The sample plan, built once per module where it may be (xingping_tracker.tests.sharing): every
# test here uses it (the query-count test, which starts from an empty database, is in
# test_selectors_query_counts.py).
_module_sample, sample = module_fixtures(build_sample_plan, name="sample")


def numbers(queryset) -> list[int]:
    return [task.number for task in queryset]


@pytest.mark.parametrize(
    ("unit", "role", "expected"),
    [
        ("fagai", "lead", [1, 3]),
        ("gongxin", "lead", [2]),
        ("caizheng", "lead", [4]),
        ("nancheng", "lead", []),  # an expansion on an assignment that names a unit is ignored
        ("dongcheng", "lead", []),
        ("fagai", "supporting", [2, 5]),  # task 5 names it twice: listed once
        ("caizheng", "supporting", [2]),
        ("dongcheng", "supporting", [1, 4]),  # 各镇办 unexpanded (1) and expanded to it (4)
        ("xicheng", "supporting", [1]),  # task 4 expanded 各镇办 to 东城 only
        ("nancheng", "supporting", [3]),  # a SELECTED group counts through its expansion only
        ("fagai", "unit", [1, 2, 3, 5]),
        ("nancheng", "unit", [3]),
        ("gongxin", "unit", [2]),
    ],
)
def test_unit_filters_use_effective_units(sample, unit, role, expected):
    department = getattr(sample, unit)
    assert numbers(selectors.task_list(filters={role: department.pk})) == expected


def test_unexpanded_selected_group_and_unresolved_name_give_no_units(sample):
    # Task 4: 市级相关部门 is not expanded and has no fixed members, so only its lead unit and the
    # one town 各镇办 was expanded to are asked. Task 5's lead is an unresolved name: nobody leads it.
    def units_of(number: int, role: str = "unit") -> set[str]:
        return {
            d.name for d in Department.objects.all() if number in numbers(selectors.task_list(filters={role: d.pk}))
        }

    assert units_of(4) == {"市财政局", "东城街道办"}
    assert units_of(5, "lead") == set()


def test_fixed_group_counts_members_added_later(sample):
    newcomer = Department.objects.create(name="北城街道办", kind="subdistrict")
    assert numbers(selectors.task_list(filters={"supporting": newcomer.pk})) == []
    sample.all_towns.members.add(newcomer)
    refresh_effective_assignments_for_groups(group_ids=[sample.all_towns.pk])  # as the admin's save does
    # Task 1 names 各镇办 unexpanded: the new member is asked; task 4's explicit expansion stays.
    assert numbers(selectors.task_list(filters={"supporting": newcomer.pk})) == [1]


def test_section_filter_includes_child_sections(sample):
    assert numbers(selectors.task_list(filters={"section": sample.chapter1.pk})) == [1, 2, 3]
    assert numbers(selectors.task_list(filters={"section": sample.section11.pk})) == [2, 3]
    assert numbers(selectors.task_list(filters={"section": sample.chapter2.pk})) == [4, 5]


def test_plain_filters(sample):
    assert numbers(selectors.task_list(filters={"plan": sample.plan.pk})) == [1, 2, 3, 4, 5]
    assert numbers(selectors.task_list(filters={"kind": "indicator"})) == [2]
    assert numbers(selectors.task_list(filters={"binding": "true"})) == [2]
    assert numbers(selectors.task_list(filters={"binding": "false"})) == [1, 3, 4, 5]
    assert numbers(selectors.task_list(filters={"incentive": "true"})) == [5]
    assert numbers(selectors.task_list(filters={"deadline_year": 2022})) == [3]
    assert numbers(selectors.task_list(filters={"deadline_year": 2025})) == [1, 2, 4]
    assert numbers(selectors.task_list(filters={"lead": sample.fagai.pk, "section": sample.section11.pk})) == [3]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2", [2]),  # an integer is the task number, not "any text containing 2"
        (" 5 ", [5]),
        ("第3项", [3]),
        ("数字经济", [2]),
        ("2022年", [3]),  # not an integer: searched in the text
        ("不存在的内容", []),
        ("", [1, 2, 3, 4, 5]),
    ],
)
def test_search(sample, term, expected):
    assert numbers(selectors.task_list(filters={"q": term})) == expected


def test_invalid_filter_raises_application_error(sample):
    with pytest.raises(ApplicationError) as excinfo:
        selectors.task_list(filters={"lead": 999999})
    assert excinfo.value.code == ErrorCode.INVALID
    assert "lead" in excinfo.value.extra["errors"]


def test_effective_units_and_roles_from_prefetched_data(sample):
    tasks = {t.number: t for t in selectors.task_list()}
    with CaptureQueriesContext(connection) as ctx:
        by_role = {n: selectors.task_assignments_by_role(t) for n, t in tasks.items()}
        effective = {
            n: {
                role: [[d.name for d in selectors.assignment_effective_departments(a)] for a in assignments]
                for role, assignments in roles.items()
            }
            for n, roles in by_role.items()
        }
        paths = {n: selectors.section_heading_path(t.section) for n, t in tasks.items()}
    assert len(ctx.captured_queries) == 0
    assert effective[1] == {"lead": [["市发改局"]], "supporting": [["东城街道办", "西城街道办"]]}
    assert effective[2]["lead"] == [["市工信局"]]
    assert effective[4]["supporting"] == [["东城街道办"], []]
    assert effective[5] == {"lead": [[]], "supporting": [["市发改局"], ["市发改局"]]}
    assert paths[1] == ["一、目标定位"]
    assert paths[2] == ["一、目标定位", "（一）主要目标"]


def test_department_task_counts(sample):
    counts = {
        d.name: (d.led_task_count, d.supported_task_count)
        for d in selectors.department_task_counts(Department.objects.all())
    }
    assert counts == {
        "市发改局": (2, 2),
        "市工信局": (1, 0),
        "市财政局": (1, 1),
        "东城街道办": (0, 2),
        "西城街道办": (0, 1),
        "南城镇": (0, 1),
    }


def test_department_task_overview(sample):
    overview = selectors.department_task_overview(department=sample.fagai)
    assert overview["department"] == sample.fagai
    assert numbers(overview["led"]) == [1, 3]
    assert numbers(overview["supporting"]) == [2, 5]
    town = selectors.department_task_overview(department=sample.dongcheng)
    assert numbers(town["led"]) == []
    assert numbers(town["supporting"]) == [1, 4]


def test_overview_orders_by_plan_then_number(sample):
    newer_plan = PlanFactory(issued_on=dt.date(2023, 3, 1))
    newer = build_many_tasks(2, plan=newer_plan, lead=sample.fagai)
    overview = selectors.department_task_overview(department=sample.fagai)
    # The newest plan first (as plans are ordered everywhere), each plan by task number.
    assert [(t.plan_id, t.number) for t in overview["led"]] == [
        (newer_plan.pk, newer[0].number),
        (newer_plan.pk, newer[1].number),
        (sample.plan.pk, 1),
        (sample.plan.pk, 3),
    ]


def visible_task_list(*, user, filters=None):
    """The task list as the API builds it for ``user`` (the access package's filter, then the filters)."""
    from access.querysets import tasks_visible_to

    return selectors.task_list(filters=filters, queryset=tasks_visible_to(Task.objects.all(), user=user))


class TestVisibility:
    def test_none_for_anonymous_and_unassigned_users(self, sample):
        from django.contrib.auth.models import AnonymousUser

        assert numbers(visible_task_list(user=AnonymousUser())) == []
        assert numbers(visible_task_list(user=UserFactory())) == []

    def test_view_permission_sees_everything(self, sample):
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(codename="view_task", content_type__app_label="tasks"))
        assert numbers(visible_task_list(user=user)) == [1, 2, 3, 4, 5]
        assert numbers(visible_task_list(user=UserFactory(is_superuser=True))) == [1, 2, 3, 4, 5]

    def test_member_sees_own_unit_tasks_either_role(self, sample):
        clerk = MembershipFactory(department=sample.dongcheng).user
        assert numbers(visible_task_list(user=clerk)) == [1, 4]
        # Filters narrow within what the user may see.
        assert numbers(visible_task_list(user=clerk, filters={"unit": sample.fagai.pk})) == [1]
        assert numbers(visible_task_list(user=clerk, filters={"lead": sample.fagai.pk})) == [1]
        assert numbers(visible_task_list(user=clerk, filters={"section": sample.chapter2.pk})) == [4]

    def test_inactive_member_sees_nothing(self, sample):
        clerk = MembershipFactory(department=sample.dongcheng, user=UserFactory(is_active=False)).user
        assert numbers(visible_task_list(user=clerk)) == []
