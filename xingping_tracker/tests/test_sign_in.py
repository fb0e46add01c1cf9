"""Signing in resists guessing: repeated wrong passwords lock the account and the address out (the
login page and the API token endpoint alike) with a Chinese message, the plan office unlocks in the
admin; an API token stops working when its user's password changes, when the user is deactivated
and when it is older than its lifetime; no password-reset page without the product's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from departments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "正确的密码-2025"
LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"
PROTECTED = "/api/tasks/"
LOCKED = "登录失败次数过多"


@pytest.fixture
def limit(settings) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def person(username: str):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def page_login(username: str, password: str, *, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def token_login(username: str, password: str, *, address: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password}, format="json")


def signed_in(response) -> bool:
    return response.status_code == 302 and LOGIN not in response["Location"]


def test_the_login_page_locks_an_account_out_after_repeated_failures(limit):
    person("zhangsan")
    person("lisi")
    for attempt in range(limit - 1):
        response = page_login("zhangsan", f"猜{attempt}", address=f"10.0.1.{attempt}")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    # The failure that reaches the limit is told at once.
    assert page_login("zhangsan", "猜", address="10.0.1.99").status_code == 429
    # From yet another address and with the right password: the account is locked.
    response = page_login("zhangsan", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "规划科" in html and "分钟" in html
    assert 'lang="zh-Hans"' in html  # the product's page, not a bare text
    # Others sign in as usual.
    assert signed_in(page_login("lisi", PASSWORD, address="10.0.2.2"))


def test_the_login_page_locks_an_address_out_after_failures_on_many_accounts(limit):
    person("wangwu")
    for attempt in range(limit):
        page_login(f"不存在的人{attempt}", "猜", address="10.0.3.3")
    response = page_login("wangwu", PASSWORD, address="10.0.3.3")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert signed_in(page_login("wangwu", PASSWORD, address="10.0.3.4"))


def test_the_token_endpoint_locks_out_by_account_and_by_address(limit):
    person("zhaoliu")
    person("sunqi")
    for attempt in range(limit - 1):
        response = token_login("zhaoliu", f"猜{attempt}", address=f"10.0.4.{attempt}")
        assert response.status_code == 400
    assert token_login("zhaoliu", "猜", address="10.0.4.99").status_code == 429
    locked = token_login("zhaoliu", PASSWORD, address="10.0.4.100")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out" and LOCKED in locked.json()["detail"]
    assert "token" not in locked.json()
    for attempt in range(limit):
        token_login(f"不存在的人{attempt}", "猜", address="10.0.5.5")
    assert token_login("sunqi", PASSWORD, address="10.0.5.5").status_code == 429
    assert token_login("sunqi", PASSWORD, address="10.0.5.6").status_code == 200


def test_failures_are_shared_by_the_page_and_the_api(limit):
    person("zhouba")
    for attempt in range(limit - 1):
        page_login("zhouba", f"猜{attempt}", address=f"10.0.6.{attempt}")
    token_login("zhouba", "猜", address="10.0.6.99")
    assert page_login("zhouba", PASSWORD, address="10.0.6.100").status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(limit):
    person("wujiu")
    for _ in range(2):
        for attempt in range(limit - 1):
            page_login("wujiu", f"猜{attempt}")
        assert signed_in(page_login("wujiu", PASSWORD))


def test_the_lock_out_ends_after_the_cool_off(limit, settings):
    from axes.models import AccessAttempt

    person("zhengshi")
    for attempt in range(limit):
        page_login("zhengshi", f"猜{attempt}")
    assert page_login("zhengshi", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert signed_in(page_login("zhengshi", PASSWORD))


def test_the_plan_office_unlocks_in_the_admin_in_chinese(limit):
    from axes.models import AccessAttempt

    person("locked")
    for attempt in range(limit):
        page_login("locked", f"猜{attempt}")
    assert page_login("locked", PASSWORD).status_code == 429
    admin = get_user_model().objects.create_superuser("admin", password="管理员的密码-2025")
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "登录失败记录" in html and "用户名" in html and "失败次数" in html
    for english in ("Access attempts", "Failed Logins", "Attempt Time", "Locked Out"):
        assert english not in html, english
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录锁定" in index
    attempts = list(AccessAttempt.objects.filter(username="locked").values_list("pk", flat=True))
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="locked").exists()
    assert signed_in(page_login("locked", PASSWORD))


def _token_for(user) -> str:
    response = token_login(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _with_token(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(PROTECTED)


def test_a_token_stops_working_when_the_password_changes():
    user = person("qianyi")
    key = _token_for(user)
    assert _with_token(key).status_code == 200
    user.set_password("新的密码-2026")
    user.save()
    response = _with_token(key)
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]
    assert not Token.objects.filter(key=key).exists()


def test_a_token_stops_working_when_the_user_is_deactivated():
    user = person("tianer")
    key = _token_for(user)
    user.is_active = False
    user.save()
    response = _with_token(key)
    assert response.status_code == 401 and "令牌" in response.json()["detail"]


def test_a_token_expires(settings):
    settings.API_TOKEN_TTL_HOURS = 2
    user = person("jiangsan")
    key = _token_for(user)
    assert _with_token(key).status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(hours=2, minutes=1))
    response = _with_token(key)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    # Signing in again gives a new token that works.
    fresh = _token_for(user)
    assert fresh != key and _with_token(fresh).status_code == 200


def test_saving_a_user_without_touching_the_password_keeps_the_token():
    user = person("keepme")
    key = _token_for(user)
    user.first_name = "保留"
    user.save()
    assert _with_token(key).status_code == 200


def test_no_password_reset_page_without_the_products_own():
    assert Client().get("/accounts/password_reset/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    login = Client().get(LOGIN).content.decode()
    assert "忘记密码" in login and "规划科" in login


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, limit):
    """A client cannot pick its address by sending X-Forwarded-For itself: the proxy appends the one it saw."""
    from django.test import RequestFactory

    from xingping_tracker.core.sign_in import client_address

    request = RequestFactory().post(LOGIN, REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "172.18.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"
    person("behindproxy")
    for attempt in range(limit):
        Client(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR=f"9.9.9.{attempt}, 203.0.113.9").post(
            LOGIN, {"username": f"不存在的人{attempt}", "password": "猜"}
        )
    spoofing = Client(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.9")
    assert spoofing.post(LOGIN, {"username": "behindproxy", "password": PASSWORD}).status_code == 429
    proxied = Client(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.10")
    assert signed_in(proxied.post(LOGIN, {"username": "behindproxy", "password": PASSWORD}))
