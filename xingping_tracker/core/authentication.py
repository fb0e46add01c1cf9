"""API tokens that end: refused once older than ``API_TOKEN_TTL_HOURS`` and deleted when their
user's password changes or the user is deactivated. Messages in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expired(token: Token) -> bool:
    return token.created <= timezone.now() - token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效（可能已因修改密码、账号停用或过期而失效）。请重新获取令牌。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("该账号已停用，令牌无效。")
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                f"令牌已过期（有效期{settings.API_TOKEN_TTL_HOURS}小时）。请用用户名和密码重新获取令牌。"
            )
        return token.user, token


def issue_token(user: Any) -> Token:
    """The user's token, a new one when the stored one has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def _drop_tokens_on_password_or_deactivation(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in
    stored = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    if stored["password"] != instance.password or (stored["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()


def connect_signals() -> None:
    pre_save.connect(
        _drop_tokens_on_password_or_deactivation, sender=get_user_model(), dispatch_uid="drop_api_tokens"
    )
