"""python manage.py bootstrap — first-run set-up for `make run`; safe to run on every start.

1. Loads the unit list from fixtures/units.json (idempotent: never deletes or duplicates a unit).
2. Imports the 兴平 plan from fixtures/plans/ when the database holds no plan yet.
3. Generates the review periods of a plan that has none (from its cadence), and sets up the
   periodic jobs (``setup_schedule``: idempotent, keeps what the admin changed).
4. Creates the accounts when no user exists (passwords generated and printed once, in one
   block): the plan office admin and, unless ``--no-demo``, the demo accounts; then writes the
   demo reports and opens the current period (progress.demo). ``manage.py demo_data --remove``
   removes the demo data again.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from departments.services import sync_units_from_fixture
from progress import demo
from progress.management.commands.create_accounts import (
    create_initial_accounts,
    initial_account_specs,
    write_created_accounts,
)
from progress.models import ReviewPeriod
from progress.services.periods import generate_periods
from tasks.models import Plan
from tasks.services.plan_documents import parse_plan_document
from tasks.services.plan_import import import_plan

DEFAULT_PLAN = Path(settings.BASE_DIR) / "fixtures" / "plans" / "xingping-14th-five-year-plan.txt"


class Command(BaseCommand):
    help = "首次运行准备：载入单位名录，数据库为空时导入兴平市任务分工方案、生成填报期，并创建账号和演示数据。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="首次运行时不创建演示账号和演示报告。")

    def handle(self, *args, no_demo: bool = False, **options):
        units = sync_units_from_fixture()
        self.stdout.write(f"单位名录：新增 {units.units_created} 个，更新 {units.units_updated} 个。")

        if Plan.objects.exists():
            self.stdout.write("数据库中已有任务分工方案，跳过导入。")
        else:
            text, result = parse_plan_document(data=DEFAULT_PLAN.read_bytes(), filename=DEFAULT_PLAN.name)
            report = import_plan(result=result, source_text=text)
            self.stdout.write(report.summary())

        without_periods = Plan.objects.exclude(pk__in=ReviewPeriod.objects.values("plan_id"))
        for plan in without_periods.filter(period_start__isnull=False, period_end__isnull=False):
            created_periods = generate_periods(plan=plan)
            self.stdout.write(f"已为“{plan.title}”生成填报期 {len(created_periods)} 个。")

        call_command("setup_schedule", stdout=self.stdout)

        specs = initial_account_specs() + ([] if no_demo else demo.demo_account_specs())
        accounts = create_initial_accounts(specs=specs)
        if not accounts:
            self.stdout.write("系统中已有用户账号，未创建新账号，也不写入演示数据。")
            return
        try:
            if not no_demo:
                for line in demo.create_demo_data().lines():
                    self.stdout.write(line)
                self.stdout.write("演示数据可用 manage.py demo_data --remove 一键删除（账号名以 demo_ 开头）。")
        finally:
            # Printed even when writing the demo data failed: these passwords are shown nowhere else.
            write_created_accounts(self.stdout, accounts, style=self.style)
