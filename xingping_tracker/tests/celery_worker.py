"""A real Celery worker for the tests about jobs: in a thread of the test process, on the Redis
broker the test names, consuming a queue of its own (so other test runs against the same Redis
neither take nor leave jobs here)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator

from xingping_tracker.celery import app

# The worker's wait on its Redis queue (kombu's BRPOP timeout, 1 s by default): a worker stops only
# when that wait returns, so every test with a worker spent a second in its shutdown. Tests only.
POLL_SECONDS = 0.1


@contextlib.contextmanager
def redis_broker(broker_url: str) -> Iterator[str]:
    """Point the app at the Redis broker ``broker_url`` (jobs no longer inline) with a default queue of
    its own, yielded; on exit the queue's keys are removed and the inline configuration comes back."""
    keys = (
        "broker_url",
        "task_always_eager",
        "task_default_queue",
        "broker_connection_retry_on_startup",
        "broker_transport_options",
    )
    saved = {key: app.conf[key] for key in keys}
    queue = f"test-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
        broker_transport_options={**saved["broker_transport_options"], "polling_interval": POLL_SECONDS},
    )
    reset_connections()
    try:
        yield queue
    finally:
        import redis

        client = redis.Redis.from_url(broker_url, socket_connect_timeout=2, socket_timeout=2)
        with contextlib.suppress(redis.RedisError):  # leave no trace (a broker that never answered has none)
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        app.conf.update(saved)
        reset_connections()


@contextlib.contextmanager
def redis_worker(broker_url: str, *, concurrency: int = 1) -> Iterator[None]:
    """:func:`redis_broker` with a worker thread consuming its queue, so other test runs against the
    same Redis neither take nor leave jobs here."""
    from celery.contrib.testing.worker import start_worker

    with redis_broker(broker_url) as queue, start_worker(
        app,
        pool="threads",
        concurrency=concurrency,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
        queues=[queue],
    ):
        yield


def reset_connections() -> None:
    """Forget the broker connections and queues built for the previous configuration."""
    from kombu import pools

    pools.reset()  # kombu keeps one pool per broker address for the whole process
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp._queues = None
    # Built once and kept (cached properties): the sender holds the default queue of its day.
    for name in ("send_task_message", "router", "queues", "default_queue", "default_exchange"):
        app.amqp.__dict__.pop(name, None)


def wait_for(condition: Callable[[], bool], *, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
