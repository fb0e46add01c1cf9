"""Announcing changes: heard once per committed transaction with every topic it announced, never for
a rollback, at once in autocommit; a failing receiver never fails the write."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from xingping_tracker.core.changes import PLAN, PROGRESS, UNITS, announce, announce_all, data_changed


def test_unknown_or_missing_topics_are_refused():
    with pytest.raises(ValueError):
        announce("reports")
    with pytest.raises(ValueError):
        announce()


@pytest.mark.django_db(transaction=True)
def test_autocommit_is_heard_at_once(heard):
    announce(PLAN)
    assert heard == [frozenset({PLAN})]
    announce_all([])  # nothing to say: nothing heard
    assert heard == [frozenset({PLAN})]


@pytest.mark.django_db(transaction=True)
def test_one_transaction_is_heard_once_after_commit_with_all_its_topics(heard):
    with transaction.atomic():
        announce(PLAN)
        with transaction.atomic():
            announce_all([UNITS])
        announce(PLAN, PROGRESS)
        assert heard == []
    assert heard == [frozenset({PLAN, UNITS, PROGRESS})]
    with transaction.atomic():
        announce(UNITS)
    assert heard == [frozenset({PLAN, UNITS, PROGRESS}), frozenset({UNITS})]  # a new transaction, a new message


@pytest.mark.django_db(transaction=True)
def test_a_rollback_is_never_heard(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        announce(PLAN)
        raise RuntimeError
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            announce(UNITS)
            raise RuntimeError
        announce(PROGRESS)  # after the savepoint's rollback: only this is heard
    assert heard == [frozenset({PROGRESS})]


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_logged_and_the_others_still_hear(heard, caplog):
    def broken(sender=None, **kwargs):
        raise RuntimeError("receiver broke")

    data_changed.connect(broken, dispatch_uid="test-broken")
    try:
        with caplog.at_level(logging.ERROR, logger="xingping_tracker.core.changes"), transaction.atomic():
            announce(PLAN)
    finally:
        data_changed.disconnect(dispatch_uid="test-broken")
    assert heard == [frozenset({PLAN})]
    assert "a receiver of data_changed failed after the commit" in caplog.text
