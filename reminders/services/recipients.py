"""Who receives a reminder, read when it is sent (so a user added to a unit after the scan still gets it).

- 报送提醒 and 节点提醒: the active user accounts of the reminder's unit (``departments.Membership``);
- 逾期上报: the plan office (group 规划科) and the unit's 分管领导 (``UnitReminderSettings.supervising_leaders``);
- 专题会通知: leadership (group 市领导).

E-mail goes to those of them with an address. One query per reminder.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from access.querysets import leadership_q, plan_office_q, unit_staff_q
from reminders.models import Reminder, ReminderKind


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    name: str
    email: str

    @property
    def label(self) -> str:
        """How the send log names the person: "姓名（用户名）" or the user name alone."""
        return f"{self.name}（{self.username}）" if self.name else self.username


def recipients_for(reminder: Reminder) -> list[Recipient]:
    """The active users who receive ``reminder``, by user name (each once)."""
    if reminder.kind == ReminderKind.ESCALATION:
        who = plan_office_q()
        if reminder.department_id is not None:
            who |= Q(supervised_units__department_id=reminder.department_id)
    elif reminder.kind == ReminderKind.MEETING:
        who = leadership_q()
    elif reminder.department_id is not None:
        who = unit_staff_q(reminder.department_id)
    else:
        return []
    rows = (
        get_user_model().objects.filter(who, is_active=True)
        .values("pk", "username", "first_name", "last_name", "email")
        .distinct()
        .order_by("username")
    )
    return [
        Recipient(
            user_id=row["pk"],
            username=row["username"],
            name=f"{row['last_name']}{row['first_name']}".strip(),
            email=row["email"].strip(),
        )
        for row in rows
    ]


def email_addresses(recipients: list[Recipient]) -> list[str]:
    """The distinct e-mail addresses of ``recipients``, in their order."""
    seen: dict[str, str] = {}
    for recipient in recipients:
        if recipient.email:
            seen.setdefault(recipient.email.lower(), recipient.email)
    return list(seen.values())
