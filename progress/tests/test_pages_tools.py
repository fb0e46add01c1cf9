"""The search (tasks by number, text, unit), the password change page and the print view of one
task, through the Django test client, with the tasks each user may see taken from the access rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from departments.tests.factories import DepartmentAliasFactory
from progress.models import ReportStatus
from progress.tests.factories import ProgressReportFactory
from progress.tests.test_services_reports import submitted
from tasks.tests.factories import LeadFactory, MilestoneFactory, TaskFactory

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "测试密码-123"  # departments.tests.factories.UserFactory


def found_numbers(client, user, term: str) -> list[int]:
    client.force_login(user)
    response = client.get(reverse("progress:search"), {"q": term})
    assert response.status_code == 200
    return [task.number for task in response.context["page"].object_list]


# --- search ------------------------------------------------------------------------------------


def test_search_by_number_puts_that_task_first_and_accepts_di_xiang(client, world):
    assert found_numbers(client, world.plan_office, "4")[0] == 4
    assert found_numbers(client, world.plan_office, "第4项") == [4]
    # "2" is task 2's number and appears in task 3's text (到2022年) and task 2's (5%… no): number first
    numbers = found_numbers(client, world.plan_office, "2")
    assert numbers[0] == 2 and 3 in numbers


def test_search_by_text(client, world):
    assert found_numbers(client, world.plan_office, "城乡融合") == [4]
    assert found_numbers(client, world.plan_office, "  示范园区 ") == [3]


def test_search_by_unit_name_alias_and_placeholder(client, world):
    assert found_numbers(client, world.plan_office, "市工信局") == [2]
    DepartmentAliasFactory(department=world.gongxin, alias="数字产业办")
    assert found_numbers(client, world.plan_office, "数字产业办") == [2]
    # 东城 counts for task 1 (the fixed group 各镇办) and task 4 (各镇办 expanded to 东城)
    assert found_numbers(client, world.plan_office, "东城") == [1, 4]
    # how the document names the unit: the placeholder itself
    assert found_numbers(client, world.plan_office, "各镇办") == [1, 4]
    # 南城镇 is a candidate of 相关镇办 but counts only where it was chosen (task 3)
    assert found_numbers(client, world.plan_office, "南城镇") == [3]


def test_empty_or_missing_term_finds_nothing_and_says_what_to_type(client, world):
    client.force_login(world.plan_office)
    for params in ({}, {"q": "   "}):
        response = client.get(reverse("progress:search"), params)
        assert response.status_code == 200 and response.context["page"] is None
        assert "请输入任务编号" in response.content.decode()


def test_no_match_says_so(client, world):
    client.force_login(world.plan_office)
    page = client.get(reverse("progress:search"), {"q": "不存在的词"}).content.decode()
    assert "没有找到您可查看的相关任务" in page


def test_search_query_count_does_not_grow_with_the_results(client, world, django_assert_max_num_queries):
    client.force_login(world.fagai_clerk)
    url = reverse("progress:search")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": "市发改局"})
        return len(queries), response.context["page"].paginator.count

    few_queries, few = count()
    for number in range(100, 125):
        LeadFactory(task=TaskFactory(plan=world.plan, section=world.chapter2, number=number), department=world.fagai)
    many_queries, many = count()
    assert (few, many) == (4, 29)  # 20 on the first page
    assert many_queries == few_queries
    # session, user, two permission reads, the actor, the matching units, count, rows, their units,
    # unread notifications, 2 savepoints
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "市发改局", "page": "2"})
    assert len(response.context["page"].object_list) == 9


def test_pages_past_the_end_show_the_last_page(client, world):
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:search"), {"q": "市", "page": "99"})
    assert response.status_code == 200 and response.context["page"].number == 1


def test_the_top_bar_has_the_search_box_and_the_password_link(client, world):
    client.force_login(world.gongxin_clerk)
    page = client.get(reverse("progress:home")).content.decode()
    assert f'action="{reverse("progress:search")}"' in page and 'name="q"' in page
    assert f'href="{reverse("progress:password_change")}">修改密码</a>' in page
    # signed out: neither
    client.logout()
    page = client.get(reverse("login")).content.decode()
    assert "修改密码" not in page and 'role="search"' not in page


# --- password change ---------------------------------------------------------------------------


def password_post(client, *, old: str = OLD_PASSWORD, new: str = "兴平督办-2026春", again: str | None = None):
    return client.post(
        reverse("progress:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new if again is None else again},
    )


def test_password_change_page_is_the_products_own_in_chinese(client, world):
    client.force_login(world.gongxin_clerk)
    response = client.get(reverse("progress:password_change"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>修改密码</h1>" in page and "Django" not in page
    assert "旧密码" in page and "新密码" in page
    assert "<style" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_a_wrong_old_password_is_refused_in_chinese_and_changes_nothing(client, world):
    client.force_login(world.gongxin_clerk)
    token = Token.objects.create(user=world.gongxin_clerk)
    response = password_post(client, old="不对的密码")
    assert response.status_code == 400
    assert "旧密码不正确" in response.content.decode()
    world.gongxin_clerk.refresh_from_db()
    assert world.gongxin_clerk.check_password(OLD_PASSWORD)
    assert Token.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("abc12", None, "密码长度太短"),
        ("12345678901", None, "只包含数字"),
        ("password123", None, "太常见"),
        ("兴平督办-2026春", "兴平督办-2026夏", "不一致"),
    ],
)
def test_the_password_validators_apply(client, world, new, again, message):
    client.force_login(world.gongxin_clerk)
    response = password_post(client, new=new, again=again)
    assert response.status_code == 400
    assert message in response.content.decode()
    world.gongxin_clerk.refresh_from_db()
    assert world.gongxin_clerk.check_password(OLD_PASSWORD)


def test_a_password_change_deletes_the_api_tokens_and_keeps_the_session(client, world):
    client.force_login(world.gongxin_clerk)
    Token.objects.create(user=world.gongxin_clerk)
    other = Token.objects.create(user=world.fagai_clerk)
    response = password_post(client)
    assert response.status_code == 302 and response["Location"] == reverse("progress:password_change")
    user = get_user_model().objects.get(pk=world.gongxin_clerk.pk)
    assert user.check_password("兴平督办-2026春")
    assert not Token.objects.filter(user=user).exists()
    assert Token.objects.filter(pk=other.pk).exists()
    # still signed in
    page = client.get(reverse("progress:password_change"))
    assert page.status_code == 200 and "密码已修改" in page.content.decode()
    assert client.get(reverse("progress:home")).status_code == 200


# --- the print view ----------------------------------------------------------------------------


def test_the_print_view_shows_text_units_milestones_targets_and_the_latest_reports(client, world):
    MilestoneFactory(task=world.tasks[2], text="建成工业互联网平台。")
    ProgressReportFactory(
        task=world.tasks[2],
        department=world.gongxin,
        period=world.h1,
        status=ReportStatus.ACCEPTED,
        progress_text="上半年旧进展。",
    )
    submitted(world)  # 2024年下半年: 数字经济核心产业增加值占比达到4.2%。
    client.force_login(world.plan_office)
    response = client.get(reverse("progress:task_print", args=[world.tasks[2].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数字经济核心产业增加值占GDP比重达到5%。" in page
    assert "牵头单位</dt><dd>市工信局" in page and "市发改局" in page and "市财政局" in page
    assert "建成工业互联网平台。" in page
    assert world.target.indicator in page
    assert "最新报告（2024年下半年）" in page
    assert "数字经济核心产业增加值占比达到4.2%。" in page and "龙头企业偏少。" in page
    assert "上半年旧进展。" not in page
    assert "progress/task_print.css" in page and "progress/task_print.js" in page
    assert "<style" not in page and " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    # the task page links to it
    detail = client.get(reverse("progress:task_detail", args=[world.tasks[2].pk])).content.decode()
    assert reverse("progress:task_print", args=[world.tasks[2].pk]) in detail


def test_the_print_view_shows_only_reports_the_user_may_see(client, world):
    from progress.tests.test_services_reports import started

    started(world)  # 市工信局's draft: not for 市发改局's clerk
    client.force_login(world.fagai_clerk)
    page = client.get(reverse("progress:task_print", args=[world.tasks[2].pk])).content.decode()
    assert "暂无可查看的报告" in page
    client.force_login(world.gongxin_clerk)
    page = client.get(reverse("progress:task_print", args=[world.tasks[2].pk])).content.decode()
    assert "市工信局 · 草稿" in page


def test_the_print_view_of_a_task_the_user_may_not_see_is_404(client, world):
    client.force_login(world.nancheng_clerk)
    assert client.get(reverse("progress:task_print", args=[world.tasks[2].pk])).status_code == 404
    assert client.get(reverse("progress:task_print", args=[999999])).status_code == 404


@pytest.mark.no_rows
def test_the_print_stylesheet_hides_the_navigation_and_sets_print_sizes():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("progress/task_print.css")).read_text(encoding="utf-8")
    print_block = css[css.index("@media print") :]
    assert ".topbar" in print_block and "display: none" in print_block
    assert re.search(r"body \{[^}]*font-size: 1[01]pt", print_block)
    assert "@page { size: A4" in css
