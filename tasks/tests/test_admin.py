"""The Chinese admin for plans, sections and tasks: columns, filters, search, inlines (query counts:
test_admin_query_counts.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tasks.models import Assignment, AssignmentRole, Task
from tasks.tests.factories import PlanFactory, TaskFactory, build_sample_plan
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tasks_task_changelist")

# The sample plan, built once per module where it may be (xingping_tracker.tests.sharing): every
# test here uses it (the query-count tests, which start from an empty database, are in
# test_admin_query_counts.py).
_module_sample, sample = module_fixtures(build_sample_plan, name="sample")


def listed_numbers(response) -> list[int]:
    assert response.status_code == 200
    return sorted(task.number for task in response.context["cl"].result_list)


class TestTaskChangelist:
    def test_columns_render_units_from_placeholders(self, admin_client, sample):
        response = admin_client.get(CHANGELIST)
        html = response.content.decode()
        for header in ("序号", "任务内容", "章节", "类别", "约束性", "激励性", "完成时限", "牵头单位", "配合单位"):
            assert header in html
        assert "各镇办（展开：东城街道办）" in html  # task 4: placeholder with its expansion
        assert "某某中心（未识别）" in html  # task 5: unresolved lead kept as written
        assert "（一）主要目标" in html
        assert listed_numbers(response) == [1, 2, 3, 4, 5]

    def test_supporting_open_ended_shows_etc(self, admin_client, sample):
        Task.objects.filter(pk=sample.tasks[2].pk).update(supporting_open_ended=True)
        html = admin_client.get(CHANGELIST, {"q": "2"}).content.decode()
        assert "市发改局、市财政局等" in html

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"lead": "fagai"}, [1, 3]),
            ({"lead": "nancheng"}, []),
            ({"supporting": "dongcheng"}, [1, 4]),
            ({"supporting": "xicheng"}, [1]),
            ({"supporting": "fagai"}, [2, 5]),
            ({"section": "chapter1"}, [1, 2, 3]),
            ({"section": "section11"}, [2, 3]),
            ({"kind__exact": "indicator"}, [2]),
            ({"binding__exact": "1"}, [2]),
            ({"deadline_year": "2022"}, [3]),
            ({"deadline_year": "2035"}, [5]),
            ({"plan__id__exact": "plan"}, [1, 2, 3, 4, 5]),
            ({"q": "3"}, [3]),
            ({"q": "数字经济"}, [2]),
            ({"q": "2022年"}, [3]),
        ],
    )
    def test_filters_and_search(self, admin_client, sample, params, expected):
        resolved = {
            key: str(getattr(sample, value).pk) if hasattr(sample, value) else value for key, value in params.items()
        }
        response = admin_client.get(CHANGELIST, resolved)
        assert listed_numbers(response) == expected

    def test_filter_sidebar_lists_units_sections_and_years(self, admin_client, sample):
        html = admin_client.get(CHANGELIST).content.decode()
        for text in ("牵头单位", "配合单位", "完成年份", "2022年", "2035年", "东城街道办", "二、重要举措"):
            assert text in html


class TestTaskChangePage:
    def test_change_page_shows_inlines_and_history(self, admin_client, sample):
        task = sample.tasks[4]
        response = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        for text in ("分工（牵头与配合单位）", "节点", "目标", "占位展开为", "推进城乡融合发展。"):
            assert text in html
        history = admin_client.get(reverse("admin:tasks_task_history", args=[task.pk]))
        assert history.status_code == 200

    def _post_data(self, task: Task, assignment_rows: list[dict]) -> dict:
        data = {
            "plan": task.plan_id,
            "number": task.number,
            "section": task.section_id or "",
            "kind": task.kind,
            "text": task.text,
            "deadline": "" if task.deadline is None else task.deadline.isoformat(),
            "deadline_text": task.deadline_text,
            "annotation": task.annotation,
            "assignments-TOTAL_FORMS": str(len(assignment_rows)),
            "assignments-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
        }
        for i, row in enumerate(assignment_rows):
            for key, value in row.items():
                data[f"assignments-{i}-{key}"] = value
        return data

    def test_assignment_needs_a_unit_or_a_group_not_both(self, admin_client, sample):
        task = TaskFactory(plan=sample.plan, number=99)
        url = reverse("admin:tasks_task_change", args=[task.pk])
        both = {
            "role": AssignmentRole.LEAD,
            "position": "0",
            "name_as_written": "各镇办",
            "department": str(sample.fagai.pk),
            "group": str(sample.all_towns.pk),
        }
        response = admin_client.post(url, self._post_data(task, [both]))
        assert response.status_code == 200
        assert "只能填写一个" in response.content.decode()
        assert not Assignment.objects.filter(task=task).exists()

        expanded_unit = {
            "role": AssignmentRole.LEAD,
            "position": "0",
            "name_as_written": "市发改局",
            "department": str(sample.fagai.pk),
            "expanded_to": [str(sample.dongcheng.pk)],
        }
        response = admin_client.post(url, self._post_data(task, [expanded_unit]))
        assert response.status_code == 200
        assert "无需展开" in response.content.decode()

    def test_section_must_belong_to_the_plan(self, admin_client, sample):
        other_plan_task = TaskFactory(plan=PlanFactory(), number=7)
        other_plan_task.section = sample.chapter1
        response = admin_client.post(
            reverse("admin:tasks_task_change", args=[other_plan_task.pk]), self._post_data(other_plan_task, [])
        )
        assert response.status_code == 200
        assert "所选章节不属于该方案" in response.content.decode()
        other_plan_task.refresh_from_db()
        assert other_plan_task.section_id is None

    def test_expanding_a_placeholder_in_the_admin_changes_who_supports(self, admin_client, sample):
        task = TaskFactory(plan=sample.plan, number=99)
        row = {
            "role": AssignmentRole.SUPPORTING,
            "position": "0",
            "name_as_written": "相关镇办",
            "group": str(sample.some_towns.pk),
            "expanded_to": [str(sample.xicheng.pk)],
        }
        response = admin_client.post(reverse("admin:tasks_task_change", args=[task.pk]), self._post_data(task, [row]))
        assert response.status_code == 302, response.content.decode()
        assignment = Assignment.objects.get(task=task)
        assert list(assignment.expanded_to.all()) == [sample.xicheng]
        assert listed_numbers(admin_client.get(CHANGELIST, {"supporting": str(sample.xicheng.pk)})) == [1, 99]


class TestPlanAndSectionAdmin:
    def test_plan_changelist_counts_tasks(self, admin_client, sample):
        response = admin_client.get(reverse("admin:tasks_plan_changelist"))
        assert response.status_code == 200
        html = response.content.decode()
        for text in ("方案名称", "文号", "印发日期", "规划期", "任务数", "测政办发〔2022〕20号", "2021—2025年"):
            assert text in html
        plan = response.context["cl"].result_list[0]
        assert plan.task_count == 5
        assert reverse("admin:tasks_plan_import") in html  # the import button

    def test_plan_change_page_lists_sections(self, admin_client, sample):
        response = admin_client.get(reverse("admin:tasks_plan_change", args=[sample.plan.pk]))
        assert response.status_code == 200
        assert "主要目标" in response.content.decode()

    def test_section_admin(self, admin_client, sample):
        response = admin_client.get(reverse("admin:tasks_section_changelist"), {"plan__id__exact": sample.plan.pk})
        assert response.status_code == 200
        assert "（一）主要目标" in response.content.decode()
        assert {s.title: s.task_count for s in response.context["cl"].result_list} == {
            "目标定位": 1,
            "主要目标": 2,
            "重要举措": 2,
        }
