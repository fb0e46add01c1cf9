"""The schedule as a pure function: stages across holidays, catch-up, escalation, meeting and
milestone notices, and who gets nothing. No database; the day is always passed in."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from reminders.schedule import (
    DEFAULT_POLICY,
    ESCALATION,
    MEETING,
    MILESTONE,
    REPORT_DUE,
    LeadUnit,
    MilestoneInput,
    OwedItem,
    PeriodInput,
    PolicyInput,
    UnitOwed,
    due_reminders,
    due_report_stage,
    escalation_day,
    meeting_notice_day,
    milestone_key,
    milestone_notice_day,
    report_stages,
    short_text,
)

D = dt.date
PLAN = 1


def period(due_on: dt.date, *, pk: int = 10, status: str = "open", meeting_on: dt.date | None = None,
           annual: bool = False) -> PeriodInput:
    return PeriodInput(
        id=pk, plan_id=PLAN, name="2025年下半年", report_due_on=due_on, meeting_on=meeting_on, status=status,
        is_annual_summary=annual,
    )


def owes(period_id: int = 10, unit: int = 7, name: str = "市工信局", n: int = 2) -> UnitOwed:
    statuses = ["none", "draft", "returned"]
    items = tuple(
        OwedItem(task_id=100 + i, number=i + 1, text=f"任务{i + 1}的内容，推进数字经济发展。", status=statuses[i % 3])
        for i in range(n)
    )
    return UnitOwed(period_id=period_id, department_id=unit, department_name=name, items=items)


def simulate(start: dt.date, end: dt.date, *, periods, owed=(), milestones=(), policy=DEFAULT_POLICY,
             sent=(), days=None) -> list[tuple[dt.date, str, str]]:
    """Run the schedule on every day from ``start`` to ``end`` (or on ``days``), recording what is
    due and feeding it back as sent, as the scan does. Returns [(day, kind, stage)]."""
    sent = set(sent)
    decided = []
    if days is None:
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    for day in days:
        for reminder in due_reminders(
            today=day, periods=periods, owed=owed, milestones=milestones, policies={PLAN: policy}, sent=sent
        ):
            assert reminder.dedupe_key not in sent
            sent.add(reminder.dedupe_key)
            if reminder.kind == MILESTONE:  # as the scan reads them back from the digest's items
                sent.update(milestone_key(item.milestone_id, reminder.department_id) for item in reminder.items)
            decided.append((day, reminder.kind, reminder.stage))
    return decided


# --- the stages' days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        # An ordinary due date (Fri 2025-01-10), across New Year's Day.
        (D(2025, 1, 10), {"before_14": D(2024, 12, 27), "wd_before_7": D(2024, 12, 31), "wd_before_3": D(2025, 1, 7),
                          "last_day": D(2025, 1, 10), "overdue_1": D(2025, 1, 13)}),
        # Due Wed 2025-10-15, after National Day (Oct 1–8 off, Sat Oct 11 a working day): D−14 falls in the
        # holiday, so the two-week notice moves to Oct 9, after the 7th working day before (Sep 29).
        (D(2025, 10, 15), {"wd_before_7": D(2025, 9, 29), "before_14": D(2025, 10, 9), "wd_before_3": D(2025, 10, 11),
                           "last_day": D(2025, 10, 15), "overdue_1": D(2025, 10, 16)}),
        # Due on a holiday Sunday (2025-10-05): the last working day is Sep 30, overdue from Oct 9; the 3rd
        # working day before is the make-up Sunday Sep 28.
        (D(2025, 10, 5), {"before_14": D(2025, 9, 22), "wd_before_7": D(2025, 9, 23), "wd_before_3": D(2025, 9, 28),
                          "last_day": D(2025, 9, 30), "overdue_1": D(2025, 10, 9)}),
        # Due Fri 2026-02-27, after Spring Festival (Feb 15–23 off, Sat Feb 14 and Sat Feb 28 working).
        (D(2026, 2, 27), {"wd_before_7": D(2026, 2, 11), "before_14": D(2026, 2, 13), "wd_before_3": D(2026, 2, 24),
                          "last_day": D(2026, 2, 27), "overdue_1": D(2026, 2, 28)}),
        # Due inside Spring Festival (Fri 2026-02-20): last working day is the make-up Saturday Feb 14.
        (D(2026, 2, 20), {"before_14": D(2026, 2, 6), "wd_before_7": D(2026, 2, 6), "wd_before_3": D(2026, 2, 12),
                          "last_day": D(2026, 2, 14), "overdue_1": D(2026, 2, 24)}),
    ],
)
def test_stage_days(due_on, expected):
    stages = report_stages(due_on, DEFAULT_POLICY)
    assert {s.stage: s.day for s in stages} == expected
    assert [s.day for s in stages] == sorted(s.day for s in stages)  # catch-up order is by day


@pytest.mark.parametrize(
    ("due_on", "after", "expected"),
    [
        (D(2025, 1, 10), 5, D(2025, 1, 20)),  # overdue 13, 14, 15, 16, 17: escalated the next working day
        (D(2025, 9, 30), 5, D(2025, 10, 15)),  # Oct 9, 10, 11 (Sat, working), 13, 14 → 15
        (D(2026, 2, 13), 1, D(2026, 2, 24)),  # Feb 14 (Sat, working) overdue → Feb 24 after the holiday
        (D(2026, 2, 13), 0, D(2026, 2, 14)),  # 0: on the first working day overdue
    ],
)
def test_escalation_day(due_on, after, expected):
    policy = dataclasses.replace(DEFAULT_POLICY, escalate_after_working_days=after)
    assert escalation_day(due_on, policy) == expected


@pytest.mark.parametrize(
    ("meeting_on", "n", "expected"),
    [
        (D(2025, 10, 10), 3, D(2025, 9, 29)),  # Oct 9, Sep 30, Sep 29
        (D(2026, 2, 25), 3, D(2026, 2, 13)),  # Feb 24, Feb 14, Feb 13
        (D(2026, 2, 22), 0, D(2026, 2, 14)),  # on the last working day on or before a holiday meeting day
    ],
)
def test_meeting_notice_day(meeting_on, n, expected):
    policy = dataclasses.replace(DEFAULT_POLICY, meeting_notice_working_days=n)
    assert meeting_notice_day(meeting_on, policy) == expected


@pytest.mark.parametrize(
    ("due_on", "days", "expected"),
    [
        (D(2022, 12, 31), 14, D(2022, 12, 19)),  # Dec 17 is a Saturday
        (D(2025, 10, 15), 14, D(2025, 10, 9)),  # Oct 1 is National Day
        (D(2026, 3, 1), 14, D(2026, 2, 24)),  # Feb 15 is Spring Festival
    ],
)
def test_milestone_notice_day(due_on, days, expected):
    assert milestone_notice_day(due_on, dataclasses.replace(DEFAULT_POLICY, milestone_notice_days=days)) == expected


# --- day by day ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (D(2025, 1, 10), [(D(2024, 12, 27), "before_14"), (D(2024, 12, 31), "wd_before_7"),
                          (D(2025, 1, 7), "wd_before_3"), (D(2025, 1, 10), "last_day"),
                          (D(2025, 1, 13), "overdue_1"), (D(2025, 1, 20), "escalation")]),
        (D(2025, 10, 15), [(D(2025, 9, 29), "wd_before_7"), (D(2025, 10, 9), "before_14"),
                           (D(2025, 10, 11), "wd_before_3"), (D(2025, 10, 15), "last_day"),
                           (D(2025, 10, 16), "overdue_1"), (D(2025, 10, 23), "escalation")]),
        # Spring Festival in the middle: the overdue notice on the make-up Saturday Feb 28.
        (D(2026, 2, 27), [(D(2026, 2, 11), "wd_before_7"), (D(2026, 2, 13), "before_14"),
                          (D(2026, 2, 24), "wd_before_3"), (D(2026, 2, 27), "last_day"),
                          (D(2026, 2, 28), "overdue_1"), (D(2026, 3, 6), "escalation")]),
        # Two stages on one day (Feb 6): only the later one; the make-up Saturday gets the last-day notice.
        (D(2026, 2, 20), [(D(2026, 2, 6), "wd_before_7"), (D(2026, 2, 12), "wd_before_3"),
                          (D(2026, 2, 14), "last_day"), (D(2026, 2, 24), "overdue_1"),
                          (D(2026, 3, 2), "escalation")]),  # Feb 24–28 (Sat, working) overdue
    ],
)
def test_a_daily_scan_sends_each_stage_once_on_its_day(due_on, expected):
    decided = simulate(due_on - dt.timedelta(days=30), due_on + dt.timedelta(days=40), periods=[period(due_on)],
                       owed=[owes()])
    assert [(day, stage) for day, _, stage in decided] == expected


def test_nothing_on_a_day_off_even_when_a_stage_is_due():
    p = period(D(2025, 10, 15))
    # Sep 29 was the 7th working day before; scanning only during the holiday decides nothing.
    assert simulate(D(2025, 10, 1), D(2025, 10, 8), periods=[p], owed=[owes()]) == []
    assert due_reminders(today=D(2025, 10, 12), periods=[p], owed=[owes()]) == []  # an ordinary Sunday


def test_catch_up_sends_only_the_latest_stage():
    p = period(D(2025, 1, 10))
    # The scan did not run until the day before the due date: one notice, the 3-working-day one.
    decided = simulate(None, None, periods=[p], owed=[owes()], days=[D(2025, 1, 9), D(2025, 1, 9)])
    assert decided == [(D(2025, 1, 9), REPORT_DUE, "wd_before_3")]
    # Back after a long outage: only overdue_1, and the escalation (a separate track) once.
    decided = simulate(None, None, periods=[p], owed=[owes()], days=[D(2025, 2, 10), D(2025, 2, 11)])
    assert decided == [(D(2025, 2, 10), REPORT_DUE, "overdue_1"), (D(2025, 2, 10), ESCALATION, "escalation")]


def test_never_an_earlier_stage_after_a_later_one():
    stages = report_stages(D(2025, 1, 10), DEFAULT_POLICY)
    # last_day already went out (e.g. the offsets were changed afterwards): nothing earlier comes later.
    assert due_report_stage(stages, D(2025, 1, 10), {"last_day"}) is None
    assert due_report_stage(stages, D(2025, 1, 9), {"last_day"}) is None
    assert due_report_stage(stages, D(2025, 1, 13), {"last_day"}).stage == "overdue_1"
    assert due_report_stage(stages, D(2024, 12, 26), set()) is None  # nothing reached yet


def test_a_unit_that_owes_nothing_gets_nothing():
    p = period(D(2025, 1, 10))
    others = owes(unit=8, name="市财政局", n=0)
    decided = due_reminders(today=D(2024, 12, 31), periods=[p], owed=[owes(), others])
    assert [(r.department_id, r.stage) for r in decided] == [(7, "wd_before_7")]
    assert due_reminders(today=D(2025, 1, 20), periods=[p], owed=[]) == []


def test_one_digest_per_unit_listing_every_owed_task():
    p = period(D(2025, 1, 10))
    decided = due_reminders(
        today=D(2024, 12, 31), periods=[p],
        owed=[owes(n=3), owes(unit=8, name="市财政局", n=1), owes(period_id=99, unit=9, n=1)],
    )
    assert [(r.dedupe_key, len(r.items)) for r in decided] == [
        ("report_due:p10:u7:wd_before_7", 3),
        ("report_due:p10:u8:wd_before_7", 1),
    ]  # period 99 is not among the periods: nothing for its unit
    digest = decided[0]
    assert digest.title == "市工信局：2025年下半年有3项任务待报送（2025年1月10日截止）"
    assert "2025年下半年进展情况报送截止日为2025年1月10日，今天是截止日前第7个工作日。贵单位尚有3项任务未报送" in digest.body
    assert "1. 任务1：任务1的内容，推进数字经济发展。（未填报）" in digest.body
    assert "2. 任务2：任务2的内容，推进数字经济发展。（草稿）" in digest.body
    assert "3. 任务3：任务3的内容，推进数字经济发展。（已退回）" in digest.body


@pytest.mark.parametrize(
    ("today", "stage", "phrase"),
    [
        (D(2024, 12, 27), "before_14", "距报送截止日还有14天"),
        (D(2025, 1, 7), "wd_before_3", "今天是截止日前第3个工作日"),
        (D(2025, 1, 10), "last_day", "今天是报送截止日"),
        (D(2025, 1, 13), "overdue_1", "已超过报送截止日"),
        (D(2025, 1, 15), "overdue_1", "已逾期2个工作日"),  # caught up two working days late
    ],
)
def test_stage_phrases(today, stage, phrase):
    [digest] = due_reminders(today=today, periods=[period(D(2025, 1, 10))], owed=[owes()])
    assert digest.stage == stage and phrase in digest.body


def test_last_day_before_a_due_date_on_a_day_off():
    [digest] = due_reminders(today=D(2026, 2, 14), periods=[period(D(2026, 2, 20))], owed=[owes()])
    assert digest.stage == "last_day" and "今天是报送截止前的最后一个工作日" in digest.body


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_no_report_reminders_outside_an_open_period(status):
    p = period(D(2025, 1, 10), status=status)
    assert simulate(D(2024, 12, 1), D(2025, 2, 28), periods=[p], owed=[owes()]) == []


def test_a_disabled_policy_sends_nothing():
    p = period(D(2025, 1, 10), meeting_on=D(2025, 1, 20))
    policy = dataclasses.replace(DEFAULT_POLICY, enabled=False)
    assert simulate(D(2024, 12, 1), D(2025, 2, 28), periods=[p], owed=[owes()], policy=policy) == []


def test_a_custom_policy():
    policy = PolicyInput(
        first_notice_days=0, working_day_offsets=(5,), remind_on_last_working_day=False,
        remind_first_overdue_day=True, escalate_after_working_days=2,
    )
    decided = simulate(D(2024, 12, 1), D(2025, 2, 28), periods=[period(D(2025, 1, 10))], owed=[owes()], policy=policy)
    assert decided == [
        (D(2025, 1, 3), REPORT_DUE, "wd_before_5"),
        (D(2025, 1, 13), REPORT_DUE, "overdue_1"),
        (D(2025, 1, 15), ESCALATION, "escalation"),
    ]


def test_escalation_once_per_unit_and_only_while_it_owes():
    p = period(D(2025, 1, 10))
    sent = {f"report_due:p10:u{u}:overdue_1" for u in (7, 8)}
    decided = due_reminders(today=D(2025, 1, 20), periods=[p], owed=[owes(), owes(unit=8, n=0)], sent=sent)
    assert [(r.kind, r.dedupe_key) for r in decided] == [(ESCALATION, "escalation:p10:u7")]
    escalation = decided[0]
    assert escalation.title == "逾期上报：市工信局2025年下半年有2项任务逾期5个工作日未报送"
    assert "请规划科和分管领导督促该单位尽快报送" in escalation.body
    assert due_reminders(today=D(2025, 1, 21), periods=[p], owed=[owes()], sent=sent | {"escalation:p10:u7"}) == []
    assert due_reminders(today=D(2025, 1, 17), periods=[p], owed=[owes()], sent=sent) == []  # not yet


def test_an_escalation_lists_the_first_twenty_tasks_and_links_the_rest():
    p = period(D(2025, 1, 10))
    [digest, escalation] = due_reminders(today=D(2025, 1, 20), periods=[p], owed=[owes(n=25)])
    assert len(digest.items) == len(escalation.items) == 25
    assert "25. 任务25" in digest.body  # the unit's own digest lists everything
    assert "20. 任务20" in escalation.body and "21. 任务21" not in escalation.body
    assert "……另有5项，完整清单请打开链接查看。" in escalation.body


@pytest.mark.parametrize("status", ["open", "closed"])
def test_meeting_notice_before_the_meeting_of_an_open_or_closed_period(status):
    p = period(D(2025, 1, 10), status=status, meeting_on=D(2025, 1, 20), annual=True)
    decided = simulate(D(2025, 1, 1), D(2025, 1, 31), periods=[p], policy=DEFAULT_POLICY)
    assert decided == [(D(2025, 1, 15), MEETING, "meeting")]  # 17, 16, 15: the 3rd working day before Mon 20
    [notice] = due_reminders(today=D(2025, 1, 15), periods=[p], owed=[])
    assert notice.dedupe_key == "meeting:p10" and notice.department_id is None
    assert notice.title == "会议通知：2025年下半年年度总结专题会定于2025年1月20日召开"


def test_meeting_notice_catches_up_until_the_meeting_day_but_not_after():
    p = period(D(2025, 1, 10), meeting_on=D(2025, 1, 20))
    assert [r.stage for r in due_reminders(today=D(2025, 1, 20), periods=[p], owed=[])] == ["meeting"]
    assert due_reminders(today=D(2025, 1, 21), periods=[p], owed=[]) == []
    assert due_reminders(today=D(2025, 1, 20), periods=[period(D(2025, 1, 10), status="planned",
                                                                meeting_on=D(2025, 1, 20))], owed=[]) == []


GONGXIN = LeadUnit(7, "市工信局")


def milestone(due_on: dt.date, *, pk: int = 50, number: int = 50, leads=(GONGXIN,)) -> MilestoneInput:
    return MilestoneInput(
        id=pk, plan_id=PLAN, task_id=pk * 10, task_number=number, task_text="到2022年，创建国家级开发区。",
        due_on=due_on, text="到2022年，创建省级示范园区。", lead_units=tuple(leads),
    )


def test_milestone_reminder_to_each_lead_unit_once():
    m = milestone(D(2022, 12, 31), leads=[GONGXIN, LeadUnit(8, "市发改局")])
    decided = simulate(D(2022, 12, 1), D(2023, 1, 31), periods=[], milestones=[m])
    assert decided == [(D(2022, 12, 19), MILESTONE, "milestone")] * 2
    [first, second] = due_reminders(today=D(2022, 12, 19), periods=[], owed=[], milestones=[m])
    assert (first.dedupe_key, first.milestone_id, first.task_id) == ("milestone:u7:2022-12-19", 50, 500)
    assert (second.dedupe_key, second.department_name) == ("milestone:u8:2022-12-19", "市发改局")
    assert first.title == "节点提醒：任务50的节点将于2022年12月31日到期"
    assert "还有12天" in first.body and "到2022年，创建省级示范园区。" in first.body
    assert first.items[0].as_json() == {
        "milestone_id": 50, "task_id": 500, "number": 50, "text": "到2022年，创建国家级开发区。",
        "milestone": "到2022年，创建省级示范园区。", "due_on": "2022-12-31",
    }


def test_one_milestone_digest_per_unit_and_day():
    year_end = [milestone(D(2022, 12, 31), pk=pk, number=pk) for pk in (51, 52, 53)]
    later = milestone(D(2023, 1, 6), pk=54, number=54)  # announced from Dec 23
    decided = simulate(D(2022, 12, 1), D(2023, 1, 31), periods=[], milestones=[*year_end, later])
    assert decided == [(D(2022, 12, 19), MILESTONE, "milestone"), (D(2022, 12, 23), MILESTONE, "milestone")]
    [digest] = due_reminders(today=D(2022, 12, 19), periods=[], owed=[], milestones=year_end)
    assert [item.number for item in digest.items] == [51, 52, 53]
    assert (digest.milestone_id, digest.task_id) == (51, None)  # several: the link is the unit's task list
    assert digest.title == "节点提醒：市工信局牵头的3项任务节点即将到期"
    assert "2. 任务52“到2022年，创建国家级开发区。”：到2022年，创建省级示范园区。（2022年12月31日，还有12天）" in digest.body
    # Announced milestones are not listed again; a new one the same day waits for tomorrow's digest.
    sent = {"milestone:u7:2022-12-19", *(milestone_key(m.id, 7) for m in year_end)}
    assert due_reminders(today=D(2022, 12, 20), periods=[], owed=[], milestones=year_end, sent=sent) == []
    new = milestone(D(2022, 12, 30), pk=55, number=55)
    assert due_reminders(today=D(2022, 12, 19), periods=[], owed=[], milestones=[*year_end, new], sent=sent) == []
    [tomorrow] = due_reminders(today=D(2022, 12, 20), periods=[], owed=[], milestones=[*year_end, new], sent=sent)
    assert [item.number for item in tomorrow.items] == [55] and tomorrow.task_id == 550


def test_milestone_catch_up_stops_at_its_date():
    m = milestone(D(2022, 12, 30))
    assert len(due_reminders(today=D(2022, 12, 30), periods=[], owed=[], milestones=[m])) == 1
    assert due_reminders(today=D(2023, 1, 3), periods=[], owed=[], milestones=[m]) == []
    assert due_reminders(today=D(2022, 12, 30), periods=[], owed=[], milestones=[milestone(D(2022, 12, 30), leads=[])]) == []


def test_milestone_disabled_policy():
    policy = dataclasses.replace(DEFAULT_POLICY, enabled=False)
    assert simulate(D(2022, 12, 1), D(2023, 1, 31), periods=[], milestones=[milestone(D(2022, 12, 31))], policy=policy) == []


def test_short_text():
    assert short_text("  推进\n城乡 融合发展。 ") == "推进 城乡 融合发展。"
    assert short_text("一" * 41) == "一" * 40 + "…"
    assert short_text("一" * 40) == "一" * 40
