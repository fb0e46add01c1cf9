"""The drafting pages: upload → candidates with suggestions → edit → accept; exports; who may use them."""

import io

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.roles import LEADERSHIP_GROUP, PLAN_OFFICE_GROUP
from drafting import selectors
from drafting.models import Draft, DraftStatus
from drafting.services import create_draft
from tasks.models import Plan

pytestmark = pytest.mark.django_db


def user_in(group_name, username):
    user = get_user_model().objects.create_user(username, password="x" * 12)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def office(client, seed_plan):
    client.force_login(user_in(PLAN_OFFICE_GROUP, "guihua"))
    return client


@pytest.fixture
def draft(seed_plan, hanzhong_report):
    return create_draft(
        text=hanzhong_report, title="汉中市2024年重点工作任务分工方案", suggester=selectors.suggester(), year=2024
    )


def test_upload_creates_a_draft_and_shows_its_candidates(office, ankang_report):
    response = office.post(
        reverse("drafting:home"),
        {"title": "安康市2022年重点工作任务分工方案", "report": SimpleUploadedFile("报告.txt", ankang_report.encode())},
    )
    draft = Draft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("drafting:detail", args=[draft.pk])
    page = office.get(response["Location"]).content.decode()
    assert "新建高标准茶园2万亩" in page
    assert "相似任务" in page and "相似度" in page
    assert draft.tasks.count() == 46


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", b"%PDF-1.4", "只能上传 .txt 或 .docx 文件"),
        ("报告.txt", "各位代表：现在我代表市政府报告工作。".encode(), "没有找到可作为任务的内容"),
    ],
)
def test_bad_uploads_are_refused_in_chinese_and_write_nothing(office, name, content, message):
    response = office.post(reverse("drafting:home"), {"title": "方案", "report": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Draft.objects.exists()


def test_detail_page_query_count_does_not_grow_with_candidates(office, draft):
    url = reverse("drafting:detail", args=[draft.pk])
    office.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = office.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('name="task-') >= 51 * 5
    # session, user, permissions (2), the draft, its candidates, the top bar (membership, unread notices):
    # a constant, not one per candidate.
    assert len(queries) <= 12


def _edit_post(draft, changes):
    data = {"task-TOTAL_FORMS": str(draft.tasks.count()), "task-INITIAL_FORMS": str(draft.tasks.count())}
    for index, task in enumerate(draft.tasks.order_by("position")):
        values = {
            "id": task.pk,
            "included": "on" if task.included else "",
            "text": task.text,
            "lead": task.lead,
            "supporting": task.supporting,
        }
        values.update(changes.get(task.position, {}))
        for key, value in values.items():
            if key == "included" and not value:
                continue
            data[f"task-{index}-{key}"] = value
    return data


def test_edit_then_accept_then_export(office, draft):
    url = reverse("drafting:detail", args=[draft.pk])
    changes = {p: {"included": ""} for p in range(3, 52)}
    changes[1] = {"lead": "市农业农村局", "supporting": "各镇办"}
    changes[2] = {"text": "=1+1 启动“四好农村路”国家示范市创建", "lead": "市交通运输局"}
    assert office.post(url, _edit_post(draft, changes)).status_code == 302
    response = office.post(reverse("drafting:accept", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ACCEPTED
    assert list(draft.plan.tasks.order_by("number").values_list("number", flat=True)) == [1, 2]

    workbook = openpyxl.load_workbook(io.BytesIO(office.get(reverse("drafting:export_xlsx", args=[draft.pk])).getvalue()))
    sheet = workbook.active
    assert [c.value for c in sheet[2]] == ["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "量化目标"]
    assert sheet["C3"].value == "市农业农村局" and sheet["D3"].value == "各镇办"
    assert sheet["B4"].value.startswith("=1+1") and sheet["B4"].data_type == "s" and sheet["B4"].quotePrefix
    assert sheet.max_row == 4

    response = office.get(reverse("drafting:export_docx", args=[draft.pk]))
    document = docx.Document(io.BytesIO(response.getvalue()))
    table = document.tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == [
        "1",
        draft.tasks.get(position=1).text,
        "市农业农村局",
        "各镇办",
    ]
    assert len(table.rows) == 3

    # Once accepted, edits are refused in Chinese and write nothing.
    response = office.post(url, _edit_post(draft, {1: {"lead": "市发改局"}}))
    assert response.status_code == 400 and "已生成方案" in response.content.decode()
    assert draft.tasks.get(position=1).lead == "市农业农村局"


def test_a_bad_edit_writes_nothing(office, draft):
    url = reverse("drafting:detail", args=[draft.pk])
    response = office.post(url, _edit_post(draft, {1: {"lead": "市财政局"}, 2: {"lead": ""}}))
    assert response.status_code == 400
    assert "第2条：请填写牵头单位" in response.content.decode()
    assert draft.tasks.get(position=1).lead != "市财政局"


@pytest.mark.parametrize("name", ["drafting:home", "drafting:detail", "drafting:export_xlsx", "drafting:export_docx"])
def test_only_the_plan_office_drafts(client, draft, name):
    client.force_login(user_in(LEADERSHIP_GROUP, "lingdao"))
    url = reverse(name) if name == "drafting:home" else reverse(name, args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "仅限规划科" in response.content.decode()
    assert client.post(reverse("drafting:accept", args=[draft.pk])).status_code == 403
    assert not Plan.objects.filter(title=draft.title).exists()


def test_signed_out_users_are_sent_to_sign_in(client, draft):
    response = client.get(reverse("drafting:detail", args=[draft.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
