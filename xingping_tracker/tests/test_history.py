"""The change history (xingping_tracker.core.history): simple-history's records, with the history
manager class made once per model instead of on every read of ``.history``."""

from __future__ import annotations

import pytest

from departments.models import Department
from departments.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_every_read_of_history_gives_the_same_manager_class():
    unit = DepartmentFactory(name="市发改局")

    assert type(unit.history) is type(Department.history) is type(Department.objects.get(pk=unit.pk).history)


def test_each_save_still_writes_a_historical_record_with_its_manager():
    unit = DepartmentFactory(name="市发改局")
    unit.name = "市发展和改革局"
    unit.save()

    assert list(unit.history.order_by("history_id").values_list("history_type", "name")) == [
        ("+", "市发改局"),
        ("~", "市发展和改革局"),
    ]
    assert unit.history.most_recent().name == "市发展和改革局"  # the manager's own methods
