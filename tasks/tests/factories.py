"""factory-boy factories for plans, sections, tasks, assignments, milestones and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from simple_history.utils import bulk_create_with_history

from departments.tests.factories import DepartmentFactory
from tasks.models import (
    Assignment,
    AssignmentRole,
    Milestone,
    Plan,
    Section,
    Target,
    TargetBasis,
    TargetDirection,
    Task,
    TaskKind,
)
from tasks.services.effective_assignments import refresh_effective_assignments
from xingping_tracker.core.changes import PLAN, UNITS, announce


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"测试市“十四五”规划任务分工方案{n}")
    issuer = "测试市人民政府办公室"
    document_number = factory.Sequence(lambda n: f"测政办发〔2023〕{n}号")  # never the world plan's 〔2022〕20号
    issued_on = dt.date(2022, 7, 25)
    period_start = dt.date(2021, 1, 1)
    period_end = dt.date(2025, 12, 31)
    vision_year = 2035


class SectionFactory(factory.django.DjangoModelFactory):
    """A chapter by default; pass ``parent=`` for a section inside it (same plan)."""

    class Meta:
        model = Section

    plan = factory.LazyAttribute(lambda o: o.parent.plan if o.parent is not None else PlanFactory())
    parent = None
    label = factory.Sequence(lambda n: f"（{n}）")
    title = factory.Sequence(lambda n: f"测试章节{n}")
    position = factory.Sequence(lambda n: n)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.LazyAttribute(lambda o: o.section.plan if o.section is not None else PlanFactory())
    section = None
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"推进测试工作第{n}项，到2025年完成。")
    kind = TaskKind.MEASURE
    deadline = dt.date(2025, 12, 31)
    deadline_text = "到2025年"


def _next_position(o) -> int:
    return Assignment.objects.filter(task=o.task, role=o.role).count()


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A lead assignment to a new unit by default. Pass ``group=`` (and ``department=None``) for a placeholder."""

    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    role = AssignmentRole.LEAD
    position = factory.LazyAttribute(_next_position)
    department = factory.SubFactory(DepartmentFactory)
    group = None
    name_as_written = factory.LazyAttribute(
        lambda o: (
            o.department.name if o.department is not None else (o.group.name if o.group is not None else "未知单位")
        )
    )

    @factory.post_generation
    def expanded_to(self, create, extracted, **kwargs):
        if create and extracted:
            self.expanded_to.set(extracted)

    @factory.post_generation
    def effective_units(self, create, extracted, **kwargs):
        """The task's effective units follow, as after every write of the product's services
        (``effective_units=False``: the caller refreshes them once, for many assignments at a time)."""
        if create and extracted is not False:
            refresh_effective_assignments(task_ids=[self.task_id])


class LeadFactory(AssignmentFactory):
    role = AssignmentRole.LEAD


class SupportingFactory(AssignmentFactory):
    role = AssignmentRole.SUPPORTING


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    task = factory.SubFactory(TaskFactory)
    due_on = dt.date(2022, 12, 31)
    text = "到2022年，完成阶段任务。"
    position = factory.Sequence(lambda n: n % 1000)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    task = factory.SubFactory(TaskFactory)
    position = factory.Sequence(lambda n: n % 1000)
    indicator = "研发经费支出占生产总值比重"
    value = Decimal("1.5")
    unit = "%"
    direction = TargetDirection.AT_LEAST
    basis = TargetBasis.LEVEL
    year = 2025
    source_text = "研发经费支出占生产总值比重达到1.5%"


