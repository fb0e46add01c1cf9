"""Helpers of the delivery tests: a local group-robot server that records what it receives and can fail
on cue, and reminder/delivery rows built directly (independent of the scan)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from django.utils import timezone

from reminders.models import Channel, Delivery, DeliveryStatus, Reminder, ReminderKind, UnitReminderSettings

OK = (200, {"errcode": 0, "errmsg": "ok"})
_SEQ = itertools.count(1)


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes
    reply_status: int
    reply: Any

    @property
    def json(self) -> Any:
        return json.loads(self.raw.decode("utf-8"))

    @property
    def succeeded(self) -> bool:
        return self.reply_status == 200 and isinstance(self.reply, dict) and self.reply.get("errcode") == 0


@dataclass
class RobotServer:
    """A WeCom/DingTalk stand-in on 127.0.0.1. ``replies`` are answered in order (status, JSON or raw
    text), then :data:`OK` for every further request; ``delay`` seconds pass before each answer."""

    replies: list[tuple[int, Any]] = field(default_factory=list)
    delay: float = 0.0
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 -- the http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server._lock:
                    status, reply = server.replies.pop(0) if server.replies else OK
                    split = urlsplit(self.path)
                    server.requests.append(RecordedRequest(
                        path=split.path,
                        query={key: values[0] for key, values in parse_qs(split.query).items()},
                        headers={key.lower(): value for key, value in self.headers.items()},
                        raw=raw, reply_status=status, reply=reply,
                    ))
                if server.delay:
                    time.sleep(server.delay)
                body = (json.dumps(reply) if not isinstance(reply, str) else reply).encode("utf-8")
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> RobotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def wecom_url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base}/robot/send?access_token=0123456789abcdef0123"

    def succeeded(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.succeeded]


def make_reminder(world: Any, *, department: Any = None, kind: str = ReminderKind.REPORT_DUE,
                  stage: str = "wd_before_7", body: str | None = None, **fields: Any) -> Reminder:
    department = world.gongxin if department is None and kind == ReminderKind.REPORT_DUE else department
    seq = next(_SEQ)
    values: dict[str, Any] = {
        "dedupe_key": f"delivery-test:{kind}:{seq}",
        "period": world.h2,
        "decided_on": dt.date(2024, 12, 30),
        "title": f"{getattr(department, 'name', '市领导')}：2024年下半年有2项任务待报送",
        "body": body if body is not None else (
            "市工信局有2项任务尚未报送（截止2025年1月10日）：\n1. 任务2 数字经济核心产业增加值 · 草稿\n2. 任务5 工业技改投资 · 未填报"
        ),
        "link": f"{reverse('progress:home')}?period={world.h2.pk}",
    }
    values.update(fields)
    return Reminder.objects.create(kind=kind, stage=stage, department=department, **values)


def make_delivery(reminder: Reminder, channel: str = Channel.EMAIL, **fields: Any) -> Delivery:
    values: dict[str, Any] = {"status": DeliveryStatus.PENDING, "not_before": timezone.now()}
    values.update(fields)
    return Delivery.objects.create(reminder=reminder, channel=channel, **values)


def robots(department: Any, *, wecom: str = "", dingtalk: str = "", secret: str = "", **fields: Any) -> UnitReminderSettings:
    row, _ = UnitReminderSettings.objects.update_or_create(
        department=department,
        defaults={"wecom_webhook_url": wecom, "dingtalk_webhook_url": dingtalk, "dingtalk_secret": secret, **fields},
    )
    return row
