"""factory-boy factories for units, aliases, placeholder groups, users and memberships."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from departments.models import (
    Department,
    DepartmentAlias,
    DepartmentGroup,
    DepartmentKind,
    GroupKind,
    Membership,
    MembershipRole,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("测试密码-123")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"市测试{n}局")
    kind = DepartmentKind.CITY_DEPARTMENT
    is_active = True


class TownFactory(DepartmentFactory):
    name = factory.Sequence(lambda n: f"测试{n}镇")
    kind = DepartmentKind.TOWN


class DepartmentAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentAlias

    department = factory.SubFactory(DepartmentFactory)
    alias = factory.Sequence(lambda n: f"测试别名{n}")


class DepartmentGroupFactory(factory.django.DjangoModelFactory):
    """A placeholder group. Pass ``members=[...]`` to set its members."""

    class Meta:
        model = DepartmentGroup
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试占位{n}")
    kind = GroupKind.SELECTED

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            from tasks.services.effective_assignments import refresh_effective_assignments_for_groups

            self.members.set(extracted)
            refresh_effective_assignments_for_groups(group_ids=[self.pk])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = MembershipRole.REPORTER
