"""Test settings.

DATABASE_URL chooses the database (the test runner sets it: SQLite by default, PostgreSQL in CI).
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# SQLite keeps base's SQLITE_OPTIONS (IMMEDIATE transactions, a 20 s wait for the writer): the
# concurrency tests run on a file copy of the in-memory test database (progress.tests.test_concurrency).
# PostgreSQL: the test sessions do not wait for the commit record to reach the disk (the tests that
# commit for real - a live server, a real worker, concurrency - commit thousands of times; a crash
# of the test server loses only test rows). Every other behaviour is the server's own.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Jobs run inline whatever the environment says; the tests about a real worker point the Celery
# app at Redis themselves (xingping_tracker.tests.celery_worker).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Static files looked up when asked for (as with DEBUG) instead of every file of every app being
# listed and stat'ed when the middleware is built: the test Client builds the middleware chain once
# per client, about 30 ms each time, an eighth of a page test's time.
WHITENOISE_AUTOREFRESH = True

# Reminders: robots are a local test server; retries wait fractions of a second.
REMINDER_WEBHOOK_ALLOWED_HOSTS = [*REMINDER_WEBHOOK_ALLOWED_HOSTS, "127.0.0.1"]  # noqa: F405
REMINDER_WEBHOOK_REQUIRE_HTTPS = False
REMINDER_WEBHOOK_TIMEOUT_SECONDS = 2.0
REMINDER_RETRY_BASE_SECONDS = 0.2
REMINDER_RETRY_MAX_SECONDS = 1.0
SITE_URL = "https://tracker.example.gov.cn"
