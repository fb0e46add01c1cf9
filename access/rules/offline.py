"""The unit's Excel template (离线填报): its reporters and unit head download and upload it."""

from __future__ import annotations

from access.actor import Actor
from access.rules._errors import denied
from departments.models import MembershipRole


def check_can_use_templates(actor: Actor) -> int:
    """The unit whose templates ``actor`` may download and upload (reporters and unit heads); raises otherwise."""
    if actor.department_id is None or actor.unit_role not in MembershipRole.values:
        raise denied("只有单位的填报员或负责人可以下载、上传本单位的填报模板；规划科和市领导请在网页上查看报告。")
    return actor.department_id
