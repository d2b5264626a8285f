"""factory_boy factories for the models tests build by hand."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from maturity import models as maturity


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    password = factory.django.Password("correct horse battery staple")


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.Framework

    name = factory.Sequence(lambda n: f"Framework {n}")
    slug = factory.Sequence(lambda n: f"framework-{n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.Theme

    framework = factory.SubFactory(FrameworkFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Theme {n}")


class KeyAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.KeyArea

    theme = factory.SubFactory(ThemeFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Key area {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.Indicator

    key_area = factory.SubFactory(KeyAreaFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Indicator {n}")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.Assessment

    indicator = factory.SubFactory(IndicatorFactory)
    level_id = 2
    assessed_on = dt.date(2022, 4, 1)
    evidence = "Evidence"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = maturity.Target

    indicator = factory.SubFactory(IndicatorFactory)
    level_id = 4
    due_by = dt.date(2025, 3, 31)
    rationale = "Strategy"
