"""Walk every URL pattern as every role and check the status each one gets.

A URL that is not classified in EXPECTED fails `test_every_url_is_classified`, so a new page
cannot ship without someone deciding who may see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import roles
from maturity.models import Action, Indicator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "supplier", "member", "officer", "administrator")
LOGIN = 302  # anonymous users are sent to the sign-in page

READ = {"anonymous": LOGIN, "supplier": 403, "member": 200, "officer": 200, "administrator": 200}
WRITE = {"anonymous": LOGIN, "supplier": 403, "member": 403, "officer": 200, "administrator": 200}
ADMIN = {**WRITE, "officer": 403}  # administrators only
POST_ONLY = {
    "anonymous": LOGIN,
    "supplier": 405,
    "member": 405,
    "officer": 405,
    "administrator": 405,
}

# -- social value
# Pages about one contract, return or evidence file are open to the supplier's own users; the walk's
# supplier user is linked to no supplier, so another supplier's object is simply not found (404).
SV_PORTAL_READ = {**READ, "supplier": 404}
SV_PORTAL_WRITE = {**WRITE, "supplier": 404}
SV_SUPPLIER_POST = {
    "socialvalue:return-create": 404,
    "socialvalue:return-edit": 404,
    "socialvalue:evidence-upload": 404,
    "socialvalue:return-submit": 404,
    "socialvalue:evidence-delete": 404,
}
# -- end social value

# url name -> (expected GET status per role, does a POST change data?)
EXPECTED: dict[str, tuple[dict[str, int], bool]] = {
    "home": (
        {"anonymous": LOGIN, "supplier": 302, "member": 302, "officer": 302, "administrator": 302},
        False,
    ),
    "login": (
        {"anonymous": 200, "supplier": 302, "member": 302, "officer": 302, "administrator": 302},
        False,
    ),
    "logout": ({**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}, False),
    "accessibility": (dict.fromkeys(ROLES, 200), False),
    "healthz": (dict.fromkeys(ROLES, 200), False),
    "readyz": (dict.fromkeys(ROLES, 200), False),
    "maturity:overview": (READ, False),
    "maturity:gap-dashboard": (READ, False),
    "maturity:indicator-detail": (READ, False),
    "maturity:assessment-create": (WRITE, True),
    "maturity:target-create": (WRITE, True),
    "maturity:action-create": (WRITE, True),
    "maturity:action-complete": (POST_ONLY, True),
    # -- action plan
    "maturity:action-plan": (READ, False),
    "maturity:action-plan-csv": (READ, False),
    "maturity:action-edit": (WRITE, True),
    # -- end action plan
    # -- strategy periods
    "maturity:period-list": (READ, False),
    "maturity:period-detail": (READ, False),
    "maturity:period-start": (ADMIN, True),
    # -- end strategy periods
    # -- assessment rounds (the walk's officer and administrator are respondents and moderators)
    "maturity:round-list": (READ, False),
    "maturity:round-open": (ADMIN, True),
    "maturity:round-detail": (READ, False),
    "maturity:round-rate": (WRITE, True),
    "maturity:round-moderate": (WRITE, True),
    "maturity:round-close": (POST_ONLY, True),
    "maturity:round-csv": (WRITE, False),  # an open round's ratings: moderators only
    "maturity:round-xlsx": (WRITE, False),
    # -- end assessment rounds
    # -- reference data
    "maturity:reference-data": (ADMIN, True),
    "maturity:reference-apply": ({**ADMIN, "administrator": 302}, True),
    "maturity:descriptors-edit": (ADMIN, True),
    # -- end reference data
    # -- register
    "procurement:contract-list": (READ, False),
    "procurement:contract-detail": (READ, False),
    "procurement:contract-create": (WRITE, True),
    "procurement:contract-edit": (WRITE, True),
    "procurement:variation-create": (WRITE, True),
    "procurement:supplier-list": (READ, False),
    "procurement:supplier-detail": (READ, False),
    "procurement:supplier-create": (WRITE, True),
    "procurement:supplier-edit": (WRITE, True),
    "procurement:supplier-duplicates": (WRITE, False),
    "procurement:supplier-merge": (WRITE, True),
    # -- end register
    # -- planning
    "procurement:ending-soon": (READ, False),
    "procurement:ending-soon-csv": (READ, False),
    "procurement:policy-checks": (READ, False),
    "procurement:saving-list": (READ, False),
    "procurement:saving-create": (WRITE, True),
    "procurement:pipeline-list": (READ, False),
    "procurement:pipeline-create": (WRITE, True),
    "procurement:pipeline-edit": (WRITE, True),
    # -- end planning
    # -- spend import
    "procurement:spend-import": (WRITE, True),
    "procurement:spend-import-list": (READ, False),
    "procurement:spend-summary-rebuild": (POST_ONLY, True),
    # an editor with no such upload kept in their session is sent back to the upload (302)
    "procurement:spend-import-mapping": ({**WRITE, "officer": 302, "administrator": 302}, True),
    "procurement:spend-layout-list": (READ, False),
    "procurement:spend-layout-detail": (READ, False),
    "procurement:spend-layout-edit": (WRITE, True),
    "procurement:spend-layout-delete": (WRITE, True),
    # -- end spend import
    # -- background jobs: the walk's job is the officer's own; an administrator sees every job
    "jobs:job-list": (READ, False),
    # a member's jobs are their own workbooks: the officer's job is not found for them
    "jobs:job-detail": ({**READ, "member": 404}, False),
    "jobs:job-status": ({**READ, "member": 404}, False),
    # the walk's job made no file
    "jobs:job-download": ({**READ, "member": 404, "officer": 404, "administrator": 404}, False),
    # -- end background jobs
    # -- spend dashboard
    "procurement:spend-dashboard": (READ, False),
    "procurement:spend-csv": (READ, False),
    "procurement:spend-flag-list": (READ, False),
    "procurement:spend-flag-csv": (READ, False),
    "procurement:spend-flag": (READ, True),
    "procurement:spend-payment-list": (READ, False),
    # -- end spend dashboard
    # -- open data
    "procurement:transparency-contracts-csv": (READ, False),
    # -- procurement act
    "procurement:notice-list": (READ, False),
    "procurement:notice-csv": (READ, False),
    "procurement:notice-detail": (READ, False),
    "procurement:notice-publish": (WRITE, True),
    "procurement:notice-json": (READ, False),
    "procurement:contract-notices-json": (READ, False),
    "procurement:kpi-create": (WRITE, True),
    "procurement:kpi-rate": (WRITE, True),
    # -- end procurement act
    # -- end open data
    # -- social value
    "socialvalue:dashboard": (READ, False),
    "socialvalue:dashboard-csv": (READ, False),
    "socialvalue:review": (READ, False),
    "socialvalue:review-year": (READ, False),
    "socialvalue:review-csv": (READ, False),
    "socialvalue:review-xlsx": (READ, False),
    "socialvalue:contract-list": (READ, False),
    "socialvalue:contract-detail": (SV_PORTAL_READ, False),
    "socialvalue:commitment-create": (WRITE, True),
    "socialvalue:commitment-edit": (WRITE, True),
    "socialvalue:commitment-delete": (POST_ONLY, True),
    "socialvalue:return-create": (SV_PORTAL_WRITE, True),
    "socialvalue:return-list": (READ, False),
    "socialvalue:return-detail": (SV_PORTAL_READ, False),
    "socialvalue:return-edit": (SV_PORTAL_WRITE, True),
    "socialvalue:evidence-upload": (SV_PORTAL_WRITE, True),
    "socialvalue:return-submit": (POST_ONLY, True),
    "socialvalue:return-verify": (POST_ONLY, True),
    "socialvalue:return-reject": (WRITE, True),
    "socialvalue:evidence-download": (SV_PORTAL_READ, False),
    "socialvalue:evidence-delete": (POST_ONLY, True),
    "socialvalue:measure-list": (READ, False),
    "socialvalue:measure-import": (WRITE, True),
    "socialvalue:supplier-home": (
        {"anonymous": LOGIN, "supplier": 200, "member": 302, "officer": 302, "administrator": 302},
        False,
    ),
    # -- end social value
    # -- annual review
    "dashboards:annual-review": (READ, False),
    "dashboards:annual-review-csv": (READ, False),
    "dashboards:annual-review-xlsx": (READ, False),
    # A member may ask for the workbook: the POST queues a job (a row in jobs_job), no data changes
    "dashboards:annual-review-workbook": (POST_ONLY, False),
    # -- end annual review
}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, checked separately below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.converters)


ALL_URLS = sorted(_patterns(get_resolver()))


def test_every_url_is_classified():
    unclassified = [name for name, _ in ALL_URLS if name not in EXPECTED]
    assert unclassified == [], f"Add these URL names to EXPECTED: {unclassified}"


@pytest.fixture
def users(framework):
    made = {"anonymous": None}
    for role, group in (
        ("supplier", roles.SUPPLIERS),
        ("member", roles.MEMBERS),
        ("officer", roles.OFFICERS),
        ("administrator", roles.ADMINISTRATORS),
    ):
        user = UserFactory(username=f"walk-{role}")
        user.groups.add(Group.objects.get(name=group))
        made[role] = user
    return made


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _first_indicator(users) -> dict[str, int]:
    return {"pk": Indicator.objects.earliest("pk").pk}


def _new_action(users) -> dict[str, int]:
    indicator = Indicator.objects.earliest("pk")
    action = Action.objects.create(
        indicator=indicator, description="Walk", due_on=dt.date(2026, 1, 1)
    )
    return {"pk": action.pk}


def _open_round(users) -> dict[str, int]:
    """An open round with the walk's officer and administrator as respondents and moderators."""
    from django.contrib.auth.models import Permission

    from maturity.models import AssessmentRound, RoundRespondent

    indicator = Indicator.objects.earliest("pk")
    moderate = Permission.objects.get(codename="moderate_round")
    assessment_round = AssessmentRound.objects.create(
        name="Walk",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 2, 1),
        created_by=users["administrator"],
    )
    assessment_round.indicators.add(indicator)
    for role in ("officer", "administrator"):
        users[role].user_permissions.add(moderate)
        RoundRespondent.objects.create(round=assessment_round, user=users[role], team=role)
    return {"pk": assessment_round.pk, "indicator_pk": indicator.pk}


