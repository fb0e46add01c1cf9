"""The Chinese admin for units: task counts, alias search, the unit's task tables (query counts:
test_admin_query_counts.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.tests.factories import DepartmentAliasFactory, DepartmentFactory, MembershipFactory
from tasks.tests.factories import build_sample_plan
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:departments_department_changelist")

# The sample plan, built once per module where it may be (xingping_tracker.tests.sharing): every
# test here uses it (the query-count tests, which start from an empty database, are in
# test_admin_query_counts.py).
_module_sample, sample = module_fixtures(build_sample_plan, name="sample")


def listed(response) -> dict[str, tuple[int, int]]:
    assert response.status_code == 200
    return {d.name: (d.led_task_count, d.supported_task_count) for d in response.context["cl"].result_list}


class TestDepartmentChangelist:
    def test_counts_follow_effective_units(self, admin_client, sample):
        response = admin_client.get(CHANGELIST)
        html = response.content.decode()
        for header in ("规范名称", "类别", "挂靠单位", "在用", "牵头任务数", "配合任务数"):
            assert header in html
        assert listed(response) == {
            "市发改局": (2, 2),
            "市工信局": (1, 0),
            "市财政局": (1, 1),
            "东城街道办": (0, 2),
            "西城街道办": (0, 1),
            "南城镇": (0, 1),
        }

    def test_sort_by_led_count(self, admin_client, sample):
        # Column 5 is led_task_count and 6 supported_task_count (0 is the action checkbox).
        by_led = admin_client.get(CHANGELIST, {"o": "-5"})
        assert [d.name for d in by_led.context["cl"].result_list][0] == "市发改局"
        by_supported = admin_client.get(CHANGELIST, {"o": "6"})
        assert [d.supported_task_count for d in by_supported.context["cl"].result_list] == [0, 1, 1, 1, 2, 2]

    def test_search_by_name_or_alias_and_filters(self, admin_client, sample):
        DepartmentAliasFactory(department=sample.fagai, alias="发展和改革局")
        DepartmentAliasFactory(department=sample.fagai, alias="发改委")
        assert list(listed(admin_client.get(CHANGELIST, {"q": "发展和改革"}))) == ["市发改局"]
        assert list(listed(admin_client.get(CHANGELIST, {"q": "发改"}))) == ["市发改局"]  # two aliases, one row
        assert sorted(listed(admin_client.get(CHANGELIST, {"kind__exact": "subdistrict"}))) == [
            "东城街道办",
            "西城街道办",
        ]
        DepartmentFactory(name="市旧局", is_active=False)
        assert list(listed(admin_client.get(CHANGELIST, {"is_active__exact": "0"}))) == ["市旧局"]


class TestDepartmentChangePage:
    def test_host_page_links_the_units_it_hosts(self, admin_client, sample):
        science = DepartmentFactory(name="市科技局", host=sample.fagai)
        html = admin_client.get(reverse("admin:departments_department_change", args=[sample.fagai.pk])).content.decode()
        hosted = html[html.index('id="department-hosted-units"') : html.index('id="department-led-tasks"')]
        assert reverse("admin:departments_department_change", args=[science.pk]) in hosted
        assert "市科技局" in hosted
        other = admin_client.get(reverse("admin:departments_department_change", args=[sample.gongxin.pk]))
        assert 'id="department-hosted-units"' not in other.content.decode()

    def test_shows_led_and_supporting_tasks_with_links(self, admin_client, sample):
        response = admin_client.get(reverse("admin:departments_department_change", args=[sample.fagai.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "牵头任务（2项）" in html
        assert "配合任务（2项）" in html
        led_section = html[html.index('id="department-led-tasks"') : html.index('id="department-supporting-tasks"')]
        supporting_section = html[html.index('id="department-supporting-tasks"') :]
        for number in (1, 3):
            assert reverse("admin:tasks_task_change", args=[sample.tasks[number].pk]) in led_section
        for number in (2, 5):
            assert reverse("admin:tasks_task_change", args=[sample.tasks[number].pk]) in supporting_section
            assert reverse("admin:tasks_task_change", args=[sample.tasks[number].pk]) not in led_section
        assert "（约束性）" in supporting_section  # task 2 is binding

    def test_town_sees_tasks_through_placeholders(self, admin_client, sample):
        html = admin_client.get(
            reverse("admin:departments_department_change", args=[sample.dongcheng.pk])
        ).content.decode()
        assert "牵头任务（0项）" in html
        assert "配合任务（2项）" in html
        assert "暂无。" in html


class TestOtherUnitAdmins:
    def test_group_change_page_has_member_selector(self, admin_client, sample):
        response = admin_client.get(reverse("admin:departments_departmentgroup_change", args=[sample.all_towns.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "selectfilter" in html  # filter_horizontal widget
        assert "东城街道办" in html
        changelist = admin_client.get(reverse("admin:departments_departmentgroup_changelist"))
        assert {g.name: g.member_count for g in changelist.context["cl"].result_list} == {
            "各镇办": 2,
            "相关镇办": 3,
            "市级相关部门": 0,
        }

    def test_alias_and_membership_admins(self, admin_client, sample):
        DepartmentAliasFactory(department=sample.fagai, alias="发改局")
        membership = MembershipFactory(department=sample.fagai)
        aliases = admin_client.get(reverse("admin:departments_departmentalias_changelist"), {"q": "发改"})
        assert aliases.status_code == 200
        assert [(a.alias, a.department.name) for a in aliases.context["cl"].result_list] == [("发改局", "市发改局")]
        members = admin_client.get(reverse("admin:departments_membership_changelist"))
        assert members.status_code == 200
        assert membership.user.username in members.content.decode()
        page = admin_client.get(reverse("admin:departments_membership_change", args=[membership.pk]))
        assert page.status_code == 200

    def test_department_autocomplete_searches_aliases(self, admin_client, sample):
        DepartmentAliasFactory(department=sample.caizheng, alias="财政局")
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"term": "财政", "app_label": "tasks", "model_name": "assignment", "field_name": "department"},
        )
        assert response.status_code == 200
        assert [row["text"] for row in response.json()["results"]] == ["市财政局"]
