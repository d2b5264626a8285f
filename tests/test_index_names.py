"""Every index our models declare has a name a reader can follow in a migration."""

from __future__ import annotations

import re

from django.apps import apps

OURS = {"core", "accounts", "maturity", "procurement", "socialvalue", "dashboards", "demo"}
GENERATED = re.compile(r".+_[0-9a-f]{6}_idx")  # Index.set_name_with_model's hashed name


def _our_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OURS and not hasattr(model, "instance_type")  # no history
    ]


def test_every_declared_index_is_named():
    generated = [
        f"{model._meta.label}: {index.name}"
        for model in _our_models()
        for index in model._meta.indexes
        if GENERATED.fullmatch(index.name)
    ]

    assert generated == []


def test_no_plain_field_asks_for_an_unnamed_index():
    unnamed = [
        f"{model._meta.label}.{field.name}"
        for model in _our_models()
        for field in model._meta.local_fields
        if field.db_index and not (field.is_relation or field.unique or field.primary_key)
    ]

    assert unnamed == []
