"""Concurrent writers on PostgreSQL: two saves of the same version, two submissions, and the same
race through the HTTP API. Exactly one wins; the other gets the conflict; nothing is lost."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from progress.models import ProgressReport, ReportEvent, ReportEventType, ReportStatus
from progress.services.reports import save_report, start_report, submit_report
from progress.tests.factories import build_world
from progress.tests.test_services_reports import filled
from xingping_tracker.core.exceptions import ApplicationError, ErrorCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads that start together; each result is the return value or the exception.
    Each thread uses its own database connection and closes it at the end."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the outcome under test, kept for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def fresh_user(username: str):
    """A new user object per thread: the permission cache is per object."""
    return get_user_model().objects.get(username=username)


def history_count(report_id: int) -> int:
    return ProgressReport.history.filter(id=report_id).count()


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


def test_two_api_saves_of_the_same_version_one_gets_412(live_server):
    world = build_world()
    report = start_report(task=world.tasks[2], department_id=world.gongxin.pk, period=world.h2, user=world.gongxin_clerk)
    tokens = {name: Token.objects.create(user=getattr(world, name)).key for name in ("gongxin_clerk", "gongxin_head")}
    history_before = history_count(report.pk)
    url = f"{live_server.url}/api/reports/{report.pk}/"

    def client(username: str) -> Callable[[], tuple[int, dict]]:
        body = json.dumps({"progress_status": "on_track", "progress_text": f"{username}的进展"}).encode()

        def send() -> tuple[int, dict]:
            request = urllib.request.Request(
                url,
                data=body,
                method="PATCH",
                headers={
                    "Authorization": f"Token {tokens[username]}",
                    "Content-Type": "application/json",
                    "If-Match": f'"{report.version}"',
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        return send

    results = race(client("gongxin_clerk"), client("gongxin_head"))
    assert sorted(status for status, _ in results) == [200, 412], results
    (ok,) = [body for status, body in results if status == 200]
    (conflict,) = [body for status, body in results if status == 412]
    assert conflict["code"] == "version_conflict"
    assert conflict["current_version"] == report.version + 1
    assert conflict["current"]["progress_text"] == ok["progress_text"]
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.version, stored.progress_text) == (report.version + 1, ok["progress_text"])
    assert history_count(report.pk) == history_before + 1
