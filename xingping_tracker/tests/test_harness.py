"""The root conftest.py: the `postgres` and `redis` markers behave as promised.

The marker checks run a small inner pytest session in a subprocess with the real conftest.py,
so that CI=true and an unreachable Redis can be simulated without touching this session.
"""

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]

INNER_TESTS = """
import pytest

@pytest.mark.postgres
def test_needs_postgres():
    pass

@pytest.mark.redis
def test_needs_redis():
    pass

def test_plain():
    pass
"""

INNER_INI = """
[pytest]
DJANGO_SETTINGS_MODULE = xingping_tracker.settings.test
addopts = -p no:cacheprovider -rA --strict-markers
markers =
    postgres: needs PostgreSQL
    redis: needs Redis
"""


def free_local_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


def run_inner_session(tmp_path: Path, *, ci: bool) -> dict[str, tuple[str, str]]:
    """Run the inner tests; return {test name: (outcome, message)} from pytest's JUnit XML report."""
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text(INNER_INI)
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "PYTEST_ADDOPTS"}}
    env.update(
        {
            # Only pytest-django: the other installed plugins (hypothesis, faker, schemathesis,
            # playwright, xdist) took 3 of the inner session's 5 seconds to import.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'inner.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{free_local_port()}/15",
        }
    )
    if ci:
        env["CI"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_django.plugin", "--rootdir", str(tmp_path), "--junitxml", "report.xml", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = tmp_path / "report.xml"
    assert report.exists(), result.stdout + result.stderr
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("skipped", "failure", "error"):
                outcome, message = child.tag, child.get("message", "")
        outcomes[case.get("name")] = (outcome, message)
    return outcomes


def test_on_sqlite_postgres_tests_skip_and_unreachable_redis_skips_on_a_laptop(tmp_path):
    outcomes = run_inner_session(tmp_path, ci=False)

    assert outcomes["test_plain"] == ("passed", "")
    assert outcomes["test_needs_postgres"] == ("skipped", "runs in the PostgreSQL pass")
    assert outcomes["test_needs_redis"][0] == "skipped"
    assert "Redis is unreachable" in outcomes["test_needs_redis"][1]


def test_unreachable_redis_fails_in_ci(tmp_path):
    outcomes = run_inner_session(tmp_path, ci=True)

    # pytest.fail() during setup is reported as an error: the run fails either way.
    assert outcomes["test_needs_redis"][0] in ("failure", "error")
    assert "CI=true requires Redis" in outcomes["test_needs_redis"][1]
    assert outcomes["test_needs_postgres"] == ("skipped", "runs in the PostgreSQL pass")
    assert outcomes["test_plain"] == ("passed", "")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_marked_tests_run_on_postgres():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.redis
def test_redis_marked_tests_reach_redis(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_every_package_with_tests_is_in_the_suite():
    """`make test` runs pytest on the configured testpaths: a package holding test files that is not
    listed there would never run (the indicators, assessment and evaluation apps once were not)."""
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {
        path.relative_to(REPO_ROOT).parts[0]
        for path in REPO_ROOT.glob("*/**/test_*.py")
        if not path.relative_to(REPO_ROOT).parts[0].startswith(".")
    }
    assert with_tests - testpaths == set()
    assert {"indicators", "assessment", "evaluation"} <= testpaths
