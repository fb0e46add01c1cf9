"""The admin actions 下载会议材料 / 导出台账 and the board's download buttons."""

from __future__ import annotations

from urllib.parse import unquote

from django.contrib.admin import helpers
from django.urls import reverse

from exports.tests.conftest import open_workbook
from exports.tests.test_downloads import ledger_numbers


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def post_action(client, user, url, action, pks):
    client.force_login(staff(user))
    response = client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_period_action_downloads_the_meeting_pack(pack_world, client):
    url = reverse("admin:progress_reviewperiod_changelist")
    response, body = post_action(client, pack_world.plan_office, url, "download_meeting_pack", [pack_world.h2.pk])
    assert response.status_code == 200 and "会议材料" in unquote(response["Content-Disposition"])
    assert open_workbook(body).sheetnames[:2] == ["封面汇总", "逾期及风险任务"]
    response, _ = post_action(client, pack_world.plan_office, url, "download_meeting_pack", [pack_world.h1.pk, pack_world.h2.pk])
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "请只选择一个填报期再下载会议材料。" in messages


def test_the_task_action_exports_the_selected_tasks(pack_world, client):
    url = reverse("admin:tasks_task_changelist")
    chosen = [pack_world.tasks[4].pk, pack_world.tasks[2].pk]
    response, body = post_action(client, pack_world.plan_office, url, "export_ledger", chosen)
    assert response.status_code == 200
    assert ledger_numbers(body) == ["2", "4"]  # in plan order, for the open period 2024年下半年
    assert "2024年下半年" in open_workbook(body)["台账"]["A1"].value


def test_the_board_links_both_downloads_for_its_period(pack_world, client):
    client.force_login(pack_world.plan_office)
    board = reverse("progress:period_board", args=[pack_world.h2.pk])
    html = client.get(board).content.decode()
    assert f'{reverse("exports:ledger")}?period={pack_world.h2.pk}"' in html and "下载台账" in html
    assert f'{reverse("exports:meeting_pack")}?period={pack_world.h2.pk}"' in html and "下载会议材料" in html
    html = client.get(board, {"unit": pack_world.fagai.pk}).content.decode()
    assert f"?period={pack_world.h2.pk}&amp;unit={pack_world.fagai.pk}" in html
