"""The OpenAPI schema is generated once per process and language (xingping_tracker.core.schema)."""

from __future__ import annotations

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from xingping_tracker.core.schema import KeptSchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(monkeypatch, settings):
    """The languages drf-spectacular generated the schema in, from an empty store."""
    settings.API_SCHEMA_REQUIRES_SIGN_IN = False
    KeptSchemaGenerator.forget()
    languages: list[str] = []
    generate = SchemaGenerator.get_schema

    def counted(self, request=None, public=False):
        languages.append(translation.get_language())
        return generate(self, request=request, public=public)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    yield languages
    KeptSchemaGenerator.forget()


def schema(**query: str):
    response = APIClient().get("/api/schema/", query)
    assert response.status_code == 200
    return response.content


def test_the_schema_is_generated_once_and_each_answer_is_the_same(generated):
    first = schema(format="json")
    assert b'"openapi"' in first and b"/api/tasks/" in first
    assert schema(format="json") == first
    assert b"openapi:" in schema()  # the YAML form, from the same schema
    assert len(generated) == 1


def test_another_language_is_generated_for_itself(generated):
    schema(format="json")
    english = schema(format="json", lang="en")
    assert schema(format="json", lang="en") == english
    assert generated == [translation.get_language(), "en"]


def test_a_change_of_the_url_configuration_generates_it_again(generated, settings):
    schema(format="json")
    settings.ROOT_URLCONF = settings.ROOT_URLCONF  # as a test that swaps the URLs does
    schema(format="json")
    assert len(generated) == 2
