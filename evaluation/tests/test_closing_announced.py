"""Ending a plan and carrying its tasks are announced on commit, a refusal is not: real commits
(``transaction=True``), so apart from ``test_closing``, whose tests share one world."""

from __future__ import annotations

import pytest

from evaluation.services.closing import carry_tasks, close_plan
from tasks.tests.factories import PlanFactory
from xingping_tracker.core.exceptions import ApplicationError


@pytest.mark.django_db(transaction=True)
def test_closing_and_carrying_are_announced_on_commit_a_refusal_is_not(heard):
    from progress.tests.factories import build_world

    world = build_world()
    nxt = PlanFactory()
    heard.clear()
    close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    assert heard == [frozenset({"plan", "progress"})]
    with pytest.raises(ApplicationError):
        close_plan(plan_id=world.plan.pk, user=world.plan_office, confirm=True)
    assert len(heard) == 1
    carry_tasks(
        source_plan_id=world.plan.pk, target_plan_id=nxt.pk, user=world.plan_office, task_ids=[world.tasks[1].pk]
    )
    assert len(heard) == 2 and "plan" in heard[-1]
