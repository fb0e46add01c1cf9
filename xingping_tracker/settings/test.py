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
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Jobs run inline whatever the environment says; the tests about a real worker point the Celery
# app at Redis themselves (xingping_tracker.tests.celery_worker).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# Reminders: robots are a local test server; retries wait fractions of a second.
REMINDER_WEBHOOK_ALLOWED_HOSTS = [*REMINDER_WEBHOOK_ALLOWED_HOSTS, "127.0.0.1"]  # noqa: F405
REMINDER_WEBHOOK_REQUIRE_HTTPS = False
REMINDER_WEBHOOK_TIMEOUT_SECONDS = 2.0
REMINDER_RETRY_BASE_SECONDS = 0.2
REMINDER_RETRY_MAX_SECONDS = 1.0
SITE_URL = "https://tracker.example.gov.cn"
