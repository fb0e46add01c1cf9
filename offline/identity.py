"""What a template is for, signed: plan, period, unit, and per row the task, its report and version
at download, the unit's role and a digest of the pre-filled content (``django.core.signing``, so a
hand-edited identity sheet, another unit's or another period's template is recognised)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "offline.template.v1"


@dataclass(frozen=True)
class SignedRow:
    number: int
    task_id: int
    report_id: int  # 0: no report at download
    version: int  # 0: no report at download
    role: str
    digest: str
    target_ids: tuple[int, ...]


@dataclass(frozen=True)
class TemplateIdentity:
    plan_id: int
    period_id: int
    department_id: int
    user_id: int
    rows: tuple[SignedRow, ...]

    def to_token(self) -> str:
        payload = {
            "plan": self.plan_id,
            "period": self.period_id,
            "unit": self.department_id,
            "user": self.user_id,
            "rows": [
                [r.number, r.task_id, r.report_id, r.version, r.role, r.digest, list(r.target_ids)] for r in self.rows
            ],
        }
        return signing.dumps(payload, salt=SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> TemplateIdentity:
        """Raises ``signing.BadSignature`` when the token was not made here or was changed."""
        payload = signing.loads(token, salt=SALT)
        return cls(
            plan_id=int(payload["plan"]),
            period_id=int(payload["period"]),
            department_id=int(payload["unit"]),
            user_id=int(payload["user"]),
            rows=tuple(
                SignedRow(int(n), int(t), int(r), int(v), str(role), str(d), tuple(int(x) for x in g))
                for n, t, r, v, role, d, g in payload["rows"]
            ),
        )
