"""A real Celery worker for the tests about jobs: in a thread of the test process, on the Redis
broker the test names, consuming a queue of its own (so other test runs against the same Redis
neither take nor leave jobs here)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator

from xingping_tracker.celery import app


@contextlib.contextmanager
def redis_worker(broker_url: str, *, concurrency: int = 1) -> Iterator[None]:
    """Point the app at Redis (jobs no longer inline) and run a worker thread on a queue of its own, so
    other test runs against the same Redis neither take nor leave jobs here."""
    from celery.contrib.testing.worker import start_worker

    keys = ("broker_url", "task_always_eager", "task_default_queue", "broker_connection_retry_on_startup")
    saved = {key: app.conf[key] for key in keys}
    queue = f"test-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
    )
    reset_connections()
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=concurrency,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
            queues=[queue],
        ):
            yield
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        import redis

        client = redis.Redis.from_url(broker_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")  # leave no trace
        client.close()
        app.conf.update(saved)
        reset_connections()


def reset_connections() -> None:
    """Forget the broker connections and queues built for the previous configuration."""
    from kombu import pools

    pools.reset()  # kombu keeps one pool per broker address for the whole process
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp._queues = None


def wait_for(condition: Callable[[], bool], *, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