# -- register
def _register_contract(users) -> dict[str, int]:
    from tests.procurement.factories import ContractFactory

    return {"pk": ContractFactory.create().pk}


def _register_supplier(users) -> dict[str, int]:
    from tests.procurement.factories import SupplierFactory

    return {"pk": SupplierFactory.create().pk}


def _register_supplier_pair(users) -> dict[str, int]:
    from tests.procurement.factories import SupplierFactory

    return {"pk": SupplierFactory.create().pk, "other": SupplierFactory.create().pk}


# -- end register


# -- planning
def _planning_pipeline_item(users) -> dict[str, int]:
    from tests.procurement.factories import PipelineItemFactory

    return {"pk": PipelineItemFactory.create().pk}


# -- end planning


# -- spend import
def _spend_layout(users) -> dict[str, int]:
    from procurement.services.spend_layouts import spend_layout_save

    layout = spend_layout_save(
        headings=["Updated", "Payee", "Value"],
        mapping={"date": "Updated", "supplier": "Payee", "amount": "Value"},
        user=None,
    )
    return {"pk": layout.pk}


# -- end spend import


# -- spend dashboard
def _spend_flag(users) -> dict[str, object]:
    """A possible duplicate: one amount paid to one supplier twice, two days apart."""
    from procurement.selectors.flags import spend_flags_found
    from procurement.services.spend_summary import spend_summary_rebuild
    from tests.procurement.factories import SpendTransactionFactory, SupplierFactory

    supplier = SupplierFactory()
    for day in (1, 3):
        SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2024, 6, day))
    spend_summary_rebuild()
    (flag,) = spend_flags_found(year=2024).flags
    return {"year": 2024, "key": flag.key}


