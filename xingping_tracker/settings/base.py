"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file beside manage.py is read when present (never committed).
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "django_celery_beat",
    "xingping_tracker.core.axes_app.AxesConfig",  # django-axes (sign-in lock-out), its admin in Chinese
    # ours
    "xingping_tracker.core",
    "departments",
    "tasks",
    "progress",
    "reminders",
    "dashboard",
    "exports",
    "offline",
    "drafting",
    "indicators",
    "assessment",
    "evaluation",
    # last: its post_migrate handler gives the role groups permissions of every app above
    "access",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (settings/integrations/csp.py)
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a sign-in refused for too many failures into the lock-out page (settings.integrations.sign_in).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xingping_tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "progress.context_processors.portal_actor",
                "reminders.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "xingping_tracker.wsgi.application"

# SQLite beside manage.py unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# SQLite serving a web server's concurrent writers (make run): each transaction takes the write lock
# when it begins (IMMEDIATE), so a second writer waits up to ``timeout`` seconds for the first and then
# reads what it wrote (the version rule answers 412), instead of failing with "database is locked" when
# a transaction that began by reading tries to write; WAL lets readers go on meanwhile.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
# PostgreSQL: each web and worker process keeps its connection between requests instead of opening a
# new one for every request (connecting and signing in cost a few milliseconds each time, a large
# part of a short request), for up to DATABASE_CONN_MAX_AGE seconds; a kept connection is checked
# before a request reuses it, so a restarted database costs a reconnect, not an error page. (SQLite
# opens a local file: nothing to keep.)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The cache holds the dashboard's numbers and their data stamp (dashboard.freshness): one process may
# use local memory (make run); several (gunicorn workers, Celery) must share Redis through CACHE_URL.
# A Redis that does not answer must not hold a request: short socket timeouts (a healthy Redis answers in
# about a millisecond); the dashboard then computes afresh and the change path backs off (dashboard.freshness).
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=0.1)


def cache_config(config: dict) -> dict:
    """``config`` (from ``env.cache``) with the short socket timeouts when it is Redis."""
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        options = {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS, "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS}
        config = {**config, "OPTIONS": {**options, **config.get("OPTIONS", {})}}
    return config


CACHES = {"default": cache_config(env.cache("CACHE_URL", default="locmemcache://"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Chinese for the third-party screens that ship without it (django-axes' admin).
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

# Uploads are bounded: a plan document is at most a few MB.
PLAN_UPLOAD_MAX_BYTES = env.int("PLAN_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Evidence attached to progress reports (pdf, images, docx, xlsx).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
EVIDENCE_MAX_PER_REPORT = env.int("EVIDENCE_MAX_PER_REPORT", default=20)
# A target's actual that differs from last period's by more than this factor (either way) asks the
# clerk to confirm it (a warning, not a refusal): progress.plausibility.
PROGRESS_ACTUAL_JUMP_RATIO = env.float("PROGRESS_ACTUAL_JUMP_RATIO", default=3.0)
# Offline filling: a unit's Excel template loaded back (offline.safety checks both before parsing).
OFFLINE_UPLOAD_MAX_BYTES = env.int("OFFLINE_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
OFFLINE_UPLOAD_MAX_ROWS = env.int("OFFLINE_UPLOAD_MAX_ROWS", default=2000)

# The dashboard's numbers are cached until a write changes them (dashboard.freshness); this bounds
# how long a change made outside the application (psql) can go unseen.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
# With a broker, the worker computes the new overview this long after a change (the changes of
# that moment share one job; dashboard.tasks), so the next viewer finds it ready.
DASHBOARD_REFRESH_DELAY_SECONDS = env.int("DASHBOARD_REFRESH_DELAY_SECONDS", default=3)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# /api/schema/ and /api/docs/ for signed-in users only (production sets it; xingping_tracker.core.permissions).
API_SCHEMA_REQUIRES_SIGN_IN = env.bool("API_SCHEMA_REQUIRES_SIGN_IN", default=False)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "progress:home"
LOGOUT_REDIRECT_URL = "login"

from .integrations.celery import *  # noqa: E402,F403
from .integrations.csp import *  # noqa: E402,F403
from .integrations.reminders import *  # noqa: E402,F403
from .integrations.rest_framework import *  # noqa: E402,F403
from .integrations.sign_in import *  # noqa: E402,F403
