"""`manage.py create_accounts`: the first admin account, printed once."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.http import HttpRequest

PASSWORD_LINE = re.compile(r"密码：(\S+)")


def run_command() -> str:
    out = StringIO()
    call_command("create_accounts", stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    passwords = PASSWORD_LINE.findall(output)
    assert len(passwords) == 1, output
    return passwords[0]


@pytest.mark.django_db
def test_first_run_creates_the_plan_office_superuser_and_prints_a_working_password():
    output = run_command()

    user = get_user_model().objects.get()
    assert user.username == "admin"
    assert user.is_staff and user.is_superuser and user.is_active
    password = printed_password(output)
    assert authenticate(HttpRequest(), username="admin", password=password) == user
    assert "http://127.0.0.1:8000/admin/" in output
    assert "用户名：admin" in output
    assert "仅显示这一次" in output


@pytest.mark.django_db
def test_second_run_creates_nothing_and_prints_no_password():
    first = printed_password(run_command())

    output = run_command()

    assert get_user_model().objects.count() == 1
    assert "已有用户" in output
    assert not PASSWORD_LINE.search(output)
    # The first password still works: the second run changed nothing.
    assert authenticate(HttpRequest(), username="admin", password=first) is not None


@pytest.mark.django_db
def test_does_nothing_when_any_user_exists():
    get_user_model().objects.create_user(username="clerk", password="x-Long-enough-1")

    output = run_command()

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["clerk"]
    assert not PASSWORD_LINE.search(output)


@pytest.mark.django_db
def test_two_installations_never_get_the_same_password():
    first = printed_password(run_command())
    get_user_model().objects.all().delete()

    second = printed_password(run_command())

    assert first != second
    assert len(first) >= 16 and len(second) >= 16