# -- end spend dashboard


# -- social value
@pytest.fixture(autouse=True)
def _social_value_uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"  # evidence files built below stay out of the tree


# The builders of objects a supplier's user can reach take `supplier`, the supplier they belong
# to; without it they belong to a new supplier, so to another supplier than the walk's user's.
def _sv_contract(users, supplier=None) -> dict[str, int]:
    from tests.socialvalue.factories import CommitmentFactory

    owner = {"contract__supplier": supplier} if supplier else {}
    return {"pk": CommitmentFactory.create(**owner).contract_id}


def _sv_commitment(users) -> dict[str, int]:
    from tests.socialvalue.factories import CommitmentFactory

    return {"pk": CommitmentFactory.create().pk}


def _sv_return(users, supplier=None) -> dict[str, int]:
    from tests.socialvalue.factories import ReturnLineFactory

    owner = {"social_value_return__contract__supplier": supplier} if supplier else {}
    return {"pk": ReturnLineFactory.create(**owner).social_value_return_id}


def _sv_evidence(users, supplier=None) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from socialvalue.models import EvidenceFile
    from tests.socialvalue.factories import SocialValueReturnFactory

    owner = {"contract__supplier": supplier} if supplier else {}
    evidence = EvidenceFile(
        social_value_return=SocialValueReturnFactory.create(**owner),
        original_name="walk.pdf",
        content_type="application/pdf",
        size=9,
    )
    evidence.file.save("walk.pdf", ContentFile(b"%PDF-1.7\n"))
    return {"pk": evidence.pk}


