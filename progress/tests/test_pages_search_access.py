"""The search lists only the tasks the access rules let each user see (a world of its own:
``access.tests.world``, with a deactivated unit's clerk)."""

from __future__ import annotations

import pytest

from access.tests.world import build_access_world
from progress.tests.test_pages_tools import found_numbers

pytestmark = pytest.mark.django_db


def test_search_lists_only_what_the_user_may_see(client):
    world = build_access_world()
    # 市发改局 counts for tasks 1, 2, 3 and 5; 市工信局's clerk sees only task 2
    assert found_numbers(client, world.plan_office, "市发改局") == [1, 2, 3, 5]
    assert found_numbers(client, world.leader, "市发改局") == [1, 2, 3, 5]
    assert found_numbers(client, world.gongxin_clerk, "市发改局") == [2]
    assert found_numbers(client, world.fagai_clerk, "市发改局") == [1, 2, 3, 5]
    assert found_numbers(client, world.gongxin_clerk, "3") == []
    assert found_numbers(client, world.nobody, "市发改局") == []
    assert found_numbers(client, world.retired_clerk, "2") == []  # a deactivated unit's clerk sees no task
