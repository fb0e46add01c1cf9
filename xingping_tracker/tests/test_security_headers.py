"""The Content-Security-Policy every page carries, and the templates it relies on (no inline script)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = ["departments", "tasks", "progress", "reminders", "dashboard", "exports", "offline", "templates", "indicators"]


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_policy_that_allows_only_their_own_scripts(client):
    policy = directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_only_the_api_docs_page_loads_swagger_from_its_cdn(client, settings, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x-Long-enough-2024"))
    policy = directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert settings.SWAGGER_UI_CDN in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]


def test_no_template_has_an_inline_script_or_style_element():
    offenders = []
    for app in APPS:
        for template in (REPO / app).rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text or re.search(r"\son[a-z]+=", text):
                offenders.append(str(template.relative_to(REPO)))
    assert offenders == []
