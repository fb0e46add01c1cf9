"""Sign-in lock-out (django-axes, configured in settings.integrations.sign_in): the address counted,
and what a locked-out person is told, on the login page and by the token endpoint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return (
        f"登录失败次数过多（连续{settings.AXES_FAILURE_LIMIT}次），该账号或本机地址已被暂时锁定。"
        f"请{minutes}分钟后再试；如忘记密码或急需登录，请联系规划科（系统管理员）解锁或重置密码。"
    )


def is_locked_out(request: Any) -> bool:
    """Whether django-axes refused this sign-in (its backend marks the request it was given)."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """The login page again, with the lock-out message instead of the password error (HTTP 429)."""
    form = AuthenticationForm(request)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": lockout_message(), "username": username, "next": request.POST.get("next", "")},
        status=429,
    )


def client_address(request: Any) -> str | None:
    """The address failures are counted for: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies
    the address the nearest of them saw (X-Forwarded-For read from the right, so that a client
    cannot choose it by sending the header itself)."""
    meta = request.META
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and forwarded:
        return forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return meta.get("REMOTE_ADDR")