def _sv_year(users) -> dict[str, int]:
    return {"year": 2024}


# -- end social value


def _officers_job(users) -> dict[str, int]:
    from jobs.models import Job

    job = Job.objects.create(kind=Job.Kind.SPEND_IMPORT, title="walk.csv", owner=users["officer"])
    return {"pk": job.pk}


def _act_notice(users: dict[str, object]) -> dict[str, int]:
    from procurement.models import Notice

    contract = _register_contract(users)
    notice = Notice.objects.create(
        kind=Notice.Kind.CONTRACT_DETAILS,
        contract_id=contract["pk"],
        key=f"walk:{contract['pk']}",
        reason="Walk",
        due_on=dt.date(2026, 1, 1),
    )
    return {"pk": notice.pk}


# url name -> a function that makes the object the URL needs and returns its kwargs.
OBJECTS: dict[str, Callable[..., dict[str, Any]]] = {
    "maturity:indicator-detail": _first_indicator,
    "maturity:assessment-create": _first_indicator,
    "maturity:target-create": _first_indicator,
    "maturity:action-create": _first_indicator,
    "maturity:action-complete": _new_action,
    "maturity:action-edit": _new_action,
    "maturity:period-detail": lambda users: {"pk": 1},
    "maturity:descriptors-edit": _first_indicator,
    "maturity:round-detail": lambda users: {"pk": _open_round(users)["pk"]},
    "maturity:round-close": lambda users: {"pk": _open_round(users)["pk"]},
    "maturity:round-csv": lambda users: {"pk": _open_round(users)["pk"]},
    "maturity:round-xlsx": lambda users: {"pk": _open_round(users)["pk"]},
    "maturity:round-rate": lambda users: _open_round(users),
    "maturity:round-moderate": lambda users: _open_round(users),
    # -- register
    "procurement:contract-detail": _register_contract,
    "procurement:contract-edit": _register_contract,
    "procurement:variation-create": _register_contract,
    "procurement:kpi-create": _register_contract,
    "procurement:kpi-rate": _register_contract,
    "procurement:notice-detail": _act_notice,
    "procurement:notice-publish": _act_notice,
    "procurement:notice-json": _act_notice,
    "procurement:contract-notices-json": _register_contract,
    "procurement:supplier-detail": _register_supplier,
    "procurement:supplier-edit": _register_supplier,
    "procurement:supplier-merge": _register_supplier_pair,
    # -- end register
    # -- planning
    "procurement:pipeline-edit": _planning_pipeline_item,
    # -- end planning
    # -- spend import
    "procurement:spend-import-mapping": lambda users: {"token": "not-kept"},
    "procurement:spend-layout-detail": _spend_layout,
    "procurement:spend-layout-edit": _spend_layout,
    "procurement:spend-layout-delete": _spend_layout,
    # -- end spend import
    # -- background jobs
    "jobs:job-detail": _officers_job,
    "jobs:job-status": _officers_job,
    "jobs:job-download": _officers_job,
    # -- end background jobs
    # -- spend dashboard
    "procurement:spend-csv": lambda users: {"slug": "by-year"},
    "procurement:spend-flag": _spend_flag,
    # -- end spend dashboard
    # -- social value
    "socialvalue:review-year": _sv_year,
    "socialvalue:review-csv": _sv_year,
    "socialvalue:review-xlsx": _sv_year,
    "socialvalue:contract-detail": _sv_contract,
    "socialvalue:commitment-create": _sv_contract,
    "socialvalue:commitment-edit": _sv_commitment,
    "socialvalue:commitment-delete": _sv_commitment,
    "socialvalue:return-create": _sv_contract,
    "socialvalue:return-detail": _sv_return,
    "socialvalue:return-edit": _sv_return,
    "socialvalue:evidence-upload": _sv_return,
    "socialvalue:return-submit": _sv_return,
    "socialvalue:return-verify": _sv_return,
    "socialvalue:return-reject": _sv_return,
    "socialvalue:evidence-download": _sv_evidence,
    "socialvalue:evidence-delete": _sv_evidence,
    # -- end social value
    # -- annual review
    "dashboards:annual-review-csv": lambda users: {"slug": "headline"},
    # -- end annual review
}


def _kwargs(converters: list[str], name: str, users) -> dict[str, Any]:
    if not converters:
        return {}
    assert name in OBJECTS, f"Add to OBJECTS how to build the object {name} needs"
    return OBJECTS[name](users)


