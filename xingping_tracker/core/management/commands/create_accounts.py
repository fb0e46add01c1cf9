"""`manage.py create_accounts`: the first accounts of a new installation.

On an empty user table it creates the plan office superuser ``admin`` with a random password
and prints the login address, the user name and the password once. When any user exists it
does nothing. The accounts are a list of ``AccountSpec``: demo accounts per unit join it later.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand
from django.db import transaction

LOGIN_URL = "http://127.0.0.1:8000/admin/"


@dataclass(frozen=True, kw_only=True)
class AccountSpec:
    username: str
    role: str  # who the account is for, shown to the person (Chinese)
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True, kw_only=True)
class CreatedAccount:
    spec: AccountSpec
    password: str  # plain text, only for printing once


PLAN_OFFICE_ADMIN = AccountSpec(
    username="admin",
    role="规划办（市发改局规划科）管理员",
    is_staff=True,
    is_superuser=True,
)


def initial_account_specs() -> list[AccountSpec]:
    """The accounts a new installation gets, in the order they are printed."""
    return [PLAN_OFFICE_ADMIN]


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_initial_accounts(*, specs: list[AccountSpec]) -> list[CreatedAccount]:
    """Create ``specs`` when no user exists yet; return the created accounts (empty when users exist)."""
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.exists():
            return []
        created = []
        for spec in specs:
            password = generate_password()
            user: AbstractBaseUser = user_model(
                username=spec.username,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
                is_active=True,
            )
            user.set_password(password)
            user.full_clean(exclude=["password"])
            user.save()
            created.append(CreatedAccount(spec=spec, password=password))
    return created


class Command(BaseCommand):
    help = "在没有任何用户时创建初始账号（规划办管理员 admin），并一次性显示登录地址和密码。"

    def handle(self, *args, **options) -> None:
        created = create_initial_accounts(specs=initial_account_specs())
        if not created:
            self.stdout.write("系统中已有用户账号，未创建新账号。")
            return
        self.stdout.write(self.style.SUCCESS("已创建初始账号："))
        self.stdout.write(f"  登录地址：{LOGIN_URL}")
        for account in created:
            self.stdout.write(f"  {account.spec.role}")
            self.stdout.write(f"    用户名：{account.spec.username}")
            self.stdout.write(f"    密码：{account.password}")
        self.stdout.write(self.style.WARNING("  密码仅显示这一次，请立即登录并妥善保管（可在管理后台修改密码）。"))
