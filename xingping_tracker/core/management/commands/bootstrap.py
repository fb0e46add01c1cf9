"""python manage.py bootstrap — first-run set-up for `make run`; safe to run on every start.

1. Loads the unit list from fixtures/units.json (idempotent: never deletes or duplicates a unit).
2. Imports the 兴平 plan from fixtures/plans/ when the database holds no plan yet.
3. Creates the accounts when no user exists (passwords generated and printed once).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from departments.services import sync_units_from_fixture
from tasks.models import Plan
from tasks.services.plan_documents import parse_plan_document
from tasks.services.plan_import import import_plan

DEFAULT_PLAN = Path(settings.BASE_DIR) / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


class Command(BaseCommand):
    help = "首次运行准备：载入单位名录，数据库为空时导入兴平市任务分工方案，并创建账号。"

    def handle(self, *args, **options):
        units = sync_units_from_fixture()
        self.stdout.write(f"单位名录：新增 {units.units_created} 个，更新 {units.units_updated} 个。")

        if Plan.objects.exists():
            self.stdout.write("数据库中已有任务分工方案，跳过导入。")
        else:
            text, result = parse_plan_document(data=DEFAULT_PLAN.read_bytes(), filename=DEFAULT_PLAN.name)
            report = import_plan(result=result, source_text=text)
            self.stdout.write(report.summary())

        call_command("create_accounts", stdout=self.stdout, stderr=self.stderr)
