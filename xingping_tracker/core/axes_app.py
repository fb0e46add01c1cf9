"""django-axes (the sign-in lock-out) under its Chinese name in the admin; its labels: locale/zh_Hans."""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录锁定"
