"""Signing in: lock-out after repeated failures (django-axes) and the API tokens' lifetime.

Failures are counted per account and per address, on the login page and the token endpoint alike
(xingping_tracker.core.sign_in); the plan office unlocks in the admin (登录锁定 › 登录失败记录: delete
the rows) or with ``manage.py axes_reset_username NAME``.
"""

import datetime as dt

import environ

env = environ.Env()

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Either is enough to lock: the account (guessing one person's password from many addresses) or
# the address (trying many accounts from one machine).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xingping_tracker.core.sign_in.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xingping_tracker.core.sign_in.client_address"
# Behind a proxy (production), the address is the one the nearest trusted proxy saw: the count of
# proxies in front of the application, read from X-Forwarded-For from the right (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# An API token is refused this many hours after it was issued (sign in again for a new one); it is
# deleted when its user's password changes or the user is deactivated.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=72)
