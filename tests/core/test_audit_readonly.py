"""The audit trail is read-only: who changed what, when, and what it was before and after.

History comes from two places: django-simple-history's `Historical*` tables (contracts,
suppliers, variations, returns and the rest) and the append-only assessments and targets. No page
of the product, the Django admin included, changes or deletes a record of either.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from maturity.models import Action, AppendOnlyError, Assessment, Indicator, Target
from procurement.models import Contract, PipelineItem, Saving, Supplier, Variation
from socialvalue.models import Commitment, ReturnLine, SocialValueReturn
from tests.core.html_forms import form_on
from tests.factories import AssessmentFactory, TargetFactory
from tests.procurement.factories import (
    ContractFactory,
    PipelineItemFactory,
    SavingFactory,
    SupplierFactory,
    VariationFactory,
)
from tests.socialvalue.factories import (
    CommitmentFactory,
    MeasureFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    SupplierContactFactory,
)

pytestmark = pytest.mark.django_db

HISTORICAL_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, HistoricalChanges)),
    key=lambda model: model._meta.label,
)
APPEND_ONLY = [Assessment, Target]


def _admin_url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# -- the Historical* tables have no admin pages ---------------------------------------------------


def test_every_model_that_keeps_history_is_found():
    tracked = {model.instance_type.__name__ for model in HISTORICAL_MODELS}

    assert {"Contract", "Supplier", "Variation", "SocialValueReturn", "ReturnLine"} <= tracked


@pytest.mark.parametrize("model", HISTORICAL_MODELS, ids=lambda model: model.__name__)
def test_no_admin_page_adds_changes_or_deletes_a_history_record(admin_client_, model):
    assert not admin.site.is_registered(model)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    for url in (base, f"{base}add/", f"{base}1/change/", f"{base}1/delete/"):
        assert admin_client_.get(url).status_code == 404, url
        assert admin_client_.post(url, {"history_user": "", "post": "yes"}).status_code == 404


# -- the admin's history pages show past versions but never save one back -------------------------


def _action():
    indicator = Indicator.objects.create(
        key_area=AssessmentFactory().indicator.key_area, position=99, name="Walk"
    )
    return Action.objects.create(
        indicator=indicator, description="Walk", due_on=dt.date(2026, 1, 1)
    )


# model -> (make one, the field an edit changes, its new value)
TRACKED_IN_ADMIN: dict[type[Model], tuple[Callable[[], Model], str, object]] = {
    Contract: (ContractFactory.create, "title", "Edited title"),
    Supplier: (SupplierFactory.create, "name", "Edited Ltd"),
    Variation: (VariationFactory.create, "reason", "Edited reason"),
    SocialValueReturn: (SocialValueReturnFactory.create, "rejection_reason", "Edited"),
    Action: (_action, "description", "Edited"),
    Saving: (SavingFactory.create, "description", "Edited"),
    PipelineItem: (PipelineItemFactory.create, "title", "Edited"),
    Commitment: (CommitmentFactory.create, "notes", "Edited"),
}


def test_every_admin_with_history_pages_is_checked_below():
    with_history = {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    }

    assert with_history == set(TRACKED_IN_ADMIN)


@pytest.mark.parametrize("model", TRACKED_IN_ADMIN, ids=lambda model: model.__name__)
def test_an_administrator_can_read_a_past_version_but_not_revert_to_it(admin_client_, model):
    make, field, new_value = TRACKED_IN_ADMIN[model]
    record = make()
    original = getattr(record, field)
    setattr(record, field, new_value)
    record.save()
    first_version = record.history.earliest()
    history_count = record.history.count()
    past_version_url = _admin_url(model, "simple_history", record.pk, first_version.history_id)

    listing = admin_client_.get(_admin_url(model, "history", record.pk))
    page = admin_client_.get(past_version_url)
    revert = admin_client_.post(past_version_url, form_on(page, field))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    assert revert.status_code == 403
    record.refresh_from_db()
    assert getattr(record, field) == new_value != original
    assert record.history.count() == history_count


# -- assessments and targets are append-only ------------------------------------------------------


APPEND_ONLY_FACTORIES = {Assessment: AssessmentFactory, Target: TargetFactory}


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model.__name__)
def test_the_admin_shows_an_append_only_record_but_cannot_add_change_or_delete_one(
    administrator, admin_client_, model
):
    record = APPEND_ONLY_FACTORIES[model](level_id=2)
    change_url = _admin_url(model, "change", record.pk)
    add_url = _admin_url(model, "add")
    # What the admin's add form would have taken: any assessor, a future date, no target check.
    new_record = {
        "indicator": record.indicator_id,
        "level": 5,
        "assessed_on": "2099-01-01",
        "due_by": "2099-01-01",
        "assessor": administrator.pk,
        "set_by": "",
        "evidence": "Added in the admin",
        "rationale": "Added in the admin",
    }

    add_page = admin_client_.get(add_url)
    add = admin_client_.post(add_url, new_record)
    page = admin_client_.get(change_url)
    change = admin_client_.post(change_url, {"level": 5})
    delete_page = admin_client_.get(_admin_url(model, "delete", record.pk))
    delete = admin_client_.post(_admin_url(model, "delete", record.pk), {"post": "yes"})
    listing = admin_client_.get(_admin_url(model, "changelist"))
    bulk_delete = admin_client_.post(
        _admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )

    assert add_page.status_code == 403
    assert add.status_code == 403
    assert model.objects.count() == 1
    assert add_url not in admin_client_.get(reverse("admin:index")).content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert change.status_code == 403
    assert delete_page.status_code == 403
    assert delete.status_code == 403
    assert "delete_selected" not in listing.content.decode()
    assert add_url not in listing.content.decode()
    assert bulk_delete.status_code == 200  # the list again: there is no action to run
    record.refresh_from_db()
    assert record.level_id == 2


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model.__name__)
def test_an_append_only_record_refuses_save_and_delete(model):
    record = APPEND_ONLY_FACTORIES[model](level_id=2)
    record.level_id = 5

    with pytest.raises(ValidationError, match="cannot be changed"):
        record.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        record.delete()

    assert model.objects.filter(pk=record.pk, level_id=2).exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model.__name__)
def test_an_append_only_record_refuses_save_when_fetched_afresh(model):
    record = APPEND_ONLY_FACTORIES[model](level_id=2)
    fetched = model.objects.get(pk=record.pk)
    fetched.level_id = 5

    with pytest.raises(ValidationError):
        fetched.save(update_fields=["level"])

    assert model.objects.get(pk=record.pk).level_id == 2


@pytest.mark.parametrize(
    "bypass",
    [
        pytest.param(lambda model, pk: model.objects.filter(pk=pk).update(level_id=5), id="update"),
        pytest.param(lambda model, pk: model.objects.filter(pk=pk).delete(), id="delete"),
        pytest.param(
            lambda model, pk: model.objects.bulk_update(
                [model(pk=pk, level_id=5)], fields=["level"]
            ),
            id="bulk_update",
        ),
    ],
)
@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model.__name__)
def test_an_append_only_record_refuses_queryset_writes(model, bypass):
    record = APPEND_ONLY_FACTORIES[model](level_id=2)

    with pytest.raises(AppendOnlyError, match="cannot be"):
        bypass(model, record.pk)

    assert model.objects.filter(pk=record.pk, level_id=2).exists()


def test_a_new_assessment_object_with_an_existing_id_does_not_overwrite_it():
    record = AssessmentFactory(level_id=2, evidence="Original")
    impostor = Assessment(
        pk=record.pk,
        indicator=record.indicator,
        level_id=5,
        assessed_on=record.assessed_on,
        evidence="Rewritten",
        recorded_at=record.recorded_at,
    )

    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        impostor.save()

    record.refresh_from_db()
    assert (record.level_id, record.evidence) == (2, "Original")


def test_an_append_only_record_refuses_a_forced_update_and_changes_through_its_indicator():
    record = AssessmentFactory(level_id=2)
    fetched = Assessment.objects.get(pk=record.pk)
    fetched.level_id = 5

    with pytest.raises(AppendOnlyError):
        fetched.save(force_update=True)
    with pytest.raises(AppendOnlyError):
        record.indicator.assessments.update(level_id=5)
    with pytest.raises(AppendOnlyError):
        record.indicator.assessments.all().delete()
    with pytest.raises(AppendOnlyError):
        Assessment.objects.bulk_create(
            [fetched], update_conflicts=True, unique_fields=["id"], update_fields=["level"]
        )

    assert Assessment.objects.get(pk=record.pk).level_id == 2


def test_new_assessments_and_targets_are_still_added_one_at_a_time_and_in_bulk():
    record = AssessmentFactory(level_id=2)
    target = TargetFactory(indicator=record.indicator, level_id=3)
    copy = Assessment.objects.get(pk=record.pk)
    copy.pk = None  # a copy of a fetched row is a new row

    copy.save()
    Assessment.objects.bulk_create(
        [Assessment(indicator=record.indicator, level_id=4, assessed_on=record.assessed_on)]
    )
    Target.objects.bulk_create(
        [Target(indicator=record.indicator, level_id=5, due_by=target.due_by)]
    )

    assert sorted(record.indicator.assessments.values_list("level_id", flat=True)) == [2, 2, 4]
    assert sorted(record.indicator.targets.values_list("level_id", flat=True)) == [3, 5]


def _fixture_of(record: Assessment, path: Path, **changes: object) -> str:
    fields = {"assessor": None, "commentary": "", **changes}
    rows = [
        {
            "model": record._meta.label_lower,
            "pk": record.pk,
            "fields": {
                "indicator": record.indicator_id,
                "level": record.level_id,
                "assessed_on": record.assessed_on.isoformat(),
                "evidence": record.evidence,
                "recorded_at": record.recorded_at.isoformat(),
                **fields,
            },
        }
    ]
    path.write_text(json.dumps(rows))
    return str(path)


def test_loading_a_fixture_again_leaves_an_identical_record_as_it_was(tmp_path):
    record = AssessmentFactory(level_id=2, assessor=None, commentary="")
    fixture = _fixture_of(record, tmp_path / "same.json")

    call_command("loaddata", fixture, verbosity=0)

    assert Assessment.objects.filter(pk=record.pk).values_list("level_id", "evidence").get() == (
        2,
        record.evidence,
    )


def test_a_fixture_that_would_change_a_recorded_assessment_is_refused(tmp_path):
    record = AssessmentFactory(level_id=2, assessor=None, commentary="")
    fixture = _fixture_of(record, tmp_path / "edited.json", level=5, evidence="Rewritten")

    refused = f"Assessment {record.pk} .* different level and evidence"
    with pytest.raises(AppendOnlyError, match=refused):
        call_command("loaddata", fixture, verbosity=0)

    record.refresh_from_db()
    assert (record.level_id, record.evidence) != (5, "Rewritten")
    assert record.level_id == 2


# -- each change through a page records who, when, and before and after ---------------------------


def _date(prefix: str, day: dt.date) -> dict[str, int]:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _changes(record) -> list[tuple[str, object, object]]:
    previous = record.prev_record
    return sorted((c.field, c.old, c.new) for c in record.diff_against(previous).changes)


def _recorded_just_now(record, before: dt.datetime) -> bool:
    return before <= record.history_date <= timezone.now()


def test_a_contract_edit_records_the_officer_the_time_and_before_and_after(officer, officer_client):
    contract = ContractFactory(title="Home care")
    url = reverse("procurement:contract-edit", args=[contract.pk])
    before = timezone.now()

    officer_client.post(url, {**form_on(officer_client.get(url), "version"), "title": "Care"})

    latest = contract.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == officer
    assert _recorded_just_now(latest, before)
    assert _changes(latest) == [("title", "Home care", "Care")]


def test_a_supplier_edit_records_the_officer_the_time_and_before_and_after(officer, officer_client):
    supplier = SupplierFactory(postcode="WR1 1AA")
    url = reverse("procurement:supplier-edit", args=[supplier.pk])
    before = timezone.now()

    officer_client.post(url, {**form_on(officer_client.get(url), "version"), "postcode": "WR5 2NP"})

    latest = supplier.history.first()
    assert latest.history_user == officer
    assert _recorded_just_now(latest, before)
    assert ("postcode", "WR1 1AA", "WR5 2NP") in _changes(latest)


def test_a_variation_records_the_officer_the_time_and_the_contract_before_and_after(
    officer, officer_client
):
    contract = ContractFactory(total_value=Decimal("250000"))
    before = timezone.now()

    officer_client.post(
        reverse("procurement:variation-create", args=[contract.pk]),
        {
            "reason": "More hours",
            "value_change": "25000",
            **_date("varied_on", dt.date(2025, 1, 10)),
        },
    )

    variation = Variation.objects.get(contract=contract).history.get()
    assert (variation.history_type, variation.history_user) == ("+", officer)
    assert _recorded_just_now(variation, before)
    assert variation.value_change == Decimal("25000")
    contract_change = contract.history.first()
    assert contract_change.history_user == officer
    assert ("total_value", Decimal("250000.00"), Decimal("275000.00")) in _changes(contract_change)


def test_a_return_records_who_changed_submitted_and_verified_it_and_when(officer, officer_client):
    line = ReturnLineFactory(measure=MeasureFactory(), quantity=10)
    social_value_return = line.social_value_return
    contact = SupplierContactFactory(supplier=social_value_return.contract.supplier)
    supplier_client = officer_client.__class__()
    supplier_client.force_login(contact.user)
    edit_url = reverse("socialvalue:return-edit", args=[social_value_return.pk])
    before = timezone.now()

    form = form_on(supplier_client.get(edit_url), "version")
    supplier_client.post(edit_url, {**form, f"line-{line.measure_id}-quantity": "12"})
    supplier_client.post(
        reverse("socialvalue:return-submit", args=[social_value_return.pk]), {"version": 2}
    )
    officer_client.post(
        reverse("socialvalue:return-verify", args=[social_value_return.pk]), {"version": 3}
    )

    verified, submitted, edited, created = social_value_return.history.all()
    assert [h.history_user for h in (verified, submitted, edited)] == [
        officer,
        contact.user,
        contact.user,
    ]
    assert all(_recorded_just_now(h, before) for h in (verified, submitted, edited))
    assert ("status", "submitted", "verified") in _changes(verified)
    assert ("status", "draft", "submitted") in _changes(submitted)
    line_change = ReturnLine.objects.get(pk=line.pk).history.first()
    assert line_change.history_user == contact.user
    assert ("quantity", Decimal("10.00"), Decimal("12.00")) in _changes(line_change)