def build_sample_plan():
    """A small plan exercising every way a unit is named. Returns a namespace of the objects.

    Units: 发改 (市发改局), 工信 (市工信局), 财政 (市财政局), towns 东城/西城 (members of the FIXED
    group 各镇办) and 南城 (only a candidate of the SELECTED group 相关镇办); 市级相关部门 is SELECTED.

    ======  =========  ===========================================================================
    task    section    assignments
    ======  =========  ===========================================================================
    1       chapter1   lead 发改; supporting 各镇办 (not expanded → 东城, 西城)
    2       section11  lead 工信 (expanded_to 南城, ignored: a unit is named); supporting 发改, 财政
    3       section11  lead 发改; supporting 相关镇办 expanded to 南城
    4       chapter2   lead 财政; supporting 各镇办 expanded to 东城 only; 市级相关部门 (not expanded → none)
    5       chapter2   lead unresolved “某某中心”; supporting 发改 and 市级相关部门 expanded to 发改 (twice)
    ======  =========  ===========================================================================
    """
    from types import SimpleNamespace

    from departments.models import DepartmentKind, GroupKind
    from departments.tests.factories import DepartmentFactory, DepartmentGroupFactory

    fagai = DepartmentFactory(name="市发改局")
    gongxin = DepartmentFactory(name="市工信局")
    caizheng = DepartmentFactory(name="市财政局")
    dongcheng = DepartmentFactory(name="东城街道办", kind=DepartmentKind.SUBDISTRICT)
    xicheng = DepartmentFactory(name="西城街道办", kind=DepartmentKind.SUBDISTRICT)
    nancheng = DepartmentFactory(name="南城镇", kind=DepartmentKind.TOWN)
    all_towns = DepartmentGroupFactory(name="各镇办", kind=GroupKind.FIXED, members=[dongcheng, xicheng])
    some_towns = DepartmentGroupFactory(
        name="相关镇办", kind=GroupKind.SELECTED, members=[dongcheng, xicheng, nancheng]
    )
    city_units = DepartmentGroupFactory(name="市级相关部门", kind=GroupKind.SELECTED, members=[])

    plan = PlanFactory(title="测试市“十四五”规划任务分工方案", document_number="测政办发〔2022〕20号")
    chapter1 = SectionFactory(plan=plan, label="一", title="目标定位", position=1)
    section11 = SectionFactory(plan=plan, parent=chapter1, label="（一）", title="主要目标", position=2)
    chapter2 = SectionFactory(plan=plan, label="二", title="重要举措", position=3)

    t1 = TaskFactory(plan=plan, section=chapter1, number=1, kind=TaskKind.POSITIONING, text="聚力建设都市圈核心区。")
    t2 = TaskFactory(
        plan=plan,
        section=section11,
        number=2,
        kind=TaskKind.INDICATOR,
        binding=True,
        text="数字经济核心产业增加值占GDP比重达到5%。",
    )
    t3 = TaskFactory(
        plan=plan,
        section=section11,
        number=3,
        text="到2022年，创建省级示范园区。",
        deadline=dt.date(2022, 12, 31),
        deadline_text="到2022年",
    )
    t4 = TaskFactory(plan=plan, section=chapter2, number=4, text="推进城乡融合发展。")
    t5 = TaskFactory(
        plan=plan,
        section=chapter2,
        number=5,
        kind=TaskKind.VISION,
        incentive=True,
        text="到2035年，基本实现现代化。",
        deadline=dt.date(2035, 12, 31),
        deadline_text="到2035年",
    )

    # Positions as the factories would count them; the effective units refreshed once for the five
    # tasks (the same rows as a refresh after each assignment, in a tenth of the queries).
    once = {"effective_units": False}
    LeadFactory(task=t1, department=fagai, position=0, **once)
    SupportingFactory(task=t1, department=None, group=all_towns, position=0, **once)
    LeadFactory(task=t2, department=gongxin, expanded_to=[nancheng], position=0, **once)
    SupportingFactory(task=t2, department=fagai, position=0, **once)
    SupportingFactory(task=t2, department=caizheng, position=1, **once)
    LeadFactory(task=t3, department=fagai, position=0, **once)
    SupportingFactory(task=t3, department=None, group=some_towns, expanded_to=[nancheng], position=0, **once)
    LeadFactory(task=t4, department=caizheng, position=0, **once)
    SupportingFactory(task=t4, department=None, group=all_towns, expanded_to=[dongcheng], position=0, **once)
    SupportingFactory(task=t4, department=None, group=city_units, position=1, **once)
    LeadFactory(task=t5, department=None, name_as_written="某某中心", position=0, **once)
    SupportingFactory(task=t5, department=fagai, position=0, **once)
    SupportingFactory(task=t5, department=None, group=city_units, expanded_to=[fagai], position=1, **once)
    refresh_effective_assignments(task_ids=[t1.pk, t2.pk, t3.pk, t4.pk, t5.pk])
    MilestoneFactory(task=t3, due_on=dt.date(2022, 12, 31), text="到2022年，创建省级示范园区。", position=0)
    TargetFactory(task=t2, position=0, indicator="数字经济核心产业增加值占GDP比重", value=Decimal("5"), unit="%")
    announce(PLAN, UNITS)  # as the import service that would have written these rows

    return SimpleNamespace(
        plan=plan,
        chapter1=chapter1,
        section11=section11,
        chapter2=chapter2,
        tasks={1: t1, 2: t2, 3: t3, 4: t4, 5: t5},
        fagai=fagai,
        gongxin=gongxin,
        caizheng=caizheng,
        dongcheng=dongcheng,
        xicheng=xicheng,
        nancheng=nancheng,
        all_towns=all_towns,
        some_towns=some_towns,
        city_units=city_units,
    )


def build_many_tasks(count: int, *, plan=None, lead=None, group=None):
    """``count`` tasks, each with a lead unit, two supporting units, a placeholder, a milestone and a target.

    The rows the factories would save one by one (same values, sequences, positions and history
    rows), written in bulk: the query-count tests build hundreds of tasks. The placeholders'
    expansions are written without their m2m history rows; the effective units are refreshed once."""
    from departments.tests.factories import DepartmentFactory, DepartmentGroupFactory

    plan = plan or PlanFactory()
    chapter = SectionFactory(plan=plan, label="一", title="目标定位")
    section = SectionFactory(plan=plan, parent=chapter, label="（一）", title="主要目标")
    lead = lead or DepartmentFactory()
    group = group or DepartmentGroupFactory(members=[DepartmentFactory(), DepartmentFactory()])
    supporting = [DepartmentFactory(), DepartmentFactory()]
    tasks = bulk_create_with_history([TaskFactory.build(plan=plan, section=section) for _ in range(count)], Task)
    assignments, placeholders = [], []
    for task in tasks:
        assignments.append(LeadFactory.build(task=task, department=lead, position=0))
        for position, department in enumerate(supporting):
            assignments.append(SupportingFactory.build(task=task, department=department, position=position))
        placeholder = SupportingFactory.build(task=task, department=None, group=group, position=len(supporting))
        assignments.append(placeholder)
        placeholders.append(placeholder)
    bulk_create_with_history(assignments, Assignment)
    expansion = Assignment.expanded_to.through
    expansion.objects.bulk_create([expansion(assignment=p, department=supporting[0]) for p in placeholders])
    bulk_create_with_history([MilestoneFactory.build(task=task) for task in tasks], Milestone)
    bulk_create_with_history([TargetFactory.build(task=task) for task in tasks], Target)
    refresh_effective_assignments(task_ids=[task.pk for task in tasks])
    announce(PLAN, UNITS)  # as the import service that would have written these rows
    return tasks
