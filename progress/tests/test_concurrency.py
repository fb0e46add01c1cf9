"""Concurrent writers, on SQLite (a file database, as ``make run`` serves it) and on PostgreSQL: two
saves of the same version, two submissions, the same races through the HTTP API, two units saving at
once and simultaneous starts of one report. Exactly one save of a version wins, the other gets the
conflict (412 in the API); a start race answers with the one report; nothing is lost and nothing
answers 500 (SQLite waits for the writer instead of failing with "database is locked")."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread
from rest_framework.authtoken.models import Token

from departments.models import MembershipRole
from progress.models import ProgressReport, ReportEvent, ReportEventType, ReportStatus
from progress.services.reports import save_report, start_report, submit_report
from progress.tests.factories import build_world, unit_user
from progress.tests.test_pages_unit import form_url, post_data
from progress.tests.test_services_reports import filled
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode
from xingping_tracker.tests.racing import race

pytestmark = pytest.mark.django_db(transaction=True)

# What each HTTP race answered, per test (printed at the end of the module with -s / -rA).
OUTCOMES: dict[str, Counter] = {}


@pytest.fixture(autouse=True)
def file_database(tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test database moves to a file for the test, so that each thread and each request
    has its own connection and its own locks, as under ``make run`` (the in-memory test database is one
    connection shared by every thread, which hides the races). PostgreSQL: nothing to do."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    name = connection.settings_dict["NAME"]
    connection.connection = None  # kept open in ``memory``: closing it would drop the in-memory database
    connection.settings_dict["NAME"] = str(path)  # the dict every thread's connection is made from
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def server() -> Iterator[str]:
    """A live server whose request threads each open their own database connection."""
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def fresh_user(username: str):
    """A new user object per thread: the permission cache is per object."""
    return get_user_model().objects.get(username=username)


def history_count(report_id: int) -> int:
    return ProgressReport.history.filter(id=report_id).count()


def api_call(url: str, token: str, *, method: str, body: dict, version: int | None = None) -> Callable[[], tuple[int, dict]]:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    data = json.dumps(body).encode()

    def send() -> tuple[int, dict]:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, {"raw": raw[:200].decode(errors="replace")}

    return send


def record(name: str, statuses: list[int]) -> None:
    OUTCOMES.setdefault(f"{connection.vendor}: {name}", Counter()).update(statuses)


@pytest.fixture(scope="module", autouse=True)
def print_outcomes() -> Iterator[None]:
    yield
    for name, counts in OUTCOMES.items():
        print(f"\n{name}: {dict(sorted(counts.items()))}")
def test_two_saves_of_the_same_version_one_wins():
    world = build_world()
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    version = report.version
    history_before = history_count(report.pk)
    texts = {"gongxin_clerk": "办事员写的进展。", "gongxin_head": "负责人写的进展。"}

    def writer(username: str) -> Callable[[], ProgressReport]:
        return lambda: save_report(
            report_id=report.pk,
            user=fresh_user(username),
            expected_version=version,
            data=filled(world, progress_text=texts[username]),
        )

    results = race(writer("gongxin_clerk"), writer("gongxin_head"))
    winners = [r for r in results if isinstance(r, ProgressReport)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == ErrorCode.VERSION_CONFLICT
    assert losers[0].extra["current_version"] == version + 1
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.progress_text == winners[0].progress_text
    assert stored.version == version + 1
    assert history_count(report.pk) == history_before + 1


def test_two_submissions_one_wins():
    world = build_world()
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    report = save_report(report_id=report.pk, user=world.gongxin_clerk, expected_version=report.version, data=filled(world))

    def submitter(username: str) -> Callable[[], ProgressReport]:
        return lambda: submit_report(report_id=report.pk, user=fresh_user(username))

    results = race(submitter("gongxin_clerk"), submitter("gongxin_head"))
    winners = [r for r in results if isinstance(r, ProgressReport)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == ErrorCode.ILLEGAL_TRANSITION
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.status, stored.version) == (ReportStatus.SUBMITTED, report.version + 1)
    assert ReportEvent.objects.filter(report=report, type=ReportEventType.SUBMITTED).count() == 1


def tokens_for(world, *names: str) -> dict[str, str]:
    return {name: Token.objects.create(user=getattr(world, name)).key for name in names}


ROUNDS = 10


def test_two_api_saves_of_the_same_version_one_gets_412(server):
    """Two people of the unit save the same report at once, from the same version, ROUNDS times."""
    world = build_world()
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    tokens = tokens_for(world, "gongxin_clerk", "gongxin_head")
    history_before = history_count(report.pk)
    url = f"{server}/api/reports/{report.pk}/"
    version = report.version
    statuses = []
    for round_ in range(ROUNDS):
        results = race(
            *(
                api_call(url, tokens[name], method="PATCH", version=version,
                         body={"progress_status": "on_track", "progress_text": f"{name}第{round_}轮的进展"})
                for name in ("gongxin_clerk", "gongxin_head")
            )
        )
        statuses += [status for status, _ in results]
        assert sorted(status for status, _ in results) == [200, 412], results
        (ok,) = [body for status, body in results if status == 200]
        (conflict,) = [body for status, body in results if status == 412]
        assert conflict["code"] == "version_conflict"
        assert "您的修改没有保存" in conflict["detail"]
        assert conflict["current_version"] == version + 1
        assert conflict["current"]["progress_text"] == ok["progress_text"]
        stored = ProgressReport.objects.get(pk=report.pk)
        assert (stored.version, stored.progress_text) == (version + 1, ok["progress_text"])
        version += 1
    record("same report, same If-Match, two users", statuses)
    assert history_count(report.pk) == history_before + ROUNDS


def test_two_units_save_their_own_reports_at_once(server):
    """市工信局 (task 2) and 市发改局 (task 1) save their reports at the same moment: both are saved."""
    world = build_world()
    reports = {
        "gongxin_clerk": start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk),
        "fagai_clerk": start_report(task=world.tasks[1], department_id=world.fagai.pk, period=world.h2, user=world.fagai_clerk),
    }
    tokens = tokens_for(world, *reports)
    versions = {name: report.version for name, report in reports.items()}
    statuses = []
    for round_ in range(ROUNDS):
        results = race(
            *(
                api_call(f"{server}/api/reports/{report.pk}/", tokens[name], method="PATCH", version=versions[name],
                         body={"progress_status": "on_track", "progress_text": f"{name}第{round_}轮"})
                for name, report in reports.items()
            )
        )
        statuses += [status for status, _ in results]
        assert [status for status, _ in results] == [200, 200], results
        versions = {name: version + 1 for name, version in versions.items()}
    record("two units, different reports", statuses)
    for name, report in reports.items():
        stored = ProgressReport.objects.get(pk=report.pk)
        assert (stored.version, stored.progress_text) == (versions[name], f"{name}第{ROUNDS - 1}轮")


def test_simultaneous_starts_of_one_report_give_that_report(server):
    """Four people of 市发改局 start the same report at once, on each of its four tasks: one creates it
    (201), the others get that report (200)."""
    world = build_world()
    names = ["fagai_clerk"]
    for index, role in enumerate((MembershipRole.HEAD, MembershipRole.REPORTER, MembershipRole.REPORTER)):
        setattr(world, f"fagai_{index}", unit_user(world.fagai, username=f"fagai_{index}", role=role))
        names.append(f"fagai_{index}")
    tokens = tokens_for(world, *names)
    statuses = []
    for task_number in (1, 2, 3, 5):
        task = world.tasks[task_number]
        results = race(
            *(
                api_call(f"{server}/api/reports/", tokens[name], method="POST", body={"task": task.pk, "period": world.h2.pk})
                for name in names
            )
        )
        statuses += [status for status, _ in results]
        assert sorted(status for status, _ in results) == [200, 200, 200, 201], results
        report = ProgressReport.objects.get(task=task, department=world.fagai, period=world.h2)
        assert {body["id"] for _, body in results} == {report.pk}
        assert ReportEvent.objects.filter(report=report, type=ReportEventType.CREATED).count() == 1
        assert history_count(report.pk) == 1
    record("four simultaneous starts of one report", statuses)


def test_simultaneous_first_saves_on_the_page(server):
    """Two people of the unit save a report nobody started yet from the page at once: one is saved,
    the other sees the conflict message with what was typed kept (never an error page)."""
    world = build_world()
    sessions = {}
    for name in ("gongxin_clerk", "gongxin_head"):
        browser = Client()
        browser.force_login(getattr(world, name))
        sessions[name] = browser.cookies["sessionid"].value
    url = f"{server}{form_url(world)}"
    csrf = "a" * 32

    def page_save(name: str) -> Callable[[], tuple[int, str]]:
        body = urllib.parse.urlencode(post_data(world, version=0, progress_text=f"{name}写的进展。")).encode()

        def send() -> tuple[int, str]:
            request = urllib.request.Request(
                url, data=body, method="POST",
                headers={"Cookie": f"sessionid={sessions[name]}; csrftoken={csrf}", "X-CSRFToken": csrf, "Referer": url},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        return send

    results = race(page_save("gongxin_clerk"), page_save("gongxin_head"))
    statuses = sorted(status for status, _ in results)
    record("page: two first saves of one report", statuses)
    assert statuses == [200, 409], [(s, b[:300]) for s, b in results]  # the saved one lands on the form again
    (conflict,) = [body for status, body in results if status == 409]
    assert "您的修改没有保存" in conflict or "已被" in conflict, conflict[:500]
    stored = ProgressReport.objects.get(task=world.tasks[2], department=world.gongxin, period=world.h2)
    assert stored.version == 2
    assert f"{stored.updated_by.username}写的进展。" == stored.progress_text
