"""The browser harness of progress/tests/browser (chromium, the live server, sign-in, screenshots)."""

from progress.tests.browser.conftest import (  # noqa: F401
    browser,
    browser_artifacts,
    browser_world,
    open_page,
    pytest_runtest_makereport,  # noqa: F401
    shot,
)
