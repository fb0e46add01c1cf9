"""The portal's browser fixtures (progress/tests/browser/conftest.py), for the indicator pages' browser tests."""

from progress.tests.browser.conftest import (  # noqa: F401 - fixtures and the failure hook, re-exported
    browser,
    browser_artifacts,
    browser_world,
    open_page,
    pytest_runtest_makereport,
    shot,
)
