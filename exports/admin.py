"""exports registers its own admin actions on the changelists of the apps below it (the layering in
the README): 下载会议材料 on review periods, 导出台账 on tasks. Their admins are registered by then
(imported here, so the order of autodiscovery does not matter)."""

from __future__ import annotations

from django.contrib import admin

import progress.admin  # noqa: F401 - registers the ReviewPeriod admin this module extends
import tasks.admin  # noqa: F401 - registers the Task admin this module extends
from exports.admin_actions import download_meeting_pack, export_ledger
from progress.models import ReviewPeriod
from tasks.models import Task


def add_action(model: type, action: object, *, site: admin.AdminSite = admin.site) -> None:
    """Append ``action`` to the actions of ``model``'s registered admin (once)."""
    model_admin = site.get_model_admin(model)
    actions = list(model_admin.actions or [])
    if action not in actions:
        model_admin.actions = [*actions, action]


add_action(ReviewPeriod, download_meeting_pack)
add_action(Task, export_ledger)
