"""docker-compose.yml and Dockerfile agree with the settings and the Celery app.

There is no Docker engine on the development machines, so these tests read the files.
"""

import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = REPO_ROOT / "xingping_tracker" / "settings"
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_VARIABLES = {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}
# Read by Django itself (manage.py, wsgi.py, celery.py), not by a settings module.
READ_OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE"}
ENV_CALL = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS_DIR.rglob("*.py"):
        names.update(ENV_CALL.findall(path.read_text(encoding="utf-8")))
    return names


def command_words(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_the_five_services_exist(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_settings_scan_finds_the_variables_it_must(compose):
    # Guards the next test against passing because the scan found nothing.
    assert REQUIRED_VARIABLES | {"DJANGO_ALLOWED_HOSTS", "DJANGO_DEBUG"} <= variables_read_by_settings()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_set_only_variables_the_settings_read(compose, name):
    environment = compose["services"][name]["environment"]
    unknown = set(environment) - variables_read_by_settings() - READ_OUTSIDE_SETTINGS
    assert not unknown, f"{name} sets variables no settings module reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_required_variables_and_production_settings(compose, name):
    environment = compose["services"][name]["environment"]
    assert {key for key, value in environment.items() if value} >= REQUIRED_VARIABLES
    assert environment["DJANGO_SETTINGS_MODULE"] == "xingping_tracker.settings.production"
    assert importlib.util.find_spec(environment["DJANGO_SETTINGS_MODULE"]) is not None
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?"), "the key must come from the host"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert environment["CACHE_URL"].startswith("redis://redis:6379/")
    assert environment["CACHE_URL"] != environment["CELERY_BROKER_URL"], "the cache keeps its own Redis database"


@pytest.mark.parametrize("name, role", [("worker", "worker"), ("beat", "beat")])
def test_celery_commands_name_the_existing_celery_app(compose, name, role):
    words = command_words(compose["services"][name])
    assert words[0] == "celery" and role in words
    app_module = words[words.index("-A") + 1]

    module = importlib.import_module(app_module)
    app = getattr(module, "celery_app", None) or importlib.import_module(f"{app_module}.celery").app
    assert isinstance(app, Celery)
    assert (REPO_ROOT / app_module.replace(".", "/") / "celery.py").is_file()


def test_exactly_one_beat(compose):
    beats = [name for name, service in compose["services"].items() if "beat" in command_words(service)]
    assert beats == ["beat"]
    worker = command_words(compose["services"]["worker"])
    assert "-B" not in worker and "--beat" not in worker
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_web_migrates_collects_static_and_serves_with_gunicorn(compose):
    web = compose["services"]["web"]
    command = " ".join(command_words(web))
    assert command.index("migrate") < command.index("collectstatic") < command.index("gunicorn")
    assert "xingping_tracker.wsgi" in command and "0.0.0.0:8000" in command
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("db", "redis"):
        assert compose["services"][name]["healthcheck"]["test"]


def test_database_keeps_its_data_in_a_volume(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_dockerfile_installs_the_requirements_and_runs_as_a_non_root_user():
    lines = [line.strip() for line in (REPO_ROOT / "Dockerfile").read_text().splitlines()]
    assert lines[[i for i, line in enumerate(lines) if line.startswith("FROM")][0]] == "FROM python:3.11-slim"
    assert any("pip install -r requirements.txt" in line for line in lines)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
