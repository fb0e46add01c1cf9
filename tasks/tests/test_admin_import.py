"""The admin import: upload → preview (nothing written) → confirm; unknown units mapped or created."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department, DepartmentAlias
from departments.services import sync_units_from_fixture
from tasks.models import Assignment, Plan, Task
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

URL = "admin:tasks_plan_import"

# The fixture's units, loaded once per module where they may be (xingping_tracker.tests.sharing):
# every test here uses them.
_module_units, units = module_fixtures(sync_units_from_fixture, name="units")


@pytest.fixture
def office(client, units):
    user = get_user_model().objects.create_superuser("planner", password="x" * 12)
    client.force_login(user)
    return client


def upload(client, content: bytes, name: str = "plan.txt"):
    return client.post(reverse(URL), {"document": SimpleUploadedFile(name, content)})


def test_upload_page_is_chinese(office):
    response = office.get(reverse(URL))
    assert response.status_code == 200
    assert "解析并预览" in response.content.decode()


def test_preview_shows_what_will_change_and_writes_nothing(office, seed_text):
    response = upload(office, seed_text.encode())
    page = response.content.decode()
    assert response.status_code == 200
    assert "导入预览（尚未写入）" in page
    assert "新增任务 210 项" in page
    assert "缺少（三）、（四）的标题" in page
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


def test_confirm_writes_the_plan(office, seed_text):
    preview = upload(office, seed_text.encode())
    response = office.post(reverse(URL), {"confirm": "1", "sha": preview.context["sha"], "unit-TOTAL_FORMS": "0", "unit-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert response["Location"] == reverse("admin:tasks_plan_change", args=[plan.pk])
    assert plan.tasks.count() == 210
    assert Task.history.filter(history_user__username="planner").count() == 210


def test_reimport_preview_says_nothing_changes(office, seed_text):
    preview = upload(office, seed_text.encode())
    office.post(reverse(URL), {"confirm": "1", "sha": preview.context["sha"], "unit-TOTAL_FORMS": "0", "unit-INITIAL_FORMS": "0"})
    page = upload(office, seed_text.encode()).content.decode()
    assert "新增任务 0 项，更新 0 项，未变化 210 项" in page


def test_unknown_units_are_mapped_or_created_on_confirm(office):
    text = "某市方案\n1.建设数据中心。(牵头部门:市大数据局,配合部门:市财政局、数据公司)".encode()
    preview = upload(office, text)
    forms = preview.context["formset"].forms
    assert [f.initial["written"] for f in forms] == ["市大数据局", "数据公司"]
    info = Department.objects.get(name="市政务信息中心")
    response = office.post(
        reverse(URL),
        {
            "confirm": "1",
            "sha": preview.context["sha"],
            "unit-TOTAL_FORMS": "2",
            "unit-INITIAL_FORMS": "2",
            "unit-0-written": "市大数据局",
            "unit-0-action": "map",
            "unit-0-kind": "city_department",
            "unit-0-department": str(info.pk),
            "unit-1-written": "数据公司",
            "unit-1-action": "create",
            "unit-1-kind": "state_enterprise",
            "unit-1-department": "",
        },
    )
    assert response.status_code == 302
    assert DepartmentAlias.objects.get(alias="市大数据局").department == info
    assert Department.objects.get(name="数据公司").kind == "state_enterprise"
    assert Assignment.objects.filter(department__isnull=True, group__isnull=True).count() == 0


def test_map_without_a_unit_is_refused_in_chinese(office):
    text = "某市方案\n1.建设数据中心。(牵头部门:市大数据局)".encode()
    preview = upload(office, text)
    response = office.post(
        reverse(URL),
        {
            "confirm": "1",
            "sha": preview.context["sha"],
            "unit-TOTAL_FORMS": "1",
            "unit-INITIAL_FORMS": "1",
            "unit-0-written": "市大数据局",
            "unit-0-action": "map",
            "unit-0-kind": "city_department",
            "unit-0-department": "",
        },
    )
    assert response.status_code == 200
    assert "请指定对应的已有单位" in response.content.decode()
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", b"%PDF-1.4", "只能导入 .txt 或 .docx 文件"),
        ("plan.txt", b"", "空"),
        ("plan.txt", "没有编号任务的通知。".encode(), "没有找到编号任务"),
        ("plan.docx", b"not a zip at all \x00\x01", ""),
    ],
)
def test_bad_uploads_are_refused_and_write_nothing(office, name, content, message):
    response = upload(office, content, name)
    assert response.status_code == 200
    errors = response.context["form"].errors["document"]
    assert errors and message in " ".join(errors)
    assert Plan.objects.count() == 0


def test_stale_confirmation_is_refused(office):
    response = office.post(reverse(URL), {"confirm": "1", "sha": "0" * 64})
    assert response.status_code == 302
    assert Plan.objects.count() == 0


def test_staff_without_permission_cannot_import(client, units):  # the units too, so the module shares them
    user = get_user_model().objects.create_user("clerk", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 403


CO_LEADS = (
    "2024年重点工作任务分工方案\n"
    "1.新建高标准农田3万亩。(责任单位:市农业农村局、市财政局)\n"
    "2.完成国土空间总体规划报批。（牵头单位：市自然资源局；完成时限：尽快）\n"
    "3.建设人才公寓1000套。（责任领导：张明；牵头单位：市住建局）\n"
).encode()


def test_preview_asks_for_what_the_parser_could_not_decide(office):
    page = upload(office, CO_LEADS).content.decode()
    assert "需要确认的任务（2 项）" in page
    assert 'name="decide-0-lead" value="市农业农村局、市财政局"' in page
    assert "张明" in page  # responsible leaders are shown, as people
    assert Plan.objects.count() == 0


def test_decisions_are_applied_on_confirm(office):
    preview = upload(office, CO_LEADS)
    response = office.post(
        reverse(URL),
        {
            "confirm": "1",
            "sha": preview.context["sha"],
            "unit-TOTAL_FORMS": "0",
            "unit-INITIAL_FORMS": "0",
            "decide-TOTAL_FORMS": "2",
            "decide-INITIAL_FORMS": "2",
            "decide-0-number": "1",
            "decide-0-lead": "市农业农村局",
            "decide-0-supporting": "市财政局",
            "decide-1-number": "2",
            "decide-1-lead": "市自然资源局",
            "decide-1-supporting": "",
            "decide-1-deadline": "2024-06-30",
        },
    )
    assert response.status_code == 302
    tasks = {t.number: t for t in Task.objects.prefetch_related("assignments__department")}
    roles = [(a.role, a.department.name) for a in tasks[1].assignments.order_by("role", "position")]
    assert roles == [("lead", "市农业农村局"), ("supporting", "市财政局")]
    assert str(tasks[2].deadline) == "2024-06-30"
    assert tasks[3].responsible_leaders == "张明"
    assert not Department.objects.filter(name="张明").exists()


def test_a_bad_decision_is_refused_in_chinese_and_writes_nothing(office):
    preview = upload(office, CO_LEADS)
    response = office.post(
        reverse(URL),
        {
            "confirm": "1",
            "sha": preview.context["sha"],
            "unit-TOTAL_FORMS": "0",
            "unit-INITIAL_FORMS": "0",
            "decide-TOTAL_FORMS": "2",
            "decide-INITIAL_FORMS": "2",
            "decide-0-number": "1",
            "decide-0-lead": "市农业农村局",
            "decide-1-number": "2",
            "decide-1-lead": "市自然资源局",
            "decide-1-deadline": "六月底",
        },
    )
    assert response.status_code == 200
    assert "日期" in response.content.decode()
    assert Plan.objects.count() == 0
