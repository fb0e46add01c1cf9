"""Schemathesis against the OpenAPI schema: no GET operation answers a server error, whatever its
path and query values, for the plan office and for a unit clerk.

Two of schemathesis' phases per GET operation, sent through the project's WSGI application:

- **coverage**: each parameter's boundary and invalid values (0, -1, huge, wrong types, missing,
  empty), deterministically, each case sent once, alternately as the plan office and as the clerk;
- **fuzzing**: a few random cases (valid and invalid), each sent as both.

Bounded so that it runs in about a minute on a laptop; the numbers of cases and server errors
are printed (``-s``) and asserted.
"""

from __future__ import annotations

from collections import Counter
from itertools import cycle
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from exports.tests.conftest import _module_pack_world, pack_world  # noqa: F401 - a world with reports to read

# Committed data, as in production: a view outside ATOMIC_REQUESTS (the dashboard) that refuses a
# request must not mark a test transaction around it for rollback (DRF does, for its own errors).
# Slow: one test of 20-45 s, handed out first so that no worker runs it alone at the end.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FUZZ_EXAMPLES_PER_OPERATION = 6
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


class _OnTheTestConnection:
    """The project's WSGI application on the test's database connection (as Django's test client
    keeps it: not closed between requests). Django closes the connection when a request starts and
    when it finishes (``close_old_connections``); the test client turns that off around each of its
    own requests and back on afterwards, so it is turned off here at each call, not once: after the
    test's ``client.get`` it was back on, and on PostgreSQL every fuzz request opened a new
    connection."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)  # sent when the response is closed
        return self.handler(environ, start_response)


@pytest.fixture
def wsgi_app():
    try:
        yield _OnTheTestConnection()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_get_operation_answers_a_server_error(pack_world, client, wsgi_app, capsys):  # noqa: F811
    world = pack_world
    client.force_login(world.plan_office)
    schema = schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())
    users = {
        "plan_office": Token.objects.create(user=world.plan_office).key,
        "clerk": Token.objects.create(user=world.gongxin_clerk).key,
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.method.upper() == "GET" and op.path != "/api/schema/"]
    assert len(operations) > 20, [op.label for op in operations]

    statuses: Counter[int] = Counter()
    errors: list[str] = []

    def send(case, who: str) -> None:
        response = case.call(app=wsgi_app, headers={"Authorization": f"Token {users[who]}"})
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            errors.append(f"{who}: {case.method} {case.formatted_path} {case.query} → {response.status_code}")

    for operation in operations:
        turns = cycle(users)
        for case in schema.iter_coverage_cases(
            operation, generation_modes=MODES, generation_config=schema.config.generation_for(operation=operation)
        ):
            if case.method.upper() == "GET":  # the coverage phase also tries other methods on the path
                send(case, next(turns))

        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

        @settings(
            max_examples=FUZZ_EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case):
            for who in users:
                send(case, who)

        fuzz()

    cases = sum(statuses.values())
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} GET operations, {cases} cases, {len(errors)} server errors;"
            f" statuses {dict(sorted(statuses.items()))}"
        )
    assert statuses[200] > len(operations)  # the cases reach the views, not only the refusals
    assert not errors, "\n".join(errors[:40])
