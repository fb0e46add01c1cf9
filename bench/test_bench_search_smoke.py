"""bench_search must not rot: its terms, clients and measurement on a tiny synthetic plan (no timings asserted)."""

from __future__ import annotations

import pytest

from access.roles import PLAN_OFFICE_GROUP
from bench.bench_search import _client_for_unit, _terms, measure
from bench.runtime import role_client
from bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_bench_search_measures_each_term_for_both_users():
    generate(tasks=60, departments=6, reports=0)
    terms = dict(_terms())
    assert set(terms) == {"number", "text", "unit"}
    office = role_client(PLAN_OFFICE_GROUP, username="bench_search_office")
    clerk = _client_for_unit()
    for label, term in terms.items():
        _, office_queries, office_found = measure(office, term, repeats=1, warmups=0)
        _, clerk_queries, clerk_found = measure(clerk, term, repeats=1, warmups=0)
        assert office_found >= 1, label  # every term comes from the plan: the plan office finds it
        assert clerk_found <= office_found
        assert 0 < office_queries <= 14 and 0 < clerk_queries <= 14
