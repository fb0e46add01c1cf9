"""Xingping Tracker: 任务分工督办台账."""

from .celery import app as celery_app

__all__ = ("celery_app",)
