"""factory_boy factories for the social value models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.roles import SUPPLIERS
from socialvalue import models
from socialvalue.periods import quarter_of
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory, SupplierFactory


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Goal
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Goal {n}")
    position = factory.Sequence(lambda n: n + 10)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Measure
        django_get_or_create = ("code",)

    goal = factory.SubFactory(GoalFactory)
    code = factory.Sequence(lambda n: f"T-{n}")
    description = factory.Sequence(lambda n: f"Measure {n}")
    unit = models.Measure.Unit.NUMBER


class ProxyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProxyValue

    measure = factory.SubFactory(MeasureFactory)
    financial_year = 2024
    value_per_unit = Decimal("10")
    source = "Made-up test value"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Commitment

    contract = factory.SubFactory(ContractFactory)
    measure = factory.SubFactory(MeasureFactory)
    quantity = Decimal("100")
    due_by = dt.date(2026, 3, 31)


class SocialValueReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SocialValueReturn

    contract = factory.SubFactory(ContractFactory)
    period_start = dt.date(2024, 4, 1)
    period_end = dt.date(2024, 6, 30)
    status = models.SocialValueReturn.Status.DRAFT


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReturnLine

    social_value_return = factory.SubFactory(SocialValueReturnFactory)
    measure = factory.SubFactory(MeasureFactory)
    quantity = Decimal("10")


def verified_line(*, contract, measure, quantity, start=dt.date(2024, 4, 1), end=None):
    """A verified return for one period with one line: the common case in selector tests."""
    end = end or quarter_of(start).end
    social_value_return = SocialValueReturnFactory(
        contract=contract,
        period_start=start,
        period_end=end,
        status=models.SocialValueReturn.Status.VERIFIED,
    )
    return ReturnLineFactory(
        social_value_return=social_value_return, measure=measure, quantity=Decimal(quantity)
    )


class SupplierContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SupplierContact
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    supplier = factory.SubFactory(SupplierFactory)

    @factory.post_generation
    def in_suppliers_group(contact, create, extracted, **kwargs):
        if create:
            contact.user.groups.add(Group.objects.get(name=SUPPLIERS))
