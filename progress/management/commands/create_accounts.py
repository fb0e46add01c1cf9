"""`manage.py create_accounts`: the first accounts of a new installation.

On an empty user table it creates the plan office superuser ``admin`` with a random password
and prints the login address, the user name and the password once. When any user exists it
does nothing. The accounts are a list of ``AccountSpec``; ``manage.py bootstrap`` adds the demo
accounts of :mod:`progress.demo` to the same list, so all passwords are printed in one block.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

PORTAL_URL = "http://127.0.0.1:8000/"
LOGIN_URL = "http://127.0.0.1:8000/admin/"


@dataclass(frozen=True, kw_only=True)
class AccountSpec:
    username: str
    role: str  # who the account is for, shown to the person (Chinese)
    is_staff: bool = False
    is_superuser: bool = False
    first_name: str = ""
    last_name: str = ""
    groups: tuple[str, ...] = ()  # Django groups (e.g. the roles of access.roles)
    department: str | None = None  # a unit's canonical name: the account reports for that unit
    unit_role: str = "reporter"  # departments.MembershipRole, when ``department`` is set


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


def create_accounts_from_specs(*, specs: list[AccountSpec]) -> list[CreatedAccount]:
    """Create one user per spec (with its groups and unit) and a fresh password for each."""
    from django.contrib.auth.models import Group

    from access.roles import ensure_role_groups
    from departments.models import Department, Membership

    user_model = get_user_model()
    created = []
    with transaction.atomic():
        if any(spec.groups for spec in specs):
            ensure_role_groups()
        for spec in specs:
            password = generate_password()
            user: AbstractBaseUser = user_model(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
                is_active=True,
            )
            user.set_password(password)
            user.full_clean(exclude=["password"])
            user.save()
            if spec.groups:
                user.groups.add(*Group.objects.filter(name__in=spec.groups))
            if spec.department is not None:
                department = Department.objects.filter(name=spec.department).first()
                if department is None:
                    raise CommandError(f"找不到单位“{spec.department}”，无法创建账号 {spec.username}；请先载入单位名录。")
                Membership.objects.create(user=user, department=department, role=spec.unit_role)
            created.append(CreatedAccount(spec=spec, password=password))
    return created


def create_initial_accounts(*, specs: list[AccountSpec]) -> list[CreatedAccount]:
    """Create ``specs`` when no user exists yet; return the created accounts (empty when users exist)."""
    with transaction.atomic():
        if get_user_model().objects.exists():
            return []
        return create_accounts_from_specs(specs=specs)


def write_created_accounts(
    stdout: OutputWrapper, created: list[CreatedAccount], *, style: Any, heading: str = "已创建初始账号："
) -> None:
    """Print the accounts and their passwords, once, in one block."""
    stdout.write(style.SUCCESS(heading))
    stdout.write(f"  填报与审核：{PORTAL_URL}")
    stdout.write(f"  管理后台：{LOGIN_URL}")
    for account in created:
        stdout.write(f"  {account.spec.role}")
        stdout.write(f"    用户名：{account.spec.username}")
        stdout.write(f"    密码：{account.password}")
    stdout.write(style.WARNING("  密码仅显示这一次，请立即登录并妥善保管（登录后可点页面顶部的“修改密码”修改）。"))


class Command(BaseCommand):
    help = "在没有任何用户时创建初始账号（规划办管理员 admin），并一次性显示登录地址和密码。"

    def handle(self, *args, **options) -> None:
        created = create_initial_accounts(specs=initial_account_specs())
        if not created:
            self.stdout.write("系统中已有用户账号，未创建新账号。")
            return
        write_created_accounts(self.stdout, created, style=self.style)
