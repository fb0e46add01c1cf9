"""Units (部门/单位), their aliases, placeholder groups and staff membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xingping_tracker.core.history import HistoricalRecords


class DepartmentKind(models.TextChoices):
    CITY_DEPARTMENT = "city_department", "市政府工作部门"
    PARTY_ORGAN = "party_organ", "市委机构"
    INSTITUTION = "institution", "事业单位"
    PEOPLES_ORGANISATION = "peoples_organisation", "群团组织"
    TOWN = "town", "镇"
    SUBDISTRICT = "subdistrict", "街道办事处"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    UPPER_BRANCH = "upper_branch", "上级派驻机构"
    OUTSIDE_BODY = "outside_body", "其他机构"


class Department(models.Model):
    """A unit that can lead or support a task. Renamed or merged units stay (inactive) with their history."""

    name = models.CharField("规范名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=32, choices=DepartmentKind.choices)
    host = models.ForeignKey(
        "self",
        verbose_name="挂靠单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_units",
        help_text="如科技局职能设在市发改局，则科技局的挂靠单位为市发改局。",
    )
    is_active = models.BooleanField("在用", default=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="承继单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text="单位更名或合并后，指向承接其职责的单位。",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    head_signoff_required = models.BooleanField(
        "报送需单位负责人审签",
        default=False,
        help_text="勾选后，填报员只能保存草稿，须由本单位负责人账号报送。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DepartmentAlias(models.Model):
    """Another way the documents write a unit's name (市文明办 for 市委文明办, 工信局 for 市工信局)."""

    department = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField("别名", max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.department.name}"


class GroupKind(models.TextChoices):
    FIXED = "fixed", "固定成员（如各镇办）"
    SELECTED = "selected", "按任务选定（如相关镇办、市级相关部门）"


class DepartmentGroup(models.Model):
    """A placeholder as documents write it (各镇办, 相关镇办, 市级相关部门, 各金融机构, 各大电信运营商).

    A task keeps the placeholder as written; the plan office expands it per task. For a FIXED group
    the default expansion is all its members; a SELECTED group's members are the candidates.
    """

    name = models.CharField("占位名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=16, choices=GroupKind.choices, default=GroupKind.SELECTED)
    description = models.CharField("说明", max_length=200, blank=True)
    members = models.ManyToManyField(Department, verbose_name="成员单位", blank=True, related_name="groups")

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = "单位组（占位）"
        verbose_name_plural = "单位组（占位）"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentGroupAlias(models.Model):
    """Another way documents write a placeholder (各镇街 / 各镇（街道） for 各镇办)."""

    group = models.ForeignKey(
        DepartmentGroup, verbose_name="单位组", on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField("别名", max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位组别名"
        verbose_name_plural = "单位组别名"
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.group.name}"


class MembershipRole(models.TextChoices):
    REPORTER = "reporter", "填报员"
    HEAD = "head", "单位负责人"


class Membership(models.Model):
    """A user's place in a unit. A user belongs to one unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="membership"
    )
    department = models.ForeignKey(
        Department, verbose_name="单位", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=16, choices=MembershipRole.choices, default=MembershipRole.REPORTER)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位人员"
        verbose_name_plural = "单位人员"

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}（{self.get_role_display()}）"
