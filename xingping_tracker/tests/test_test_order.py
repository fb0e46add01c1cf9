"""The order the suite runs in (conftest.pytest_collection_modifyitems), checked on this session's
own collection: modules with a test marked slow first, then the modules with the most tests, each
module's tests together and in their written order."""

from __future__ import annotations

import pytest


def modules_in_order(items: list[pytest.Item]) -> list[tuple[str, int, bool]]:
    """(module, number of tests, has a slow test) in the order the modules run."""
    order: list[str] = []
    counts: dict[str, int] = {}
    slow: dict[str, bool] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if not order or order[-1] != module:
            assert module not in counts, f"{module}'s tests are split up in the run order"
            order.append(module)
        counts[module] = counts.get(module, 0) + 1
        slow[module] = slow.get(module, False) or item.get_closest_marker("slow") is not None
    return [(module, counts[module], slow[module]) for module in order]


def test_slow_modules_first_then_the_most_tests_first(request: pytest.FixtureRequest):
    modules = modules_in_order(request.session.items)

    flags = [is_slow for _module, _count, is_slow in modules]
    assert flags == sorted(flags, reverse=True), "a module with a slow test runs after one without"
    counts = [count for _module, count, is_slow in modules if not is_slow]
    assert counts == sorted(counts, reverse=True)
    if any(module.endswith("test_api_fuzz.py") for module, _count, _slow in modules):
        assert modules[0][0].endswith("test_api_fuzz.py")


def test_a_module_keeps_the_written_order_of_its_tests(request: pytest.FixtureRequest):
    mine = [item.name for item in request.session.items if item.module is request.module]

    assert mine == ["test_slow_modules_first_then_the_most_tests_first", "test_a_module_keeps_the_written_order_of_its_tests"]
