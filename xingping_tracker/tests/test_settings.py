"""Production settings read everything secret from the environment.

Each check imports the settings in a fresh interpreter with a clean environment, from a copy of
the package in a temporary folder so that no .env file of the working tree is read.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]

PRINT_SETTINGS = """
import json
import xingping_tracker.settings.production as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": db["NAME"], "user": db["USER"], "host": db["HOST"], "port": str(db["PORT"]),
    "conn_max_age": db["CONN_MAX_AGE"], "health_checks": db["CONN_HEALTH_CHECKS"],
    "debug": s.DEBUG, "eager": s.CELERY_TASK_ALWAYS_EAGER, "broker": s.CELERY_BROKER_URL,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "cache": s.CACHES["default"],
}))
"""


@pytest.fixture
def isolated_project(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    assert not (tmp_path / ".env").exists()
    return tmp_path


def import_production_settings(project: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(project), **extra_env}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_refuse_to_load_without_a_secret_key(isolated_project):
    result = import_production_settings(isolated_project, {"DATABASE_URL": "postgres://u:p@db:5432/x"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_database_and_broker_come_from_the_environment(isolated_project):
    result = import_production_settings(
        isolated_project,
        {
            "DJANGO_SECRET_KEY": "a-key-for-this-test-only",
            "DATABASE_URL": "postgres://tracker:s3cret@dbhost:6543/xingping",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "CACHE_URL": "redis://redis:6379/1",
            "DJANGO_ALLOWED_HOSTS": "tracker.example.gov.cn,127.0.0.1",
        },
    )

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert (loaded["name"], loaded["user"], loaded["host"], loaded["port"]) == ("xingping", "tracker", "dbhost", "6543")
    # A process keeps its connection between requests (checked before reuse), not one per request.
    assert (loaded["conn_max_age"], loaded["health_checks"]) == (60, True)
    assert loaded["debug"] is False
    assert loaded["broker"] == "redis://redis:6379/0"
    assert loaded["eager"] is False  # a broker is set: jobs go to the worker
    assert loaded["allowed_hosts"] == ["tracker.example.gov.cn", "127.0.0.1"]
    # One cache shared by every process (the dashboard's numbers and their data stamp).
    assert loaded["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["cache"]["LOCATION"] == "redis://redis:6379/1"


def test_production_settings_refuse_to_load_without_a_shared_cache(isolated_project):
    result = import_production_settings(
        isolated_project,
        {
            "DJANGO_SECRET_KEY": "a-key-for-this-test-only",
            "DATABASE_URL": "postgres://tracker:s3cret@dbhost:6543/xingping",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
        },
    )

    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


def test_local_settings_serve_the_admin_login_page_with_its_css(tmp_path):
    """`make run` uses the local settings with runserver and no collectstatic: pages and static files must work."""
    code = (
        "import django; django.setup();"
        "from django.test import Client; from django.test.utils import setup_test_environment;"
        "setup_test_environment(); c = Client();"
        "r = c.get('/admin/login/'); print(r.status_code, '登录' in r.content.decode());"
        "from django.templatetags.static import static; print(static('admin/css/base.css'))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.local",
        "DJANGO_SECRET_KEY": "local-settings-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parent, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    status, has_chinese, css = out.stdout.split()
    assert (status, has_chinese, css) == ("200", "True", "/static/admin/css/base.css")


def test_local_sqlite_waits_for_the_writer_instead_of_failing(tmp_path):
    """``make run``'s SQLite: transactions take the write lock when they begin and a second writer
    waits for it (progress.tests.test_concurrency races them), WAL lets readers go on."""
    code = (
        "import django, json; django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0];"
        "c.execute('PRAGMA busy_timeout'); wait = c.fetchone()[0];"
        "print(json.dumps([connection.transaction_mode, mode, wait]))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.local",
        "DJANGO_SECRET_KEY": "local-settings-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parent, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["IMMEDIATE", "wal", 20000]


DEPLOY_ENV = {
    "DJANGO_SECRET_KEY": "k8Xw2vQ9-not-a-real-secret-but-long-and-random-enough-7Rt5yZp3Lm6Nb4Vc1",
    "DATABASE_URL": "postgres://tracker:s3cret@dbhost:6543/xingping",
    "CACHE_URL": "redis://redis:6379/1",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.gov.cn",
}


def test_check_deploy_passes_with_the_production_settings(isolated_project):
    """HTTPS redirect, HSTS, secure cookies and the rest of Django's deployment checklist."""
    shutil.copy(PACKAGE.parent / "manage.py", isolated_project / "manage.py")
    # Every app of the project (a top-level package beside this one), its templates and translations.
    for folder in sorted(PACKAGE.parent.iterdir()):
        if folder.name != PACKAGE.name and (
            (folder / "apps.py").exists() or folder.name in ("templates", "locale", "fixtures")
        ):
            shutil.copytree(folder, isolated_project / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(isolated_project),
        "DJANGO_SETTINGS_MODULE": "xingping_tracker.settings.production",
        **DEPLOY_ENV,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=isolated_project, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_redirects_to_https_and_hides_the_schema(isolated_project):
    code = PRINT_SETTINGS.replace(
        '"cache": s.CACHES["default"],',
        '"cache": s.CACHES["default"], "ssl": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS,'
        ' "schema_sign_in": s.API_SCHEMA_REQUIRES_SIGN_IN,',
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(isolated_project), **DEPLOY_ENV}
    result = subprocess.run([sys.executable, "-c", code], cwd=isolated_project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["ssl"] is True and loaded["hsts"] >= 365 * 24 * 3600 and loaded["schema_sign_in"] is True
