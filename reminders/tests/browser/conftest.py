"""Browser tests of the reminder pages: the fixtures of progress/tests/browser/conftest.py (chromium,
the live server, pages that fail on other hosts or JavaScript errors, screenshots, the world with known
passwords), imported so they apply here too."""

from progress.tests.browser.conftest import (  # noqa: F401
    browser,
    browser_artifacts,
    browser_world,
    open_page,
    pytest_runtest_makereport,
    shot,
)
