"""Reminders: links in messages, the robot address allow-list, delivery claims and retries.

- ``SITE_URL``: the address people open, put in front of every link in an e-mail or robot message.
- ``REMINDER_WEBHOOK_ALLOWED_HOSTS``: the only hosts a group-robot message is posted to (the two
  vendors' robot APIs); a unit's robot address on any other host is refused, so the settings page
  cannot be used to make the server call into the internal network.
- ``REMINDER_WEBHOOK_REQUIRE_HTTPS``: robot addresses must be https (production); the test settings
  turn it off to talk to a local test server.
- ``REMINDER_DELIVERY_LEASE_SECONDS``: a delivery claimed ("sending") longer ago than this belongs
  to a worker that died; it may be claimed again. Keep it above ``CELERY_TASK_TIME_LIMIT``, so a
  live worker is always killed before its claim can be taken over.
- ``REMINDER_MAX_ATTEMPTS`` / ``REMINDER_RETRY_BASE_SECONDS`` / ``REMINDER_RETRY_MAX_SECONDS``: a
  failed send that may succeed later is tried again after 60 s, 120 s, 240 s, ... (at most the
  maximum), up to the number of attempts in all.
"""

from ..base import env

SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="督办台账 <noreply@localhost>")

REMINDER_WEBHOOK_ALLOWED_HOSTS = env.list(
    "REMINDER_WEBHOOK_ALLOWED_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
)
REMINDER_WEBHOOK_REQUIRE_HTTPS = True
REMINDER_WEBHOOK_TIMEOUT_SECONDS = env.float("REMINDER_WEBHOOK_TIMEOUT_SECONDS", default=5.0)

REMINDER_DELIVERY_LEASE_SECONDS = env.int("REMINDER_DELIVERY_LEASE_SECONDS", default=600)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=60)
REMINDER_RETRY_MAX_SECONDS = env.float("REMINDER_RETRY_MAX_SECONDS", default=3600)
# The sweep re-enqueues a due delivery only when it has waited this long past its time, so it does not
# race the job that was enqueued for it (a second job would find it claimed anyway).
REMINDER_SWEEP_GRACE_SECONDS = env.int("REMINDER_SWEEP_GRACE_SECONDS", default=120)
