"""Two officers saving the same record at once: one wins, the other is told, nothing is lost.

Every test here uses two threads, and each thread has its own database connection, so the two
saves really are two transactions. On PostgreSQL the threads use the test database. On SQLite
the test database lives in memory, where a connection that meets another's lock fails at once
("database table is locked") instead of waiting for it as connections to the app's database file
do (the settings open SQLite transactions with BEGIN IMMEDIATE so that they wait); so on SQLite
the test copies its database to a file and every connection, the test's own included, uses the
copy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse

from accounts import roles
from core.concurrency import STALE_MESSAGE, StaleEdit, VersionedModel, update_versioned
from core.save_flow import save_form
from core.versioned_admin import VersionedAdminMixin
from maturity.models import Action, Indicator, Target
from maturity.services import target_set
from procurement.forms.register import VariationForm
from procurement.models import Contract, SpendFlagReview, SpendLayout, Supplier
from procurement.services.spend_layouts import spend_layout_save
from socialvalue.models import ReturnLine, SocialValueReturn
from tests.core.html_forms import form_on
from tests.factories import IndicatorFactory, TargetFactory, UserFactory
from tests.procurement.factories import ContractFactory, SupplierFactory
from tests.socialvalue.factories import (
    MeasureFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    SupplierContactFactory,
)
from tests.waiting import wait_until

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STALE_CONTRACT = "Someone else changed this contract after you opened it"
STALE_TARGET = "Someone else set a new target for this indicator while you were editing"
WAIT = 10  # seconds; a thread still waiting after this has deadlocked


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[None]:
    """For the whole test every connection, in any thread, reaches the same database, on SQLite
    through a file (see the module docstring)."""
    if connection.vendor != "sqlite":
        yield
        return
    in_memory = connections["default"]
    settings_dict = connections.settings["default"]
    copy = tmp_path / "shared.sqlite3"
    in_memory.ensure_connection()
    target = sqlite3.connect(copy)
    in_memory.connection.backup(target)
    target.close()
    on_file = {**settings_dict, "NAME": str(copy)}
    connections.settings["default"] = on_file
    connections["default"] = load_backend(on_file["ENGINE"]).DatabaseWrapper(on_file, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = settings_dict
        connections["default"] = in_memory


def _in_threads(*work: Callable[[], Any], expect: tuple[type[Exception], ...] = ()) -> list[Any]:
    """Run each callable in its own thread (so on its own connection); return their results.

    An exception of a type in `expect` is returned as that callable's result; any other is
    raised here.
    """
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = work[index]()
        except expect as error:
            results[index] = error
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
        assert not thread.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _officer(name: str) -> User:
    user: User = UserFactory.create(username=name, first_name=name.title(), last_name="Officer")
    user.groups.add(Group.objects.get(name=roles.OFFICERS))
    return user


# -- the contract edit page -----------------------------------------------------------------------


@transactional
def test_two_officers_edit_one_contract_the_first_save_wins_and_the_second_is_told(
    shared_database,
):
    contract = ContractFactory(title="Home care", department="Adults")
    url = reverse("procurement:contract-edit", args=[contract.pk])
    first, second = _officer("first"), _officer("second")
    first_client, second_client = _signed_in(first), _signed_in(second)
    both_loaded = threading.Barrier(2, timeout=WAIT)
    first_saved = threading.Event()

    def first_officer():
        form = form_on(first_client.get(url), "version")
        both_loaded.wait()
        try:
            return form, first_client.post(url, {**form, "title": "Home care and reablement"})
        finally:
            first_saved.set()

    def second_officer():
        form = form_on(second_client.get(url), "version")
        both_loaded.wait()
        assert first_saved.wait(WAIT)
        changed = {**form, "title": "Home care (north)", "department": "Children's services"}
        return form, second_client.post(url, changed)

    (first_form, first_response), (second_form, second_response) = _in_threads(
        first_officer, second_officer
    )

    assert first_form["version"] == second_form["version"] == "1"
    assert first_response.status_code == 302
    assert second_response.status_code == 200
    body = second_response.content.decode()
    assert (
        "Someone else changed this contract after you opened it, so your changes have not been "
        "saved. Their version is shown below: check it and make your changes again."
    ) in body
    assert [(c.label, c.before, c.after) for c in second_response.context["unsaved"]] == [
        ("Title", "Home care and reablement", "Home care (north)"),
        ("Department", "Adults", "Children's services"),
    ]
    contract.refresh_from_db()
    assert (contract.title, contract.department, contract.version) == (
        "Home care and reablement",
        "Adults",
        2,
    )
    assert [(h.history_user, h.version) for h in contract.history.all()] == [
        (first, 2),
        (None, 1),
    ]
    # The page the second officer is shown holds the saved version: their retry goes through.
    retry = form_on(second_response, "version")
    assert retry["version"] == "2"
    assert (
        second_client.post(url, {**retry, "department": "Children's services"}).status_code == 302
    )
    contract.refresh_from_db()
    assert (contract.title, contract.department, contract.version) == (
        "Home care and reablement",
        "Children's services",
        3,
    )
    assert [h.history_user for h in contract.history.all()] == [second, first, None]


@transactional
def test_two_officers_pressing_save_on_one_contract_at_the_same_moment_one_is_told(
    shared_database,
):
    contract = ContractFactory(title="Highways")
    url = reverse("procurement:contract-edit", args=[contract.pk])
    clients = [_signed_in(_officer("left")), _signed_in(_officer("right"))]
    forms = [form_on(client.get(url), "version") for client in clients]
    at_once = threading.Barrier(2, timeout=WAIT)

    def save(index: int, title: str):
        at_once.wait()
        return clients[index].post(url, {**forms[index], "title": title})

    responses = _in_threads(lambda: save(0, "Highways (left)"), lambda: save(1, "Highways (right)"))

    assert sorted(response.status_code for response in responses) == [200, 302]
    (winner,) = [i for i, response in enumerate(responses) if response.status_code == 302]
    (loser,) = [i for i, response in enumerate(responses) if response.status_code == 200]
    assert STALE_CONTRACT in responses[loser].content.decode()
    contract.refresh_from_db()
    assert contract.title == ["Highways (left)", "Highways (right)"][winner]
    assert contract.version == 2
    assert contract.history.count() == 2


def _two_officers_edit(url: str, first_changes: dict, second_changes: dict) -> tuple:
    """Both open the edit page; the first saves, then the second saves from its stale page."""
    first_client, second_client = _signed_in(_officer("first")), _signed_in(_officer("second"))
    both_loaded = threading.Barrier(2, timeout=WAIT)
    first_saved = threading.Event()

    def first_officer():
        form = form_on(first_client.get(url), "version")
        both_loaded.wait()
        try:
            return first_client.post(url, {**form, **first_changes})
        finally:
            first_saved.set()

    def second_officer():
        form = form_on(second_client.get(url), "version")
        both_loaded.wait()
        assert first_saved.wait(WAIT)
        return second_client.post(url, {**form, **second_changes})

    return tuple(_in_threads(first_officer, second_officer))


@transactional
def test_two_officers_edit_one_supplier_the_second_is_told(shared_database):
    supplier = SupplierFactory(name="Acme Cleaning", postcode="WR1 1AA")
    url = reverse("procurement:supplier-edit", args=[supplier.pk])

    first_response, second_response = _two_officers_edit(
        url, {"postcode": "WR5 2NP"}, {"name": "Acme Cleaning Services"}
    )

    assert (first_response.status_code, second_response.status_code) == (302, 200)
    assert (
        "Someone else changed this supplier after you opened it" in second_response.content.decode()
    )
    supplier.refresh_from_db()
    assert (supplier.name, supplier.postcode, supplier.version) == ("Acme Cleaning", "WR5 2NP", 2)


# -- the maturity "set a target" page -------------------------------------------------------------


@transactional
def test_two_officers_set_a_target_at_once_the_second_is_told_and_the_first_is_kept(
    shared_database,
):
    indicator = IndicatorFactory()
    baseline = TargetFactory(indicator=indicator, level_id=2, rationale="From the strategy")
    url = reverse("maturity:target-create", args=[indicator.pk])
    first, second = _officer("first"), _officer("second")
    first_client, second_client = _signed_in(first), _signed_in(second)
    both_loaded = threading.Barrier(2, timeout=WAIT)
    first_saved = threading.Event()

    def target(form: dict[str, Any], level: int, rationale: str) -> dict[str, Any]:
        return {
            **form,
            "level": level,
            "due_by_0": 31,
            "due_by_1": 3,
            "due_by_2": 2027,
            "rationale": rationale,
        }

    def first_officer():
        form = form_on(first_client.get(url), "replaces_target_id")
        both_loaded.wait()
        try:
            return form, first_client.post(url, target(form, 3, "Agreed at board"))
        finally:
            first_saved.set()

    def second_officer():
        form = form_on(second_client.get(url), "replaces_target_id")
        both_loaded.wait()
        assert first_saved.wait(WAIT)
        return form, second_client.post(url, target(form, 5, "Aim high"))

    (first_form, first_response), (second_form, second_response) = _in_threads(
        first_officer, second_officer
    )

    assert first_form["replaces_target_id"] == second_form["replaces_target_id"] == str(baseline.pk)
    assert first_response.status_code == 302
    assert second_response.status_code == 200
    assert STALE_TARGET in second_response.content.decode()
    # Targets are append-only: the baseline and the first officer's target are both kept, and the
    # second officer's is not saved unseen over the first's.
    assert [(t.level_id, t.set_by, t.rationale) for t in indicator.targets.all()] == [
        (3, first, "Agreed at board"),
        (2, None, "From the strategy"),
    ]
    # After reloading the page the second officer can set theirs; all three stay in the history.
    retry = form_on(second_client.get(url), "replaces_target_id")
    assert retry["replaces_target_id"] == str(indicator.targets.first().pk)
    assert second_client.post(url, target(retry, 5, "Aim high")).status_code == 302
    assert [(t.level_id, t.set_by) for t in indicator.targets.all()] == [
        (5, second),
        (3, first),
        (2, None),
    ]


@transactional
def test_two_officers_pressing_save_target_at_the_same_moment_one_is_told(shared_database):
    indicator = IndicatorFactory()
    url = reverse("maturity:target-create", args=[indicator.pk])
    clients = [_signed_in(_officer("left")), _signed_in(_officer("right"))]
    forms = [form_on(client.get(url), "replaces_target_id") for client in clients]
    at_once = threading.Barrier(2, timeout=WAIT)

    def save(index: int, level: int):
        dates = {"due_by_0": 31, "due_by_1": 3, "due_by_2": 2028}
        at_once.wait()
        return clients[index].post(
            url, {**forms[index], **dates, "level": level, "rationale": f"Level {level}"}
        )

    responses = _in_threads(lambda: save(0, 3), lambda: save(1, 4))

    assert sorted(response.status_code for response in responses) == [200, 302]
    (winner,) = [i for i, response in enumerate(responses) if response.status_code == 302]
    (loser,) = [i for i, response in enumerate(responses) if response.status_code == 200]
    assert STALE_TARGET in responses[loser].content.decode()
    assert [target.level_id for target in indicator.targets.all()] == [[3, 4][winner]]


@pytest.mark.django_db
def test_the_officer_told_of_a_new_target_is_shown_it_and_can_save_again_from_that_page():
    indicator = IndicatorFactory()
    url = reverse("maturity:target-create", args=[indicator.pk])
    late = _officer("late")
    officer_client = _signed_in(late)
    form = form_on(officer_client.get(url), "replaces_target_id")
    quick = _officer("quick")
    theirs = Target.objects.create(
        indicator=indicator, level_id=3, due_by=dt.date(2027, 3, 31), set_by=quick
    )
    told = officer_client.post(
        url, {**form, "level": 4, "due_by_0": 1, "due_by_1": 4, "due_by_2": 2028, "rationale": "x"}
    )
    assert STALE_TARGET in told.content.decode()
    assert told.context["current_target"] == theirs
    shown = told.content.decode().split('id="current-target"')[1].split("</dl>")[0]
    assert "3. Mature" in shown
    assert "31 March 2027" in shown
    assert "Quick Officer" in shown
    # The officer's own values are kept, and the form now replaces the target they were shown.
    retry = form_on(told, "replaces_target_id")
    assert retry["replaces_target_id"] == str(theirs.pk)
    assert (retry["level"], retry["due_by_2"], retry["rationale"]) == ("4", "2028", "x")

    again = officer_client.post(url, retry)

    assert STALE_TARGET not in again.content.decode()
    assert again.status_code == 302
    assert [(t.level_id, t.set_by) for t in indicator.targets.all()] == [(4, late), (3, quick)]


@pytest.mark.django_db
def test_the_officer_told_of_a_new_target_is_told_again_if_a_third_is_set_meanwhile():
    indicator = IndicatorFactory()
    url = reverse("maturity:target-create", args=[indicator.pk])
    officer_client = _signed_in(_officer("late"))
    form = form_on(officer_client.get(url), "replaces_target_id")
    mine = {"level": 4, "due_by_0": 1, "due_by_1": 4, "due_by_2": 2028, "rationale": "x"}
    Target.objects.create(indicator=indicator, level_id=3, due_by=dt.date(2027, 3, 31))
    told = officer_client.post(url, {**form, **mine})
    newest = Target.objects.create(indicator=indicator, level_id=5, due_by=dt.date(2029, 3, 31))

    again = officer_client.post(url, form_on(told, "replaces_target_id"))

    assert again.status_code == 200
    assert STALE_TARGET in again.content.decode()
    assert again.context["current_target"] == newest
    assert indicator.targets.count() == 2


# -- variations -----------------------------------------------------------------------------------


@transactional
def test_two_variations_recorded_at_the_same_moment_both_count(shared_database):
    # Variations are not versioned: each is a new row, and both change the contract's value.
    contract = ContractFactory(total_value=Decimal("250000"), end_date=dt.date(2026, 3, 31))
    url = reverse("procurement:variation-create", args=[contract.pk])
    first, second = _officer("first"), _officer("second")
    clients = {first: _signed_in(first), second: _signed_in(second)}
    at_once = threading.Barrier(2, timeout=WAIT)

    def record(officer, value_change: str):
        at_once.wait()
        return clients[officer].post(
            url,
            {
                "reason": f"Change by {officer.username}",
                "value_change": value_change,
                "varied_on_0": 1,
                "varied_on_1": 6,
                "varied_on_2": 2025,
            },
        )

    responses = _in_threads(lambda: record(first, "10000"), lambda: record(second, "20000"))

    assert [response.status_code for response in responses] == [302, 302]
    contract.refresh_from_db()
    assert contract.total_value == Decimal("280000")
    assert contract.version == 3
    assert sorted((v.recorded_by.username, v.value_change) for v in contract.variations.all()) == [
        ("first", Decimal("10000")),
        ("second", Decimal("20000")),
    ]


@pytest.mark.django_db
def test_a_stale_edit_on_the_variation_page_is_shown_as_a_message_not_an_error_page(officer, rf):
    # variation_record locks the contract before it checks the version, so no real save there
    # is stale; the page must still show the message if one ever is.
    contract = ContractFactory(reference="C-001")
    variation = {"reason": "More hours", "value_change": "100"}
    request = rf.post("/", {**variation, "varied_on_0": 1, "varied_on_1": 6, "varied_on_2": 2025})
    request.user = officer

    def stale_save(_data):
        raise StaleEdit(STALE_MESSAGE.format(noun="contract"))

    response = save_form(
        request,
        VariationForm(request.POST),
        stale_save,
        template="procurement/register/variation_form.html",
        context={"contract": contract},
        success="Variation recorded.",
        next_url="procurement:contract-list",
    )

    assert response.status_code == 200
    assert STALE_CONTRACT in response.content.decode()


# -- a social value return ------------------------------------------------------------------------


@transactional
def test_a_supplier_and_an_officer_editing_one_return_the_second_is_told(shared_database):
    line = ReturnLineFactory(measure=MeasureFactory(), quantity=10)
    social_value_return = line.social_value_return
    contact = SupplierContactFactory(supplier=social_value_return.contract.supplier)
    url = reverse("socialvalue:return-edit", args=[social_value_return.pk])
    field = f"line-{line.measure_id}-quantity"
    supplier_client, officer_client = _signed_in(contact.user), _signed_in(_officer("checker"))
    both_loaded = threading.Barrier(2, timeout=WAIT)
    first_saved = threading.Event()

    def supplier_user():
        form = form_on(supplier_client.get(url), "version")
        both_loaded.wait()
        try:
            return supplier_client.post(url, {**form, field: "12"})
        finally:
            first_saved.set()

    def officer():
        form = form_on(officer_client.get(url), "version")
        both_loaded.wait()
        assert first_saved.wait(WAIT)
        evidence = f"line-{line.measure_id}-evidence"
        return officer_client.post(url, {**form, field: "99", evidence: "Payroll"})

    supplier_response, officer_response = _in_threads(supplier_user, officer)

    assert (supplier_response.status_code, officer_response.status_code) == (302, 200)
    assert (
        "Someone else changed this social value return after you opened it, so your changes "
        "have not been saved. Their version is shown below"
    ) in officer_response.content.decode()
    code, unit = line.measure.code, line.measure.get_unit_display()
    assert [(c.label, c.before, c.after) for c in officer_response.context["unsaved"]] == [
        (f"{code} quantity delivered", f"12 ({unit})", f"99 ({unit})"),
        (f"{code} evidence", "Not set", "Payroll"),
    ]
    social_value_return.refresh_from_db()
    assert social_value_return.version == 2
    assert ReturnLine.objects.get(pk=line.pk).quantity == 12
    # The page the officer is shown holds the supplier's saved values and the new version: the
    # officer's retry goes through.
    retry = form_on(officer_response, "version")
    assert (retry["version"], retry[field]) == ("2", "12")
    assert officer_client.post(url, {**retry, field: "99"}).status_code == 302
    social_value_return.refresh_from_db()
    assert social_value_return.version == 3
    assert ReturnLine.objects.get(pk=line.pk).quantity == 99


# -- the Django admin -----------------------------------------------------------------------------

# model -> (make one, a field the admin form changes, its new value)
VERSIONED_ADMINS: dict[type[VersionedModel], tuple[Callable[[], Any], str, str]] = {
    Contract: (ContractFactory, "title", "Changed in the admin"),
    Supplier: (SupplierFactory, "name", "Changed in the admin Ltd"),
    SocialValueReturn: (SocialValueReturnFactory, "rejection_reason", "Changed in the admin"),
    Action: (
        lambda: Action.objects.create(
            indicator=IndicatorFactory.create(), description="Made", due_on=dt.date(2026, 1, 1)
        ),
        "description",
        "Changed in the admin",
    ),
}


def _admin_change_url(record: VersionedModel) -> str:
    return reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
    )


def test_every_versioned_model_s_admin_is_versioned():
    registered = {model for model in admin.site._registry if issubclass(model, VersionedModel)}

    assert registered == set(VERSIONED_ADMINS)
    assert all(isinstance(admin.site._registry[model], VersionedAdminMixin) for model in registered)


@pytest.mark.django_db
@pytest.mark.parametrize("model", VERSIONED_ADMINS, ids=lambda model: model.__name__)
def test_an_administrator_s_save_moves_the_version_on_and_records_who(
    administrator, admin_client_, model
):
    make, field, value = VERSIONED_ADMINS[model]
    record = make()
    url = _admin_change_url(record)
    form = form_on(admin_client_.get(url), "version")

    response = admin_client_.post(url, {**form, field: value})

    assert form["version"] == "1"
    assert response.status_code == 302
    record.refresh_from_db()
    assert (getattr(record, field), record.version) == (value, 2)
    assert record.history.first().history_user == administrator


@pytest.mark.django_db
@pytest.mark.parametrize("model", VERSIONED_ADMINS, ids=lambda model: model.__name__)
def test_an_admin_form_opened_before_someone_else_saved_is_refused(admin_client_, model):
    make, field, value = VERSIONED_ADMINS[model]
    record = make()
    url = _admin_change_url(record)
    form = form_on(admin_client_.get(url), "version")
    update_versioned(
        model.objects.get(pk=record.pk), expected_version=1, changes={field: "Theirs"}, user=None
    )

    response = admin_client_.post(url, {**form, field: value})

    assert response.status_code == 200
    assert (
        f"Someone else changed this {model._meta.verbose_name} after you opened it, so your "
        "changes have not been saved."
    ) in response.content.decode()
    record.refresh_from_db()
    assert (getattr(record, field), record.version) == ("Theirs", 2)


@pytest.mark.django_db
def test_an_officer_whose_form_was_open_while_an_administrator_saved_is_told(
    officer_client, admin_client_
):
    contract = ContractFactory(title="Home care", department="Adults")
    officer_url = reverse("procurement:contract-edit", args=[contract.pk])
    admin_url = _admin_change_url(contract)
    officer_form = form_on(officer_client.get(officer_url), "version")
    admin_form = form_on(admin_client_.get(admin_url), "version")

    by_admin = admin_client_.post(admin_url, {**admin_form, "title": "Home care (admin)"})
    told = officer_client.post(officer_url, {**officer_form, "department": "Children's services"})

    assert by_admin.status_code == 302
    assert told.status_code == 200
    assert STALE_CONTRACT in told.content.decode()
    contract.refresh_from_db()
    assert (contract.title, contract.department, contract.version) == (
        "Home care (admin)",
        "Adults",
        2,
    )


# -- update_versioned itself ----------------------------------------------------------------------


def _save_at_the_same_moment(pk: int, titles: tuple[str, str]) -> list[Any]:
    at_once = threading.Barrier(2, timeout=WAIT)

    # On PostgreSQL both transactions are open before either saves. SQLite has one writer at a
    # time and a transaction takes the lock as it begins (BEGIN IMMEDIATE), so there two cannot
    # be open at once: the second waits at its start instead.
    both_open = connection.vendor == "postgresql"

    def save(title: str) -> str:
        contract = Contract.objects.get(pk=pk)
        with transaction.atomic() if both_open else nullcontext():
            if both_open:
                Contract.objects.filter(pk=pk).exists()
            at_once.wait()
            update_versioned(contract, expected_version=1, changes={"title": title}, user=None)
        return title

    return _in_threads(lambda: save(titles[0]), lambda: save(titles[1]), expect=(StaleEdit,))


@transactional
@pytest.mark.parametrize("attempt", range(3))
def test_two_saves_at_the_same_moment_exactly_one_succeeds(shared_database, attempt):
    contract = ContractFactory(title="Original")

    results = _save_at_the_same_moment(contract.pk, ("Mine", "Theirs"))

    saved = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if not isinstance(result, str)]
    assert len(saved) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], StaleEdit), results
    contract.refresh_from_db()
    assert (contract.title, contract.version) == (saved[0], 2)
    assert contract.history.count() == 2


def _tell_when_it_begins_a_transaction(begins: threading.Event) -> None:
    """On SQLite, set `begins` when this thread's connection starts BEGIN IMMEDIATE: SQLite
    reports the statement before it takes the lock, and while another transaction holds the
    lock the statement cannot end, so from then on this thread is waiting."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()

    def traced(statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            begins.set()

    connection.connection.set_trace_callback(traced)


def _until_the_second_waits_for_a_lock(second_begins: threading.Event) -> None:
    """Return once another connection waits for a lock: on SQLite when the second thread has
    begun its transaction (see above), on PostgreSQL when the server shows a backend of this
    database waiting on a lock."""
    if connection.vendor == "sqlite":
        assert second_begins.wait(WAIT), "the second save never began its transaction"
        return

    def a_backend_waits_for_a_lock() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    wait_until(
        a_backend_waits_for_a_lock,
        seconds=WAIT,
        message="the second save never waited for the lock",
    )


def _second_while_first_is_open(
    first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Any, Any, bool]:
    """Run `first` in a transaction kept open after it saves until `second`, run in another
    thread once `first` has saved, is waiting for its lock. Return both results, and whether
    `second` ended only after `first` had committed (that is, it waited for the lock)."""
    saved = threading.Event()
    release = threading.Event()
    second_begins = threading.Event()
    ended_at: dict[str, float] = {}

    def hold_open() -> Any:
        with transaction.atomic():
            result = first()
            saved.set()
            assert release.wait(WAIT)
        ended_at["first"] = time.monotonic()
        return result

    def then_second() -> Any:
        assert saved.wait(WAIT)
        _tell_when_it_begins_a_transaction(second_begins)
        try:
            return second()
        finally:
            ended_at["second"] = time.monotonic()

    def referee() -> None:
        assert saved.wait(WAIT)
        _until_the_second_waits_for_a_lock(second_begins)
        release.set()

    first_result, second_result, _ = _in_threads(
        hold_open, then_second, referee, expect=(StaleEdit, ValidationError)
    )
    return first_result, second_result, ended_at["second"] >= ended_at["first"]


@transactional
def test_a_save_waits_while_another_holds_the_contract_then_is_told(shared_database):
    contract = ContractFactory(title="Original")
    opened = Contract.objects.get(pk=contract.pk)

    def save(title: str) -> Contract:
        return update_versioned(opened, expected_version=1, changes={"title": title}, user=None)

    first, second, waited = _second_while_first_is_open(
        lambda: save("First"), lambda: save("Second")
    )

    assert isinstance(first, Contract)
    assert isinstance(second, StaleEdit)
    assert waited
    contract.refresh_from_db()
    assert (contract.title, contract.version) == ("First", 2)


@transactional
def test_a_target_waits_while_another_is_being_set_then_is_told(shared_database):
    indicator = IndicatorFactory()
    officers = [_officer("first"), _officer("second")]

    def set_target(officer) -> Target:
        return target_set(
            indicator=indicator,
            level=4,
            due_by=dt.date(2028, 3, 31),
            set_by=officer,
            rationale=officer.username,
            replaces_target_id=None,
        )

    first, second, waited = _second_while_first_is_open(
        lambda: set_target(officers[0]), lambda: set_target(officers[1])
    )

    assert isinstance(first, Target)
    assert isinstance(second, ValidationError)
    assert STALE_TARGET in second.messages[0]
    assert waited
    assert [target.set_by for target in indicator.targets.all()] == [officers[0]]


@transactional
def test_two_officers_edit_one_action_the_second_is_told(shared_database):
    action = Action.objects.create(
        indicator=IndicatorFactory(), description="Publish the pipeline", due_on=dt.date(2027, 1, 1)
    )
    url = reverse("maturity:action-edit", args=[action.pk])

    first, second = _two_officers_edit(
        url, {"status": Action.Status.IN_PROGRESS}, {"description": "Publish it quarterly"}
    )

    assert (first.status_code, second.status_code) == (302, 200)
    assert "Someone else changed this" in second.content.decode()
    action.refresh_from_db()
    assert (action.description, action.status, action.version) == (
        "Publish the pipeline",
        Action.Status.IN_PROGRESS,
        2,
    )


@transactional
def test_two_officers_change_one_remembered_layout_the_second_is_told(shared_database):
    headings = ["Updated", "Payee", "Value", "Ref"]
    mapping = {"date": "Updated", "supplier": "Payee", "amount": "Value"}
    layout = spend_layout_save(headings=headings, mapping=mapping, user=_officer("maker"))
    url = reverse("procurement:spend-layout-edit", args=[layout.pk])

    first, second = _two_officers_edit(url, {"reference": "Ref"}, {"reference": ""})

    assert (first.status_code, second.status_code) == (302, 200)
    assert "Someone else changed this" in second.content.decode()
    layout.refresh_from_db()
    assert (layout.mapping.get("reference"), layout.version) == ("Ref", 2)


def test_only_these_models_are_versioned():
    versioned = {model.__name__ for model in apps.get_models() if issubclass(model, VersionedModel)}

    # Variations are only added (each locks its contract and goes through update_versioned);
    # assessments and targets are append-only. If this list grows, add a test above.
    assert versioned == {
        Contract.__name__,
        Supplier.__name__,
        SocialValueReturn.__name__,
        Action.__name__,
        SpendLayout.__name__,
        SpendFlagReview.__name__,
    }
    assert not issubclass(Indicator, VersionedModel)


@transactional
def test_two_officers_review_one_red_flag_the_second_is_told(shared_database):
    from tests.procurement.test_flag_views import _duplicate_pair, _only_flag

    _duplicate_pair()
    key = _only_flag().flag.key
    url = reverse("procurement:spend-flag", args=[2024, key])
    _signed_in(_officer("reviewer")).post(url, {"status": "confirmed", "note": "Paid twice."})

    first, second = _two_officers_edit(
        url, {"status": "recovered", "note": "Refunded."}, {"status": "open", "note": ""}
    )

    assert (first.status_code, second.status_code) == (302, 200)
    assert "Someone else changed this" in second.content.decode()
    review = SpendFlagReview.objects.get(key=key)
    assert (review.status, review.note, review.version) == ("recovered", "Refunded.", 2)
