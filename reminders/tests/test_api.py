"""The reminders API: every route per role (unit clerk, unit head, plan office, leader, nobody, anonymous),
own notifications only, marking read, the send log's filters, constant query counts, and the schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from progress.tests.factories import build_world
from reminders.models import Channel, Delivery, DeliveryStatus, Notification, ReminderKind
from reminders.tests.page_helpers import make_delivery, make_notification, make_reminder, needs_retry
from xingping_tracker.tests.sharing import module_fixtures

pytestmark = pytest.mark.django_db

ROLES = ["gongxin_clerk", "gongxin_head", "plan_office", "leader", "nobody", "anonymous"]


_module_world, world = module_fixtures(build_world, name="world")


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def as_role(world, role) -> APIClient:
    return api(None if role == "anonymous" else getattr(world, role))


def _snapshot():
    return (
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(Delivery.objects.order_by("pk").values_list("pk", "status", "attempts")),
    )


# --- the permission matrix --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_notification_list_per_role(world, role):
    mine = {r: make_notification(getattr(world, r), title=f"给{r}的通知") for r in ROLES if r != "anonymous"}
    response = as_role(world, role).get("/api/notifications/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine[role].pk]


@pytest.mark.parametrize("role", ROLES)
def test_mark_read_per_role(world, role):
    """Each role marks its own notification (200) and gets 404 for the clerk's; the anonymous gets 401."""
    clerks = make_notification(world.gongxin_clerk)
    own = make_notification(getattr(world, role)) if role != "anonymous" else None
    client = as_role(world, role)

    response = client.post(f"/api/notifications/{clerks.pk}/read/")

    clerks.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 401 and clerks.read_at is None
        return
    if role == "gongxin_clerk":
        assert response.status_code == 200 and response.json()["is_read"] is True
        assert clerks.read_at is not None
        return
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert clerks.read_at is None
    response = client.post(f"/api/notifications/{own.pk}/read/")
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.read_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_read_all_per_role(world, role):
    for r in ROLES:
        if r != "anonymous":
            make_notification(getattr(world, r))
            make_notification(getattr(world, r))
    before = _snapshot()
    response = as_role(world, role).post("/api/notifications/read-all/")
    if role == "anonymous":
        assert response.status_code == 401
        assert _snapshot() == before
        return
    assert response.status_code == 200 and response.json() == {"marked": 2}
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("user__username", flat=True))
    assert unread == {r for r in ROLES if r not in ("anonymous", role)}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("gongxin_clerk", 403), ("gongxin_head", 403), ("plan_office", 200), ("leader", 200), ("nobody", 403),
     ("anonymous", 401)],
)
def test_delivery_list_per_role(world, role, expected):
    make_delivery(world, status=DeliveryStatus.FAILED)
    response = as_role(world, role).get("/api/reminder-deliveries/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 1
    if expected == 403:
        assert response.json() == {"code": "permission_denied", "detail": "只有规划科和市领导可以查看提醒的发送记录。"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("gongxin_clerk", 403), ("gongxin_head", 403), ("leader", 403), ("nobody", 403), ("anonymous", 401)],
)
def test_retry_refused_per_role(world, role, expected):
    failed = make_delivery(world, status=DeliveryStatus.FAILED)
    before = _snapshot()
    response = as_role(world, role).post(f"/api/reminder-deliveries/{failed.pk}/retry/")
    assert response.status_code == expected
    assert _snapshot() == before


def test_retry_by_the_plan_office(world, mailoutbox):
    needs_retry()
    failed = make_delivery(world, status=DeliveryStatus.FAILED, channel=Channel.EMAIL)
    response = api(world.plan_office).post(f"/api/reminder-deliveries/{failed.pk}/retry/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == failed.pk
    failed.refresh_from_db()
    assert body["status"] == failed.status
    assert failed.status != DeliveryStatus.FAILED or failed.attempts > 1


def test_retry_of_a_sent_delivery_is_refused(world):
    needs_retry()
    sent = make_delivery(world, status=DeliveryStatus.SENT)
    response = api(world.plan_office).post(f"/api/reminder-deliveries/{sent.pk}/retry/")
    assert response.status_code in (400, 409)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 1)


def test_unknown_ids_are_not_found(world):
    needs_retry()
    client = api(world.plan_office)
    assert client.post("/api/notifications/999999/read/").status_code == 404
    assert client.post("/api/notifications/abc/read/").status_code == 404
    assert client.post("/api/reminder-deliveries/999999/retry/").status_code == 404


def test_reading_routes_refuse_other_methods(world):
    notification = make_notification(world.gongxin_clerk)
    client = api(world.gongxin_clerk)
    assert client.get(f"/api/notifications/{notification.pk}/read/").status_code == 405
    assert client.delete(f"/api/notifications/{notification.pk}/").status_code in (404, 405)
    assert client.post("/api/notifications/", {"title": "伪造"}, format="json").status_code == 405
    assert Notification.objects.count() == 1


