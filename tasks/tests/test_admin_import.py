"""The admin import: upload → preview (nothing written) → confirm; unknown units mapped or created."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department, DepartmentAlias
from departments.services import sync_units_from_fixture
from tasks.models import Assignment, Plan, Task

pytestmark = pytest.mark.django_db

URL = "admin:tasks_plan_import"


@pytest.fixture
def office(client):
    sync_units_from_fixture()
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


def test_staff_without_permission_cannot_import(client, db):
    user = get_user_model().objects.create_user("clerk", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 403