@pytest.mark.parametrize("name,converters", ALL_URLS, ids=[n for n, _ in ALL_URLS])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status(users, role, name, converters):
    expected, _ = EXPECTED[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))

    response = _client(users[role]).get(url)

    assert response.status_code == expected[role], f"{role} GET {url}"
    if response.status_code == LOGIN and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


WRITE_URLS = [name for name, (_, writes) in EXPECTED.items() if writes]
JUNK = {"level": 5, "evidence": "x", "version": 1, "reason": "x"}  # the same body to every form


def _row_counts() -> dict[str, int]:
    """Rows in every table, history included: a write through any service changes one."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        # Signing in writes a session (accounts.AccountSession), as it does anywhere.
        if model._meta.app_label not in {"sessions", "axes"}
        and model._meta.label != "accounts.AccountSession"
    } | {"actions done": Action.objects.filter(status="done").count()}


@pytest.mark.parametrize("name", WRITE_URLS)
@pytest.mark.parametrize("role", ["supplier", "member"])
def test_read_only_roles_cannot_post_to_any_write_url(users, role, name):
    converters = dict(ALL_URLS)[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))
    before = _row_counts()

    response = _client(users[role]).post(url, JUNK)

    expected = SV_SUPPLIER_POST.get(name, 403) if role == "supplier" else 403  # social value
    assert response.status_code == expected
    assert _row_counts() == before


@pytest.mark.parametrize("name", WRITE_URLS)
def test_an_anonymous_post_to_any_write_url_is_sent_to_sign_in(users, name):
    converters = dict(ALL_URLS)[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))
    before = _row_counts()

    response = _client(None).post(url, JUNK)

    assert response.status_code == LOGIN
    assert response["Location"].startswith(reverse("login"))
    assert _row_counts() == before


@pytest.mark.parametrize("name", WRITE_URLS)
@pytest.mark.parametrize("role", ["officer", "administrator"])
def test_editors_get_past_the_role_check_of_every_write_url(users, role, name):
    if EXPECTED[name][0][role] == 403:
        pytest.skip(f"{name} is for administrators only")  # checked by the GET walk above
    converters = dict(ALL_URLS)[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))

    response = _client(users[role]).post(url, JUNK)

    # The form is shown again with its errors (200) or the action is done (302); never refused.
    assert response.status_code in {200, 302}, f"{role} POST {url}"


# -- another supplier's objects
# Every page a supplier's user may open (the walk gives 404 to its unlinked supplier user) and
# every action it may post to.
SUPPLIER_FACING = sorted(
    {name for name, (expected, _) in EXPECTED.items() if expected["supplier"] == 404}
    | set(SV_SUPPLIER_POST)
)


@pytest.fixture
def own_supplier(users):
    """The walk's supplier user, linked to a supplier of its own."""
    from tests.socialvalue.factories import SupplierContactFactory

    return SupplierContactFactory(user=users["supplier"]).supplier


def test_the_supplier_facing_urls_are_the_portal_pages():
    assert SUPPLIER_FACING == [
        "socialvalue:contract-detail",
        "socialvalue:evidence-delete",
        "socialvalue:evidence-download",
        "socialvalue:evidence-upload",
        "socialvalue:return-create",
        "socialvalue:return-detail",
        "socialvalue:return-edit",
        "socialvalue:return-submit",
    ]
    assert all(dict(ALL_URLS)[name] for name in SUPPLIER_FACING), "each takes an object ID"


@pytest.mark.parametrize("name", SUPPLIER_FACING)
def test_a_supplier_gets_404_for_another_suppliers_object_but_reaches_its_own(
    users, own_supplier, name
):
    client = _client(users["supplier"])
    theirs = reverse(name, kwargs=OBJECTS[name](users))
    mine = reverse(name, kwargs=OBJECTS[name](users, supplier=own_supplier))
    post_only = EXPECTED[name][0] is POST_ONLY
    before = _row_counts()

    assert client.get(theirs).status_code == (405 if post_only else 404)
    assert client.post(theirs, JUNK).status_code == 404
    assert _row_counts() == before
    assert client.get(mine).status_code == (405 if post_only else 200)
    assert client.post(mine, JUNK).status_code in {200, 302}


# -- end another supplier's objects


@pytest.mark.parametrize(
    "role,status", [("anonymous", 302), ("member", 302), ("officer", 302), ("administrator", 200)]
)
def test_only_administrators_reach_the_django_admin(users, role, status):
    response = _client(users[role]).get(reverse("admin:index"))

    assert response.status_code == status