# --- content ----------------------------------------------------------------------------------


def test_notification_fields_and_first_read_time_kept(world):
    notification = make_notification(world.gongxin_clerk, title="报送提醒", link="/?period=2")
    client = api(world.gongxin_clerk)
    row = client.get("/api/notifications/").json()["results"][0]
    assert row | {"created_at": None} == {
        "id": notification.pk, "kind": "reminder", "title": "报送提醒", "body": notification.body, "link": "/?period=2",
        "created_at": None, "read_at": None, "is_read": False, "reminder": None,
    }
    assert row["created_at"].endswith("+08:00")
    first = client.post(f"/api/notifications/{notification.pk}/read/").json()["read_at"]
    again = client.post(f"/api/notifications/{notification.pk}/read/").json()["read_at"]
    assert first == again and first.endswith("+08:00")


def test_delivery_fields(world):
    reminder = make_reminder(world, stage="wd_before_7")
    failed = make_delivery(world, reminder=reminder, channel=Channel.WECOM, status=DeliveryStatus.FAILED, attempts=5,
                           recipients="市工信局工作群机器人")
    row = api(world.leader).get("/api/reminder-deliveries/").json()["results"][0]
    assert row["id"] == failed.pk
    assert row["reminder"] == {
        "id": reminder.pk, "title": reminder.title, "kind": "report_due", "kind_display": "报送提醒",
        "stage": "wd_before_7", "stage_display": "截止前第7个工作日", "decided_on": "2024-12-30",
        "period": {"id": world.h2.pk, "name": "2024年下半年"}, "department": {"id": world.gongxin.pk, "name": "市工信局"},
    }
    assert (row["channel"], row["channel_display"], row["status"], row["status_display"]) == (
        "wecom", "企业微信群机器人", "failed", "发送失败"
    )
    assert row["recipients"] == ["市工信局工作群机器人"] and row["attempts"] == 5
    assert "errcode 93000" in row["last_error"]


def test_delivery_filters(world):
    gx = make_reminder(world)
    meeting = make_reminder(world, department=None, kind=ReminderKind.MEETING, stage="meeting", period=world.h1)
    make_delivery(world, reminder=gx, channel=Channel.EMAIL, status=DeliveryStatus.SENT)
    make_delivery(world, reminder=gx, channel=Channel.WECOM, status=DeliveryStatus.FAILED)
    make_delivery(world, reminder=meeting, channel=Channel.INAPP, status=DeliveryStatus.SENT)
    client = api(world.plan_office)

    def ids(**params):
        response = client.get("/api/reminder-deliveries/", params)
        assert response.status_code == 200
        return {(row["reminder"]["id"], row["channel"]) for row in response.json()["results"]}

    assert len(ids()) == 3
    assert ids(status="failed") == {(gx.pk, "wecom")}
    assert ids(channel="inapp") == {(meeting.pk, "inapp")}
    assert ids(kind="meeting") == {(meeting.pk, "inapp")}
    assert ids(period=world.h2.pk) == {(gx.pk, "email"), (gx.pk, "wecom")}
    assert ids(unit=world.gongxin.pk, status="sent") == {(gx.pk, "email")}
    assert ids(unit=world.fagai.pk) == set()


def test_invalid_delivery_filter_is_a_400(world):
    response = api(world.plan_office).get("/api/reminder-deliveries/", {"status": "lost", "unit": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"status", "unit"}


# --- query counts -----------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    client.get(url)  # warm: the forced user object caches its roles after the first request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_list_query_counts_are_constant(world):
    units = [world.gongxin, world.fagai, world.caizheng]

    def add(count):
        for i in range(count):
            reminder = make_reminder(world, department=units[i % 3], period=world.h1 if i % 2 else world.h2)
            make_delivery(world, reminder=reminder)
            make_notification(world.gongxin_clerk, reminder=reminder)

    clerk, office = api(world.gongxin_clerk), api(world.plan_office)
    add(5)
    few = (_count_queries(clerk, "/api/notifications/"), _count_queries(office, "/api/reminder-deliveries/"))
    add(45)
    many = (_count_queries(clerk, "/api/notifications/"), _count_queries(office, "/api/reminder-deliveries/"))
    assert few == many
    assert many[0] <= 4 and many[1] <= 8
    assert len(clerk.get("/api/notifications/").json()["results"]) == 50


# --- the schema -------------------------------------------------------------------------------


@pytest.mark.no_rows
def test_the_schema_documents_the_reminders_api(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    for path in (
        "/api/notifications/",
        "/api/notifications/{id}/read/",
        "/api/notifications/read-all/",
        "/api/reminder-deliveries/",
        "/api/reminder-deliveries/{id}/retry/",
    ):
        assert f"{path}:" in schema
    for text in ("催办提醒", "我的通知", "提醒发送记录", "name: channel", "name: kind", "name: unit", "截止前第7个工作日"):
        assert text in schema
