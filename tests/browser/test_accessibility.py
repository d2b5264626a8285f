"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every main page, as the role that uses it.

Also checks the things axe cannot: no horizontal scrolling at 320 CSS pixels (400% zoom) and
the footer link to the accessibility statement on every page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from core.financial_year import financial_year_of
from procurement.models import Contract, Notice, SubTeam
from procurement.services.payment_matching import transactions_match_contracts
from procurement.services.spend_layouts import spend_layout_save
from socialvalue.models import Measure, SocialValueReturn
from socialvalue.periods import previous
from socialvalue.selectors.overdue import recent_periods
from tests.browser.conftest import axe_violations, bring_charts_into_view, make_user, sign_in
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    PipelineItemFactory,
    SavingFactory,
    SpendImportFactory,
    SpendTransactionFactory,
    SupplierFactory,
    VariationFactory,
)
from tests.socialvalue.factories import (
    CommitmentFactory,
    ProxyValueFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    SupplierContactFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# (page name, role, path). Placeholders such as {contract} are filled in with the ids of
# the records the `people` fixture makes.
PAGES = [
    ("sign-in", None, "/login/"),
    ("accessibility-statement", None, "/accessibility/"),
    ("framework-overview", "member", "/maturity/"),
    ("gap-dashboard", "member", "/maturity/gaps/"),
    ("indicator", "member", "/maturity/indicators/3/"),
    ("record-assessment", "officer", "/maturity/indicators/3/assess/"),
    ("set-target", "officer", "/maturity/indicators/3/target/"),
    ("add-action", "officer", "/maturity/indicators/3/actions/new/"),
    # -- action plan, strategy periods, assessment rounds
    ("action-plan", "officer", "/maturity/actions/"),
    ("strategy-periods", "member", "/maturity/periods/"),
    ("strategy-period", "member", "/maturity/periods/1/"),
    ("strategy-period-form", "administrator", "/maturity/periods/new/"),
    ("action-edit-form", "officer", "/maturity/actions/{action}/edit/"),
    ("assessment-rounds", "member", "/maturity/rounds/"),
    ("assessment-round", "officer", "/maturity/rounds/{round}/"),
    ("assessment-round-form", "administrator", "/maturity/rounds/new/"),
    ("round-rating-form", "officer", "/maturity/rounds/{round}/rate/3/"),
    ("round-moderation-form", "officer", "/maturity/rounds/{round}/moderate/3/"),
    ("reference-data", "administrator", "/maturity/reference-data/"),
    ("descriptors-form", "administrator", "/maturity/indicators/3/descriptors/"),
    # -- end action plan
    # -- procurement
    ("jobs", "officer", "/jobs/"),
    ("contracts", "member", "/procurement/contracts/"),
    ("contract", "officer", "/procurement/contracts/{contract}/"),
    ("framework-contract", "officer", "/procurement/contracts/{framework}/"),
    ("contract-form", "officer", "/procurement/contracts/new/"),
    ("contract-edit-form", "officer", "/procurement/contracts/{contract}/edit/"),
    ("variation-form", "officer", "/procurement/contracts/{contract}/variations/new/"),
    ("compliance-calendar", "member", "/procurement/notices/"),
    ("pipeline-notice", "member", "/procurement/notices/{pipeline_notice}/"),
    ("payments-compliance-notice", "officer", "/procurement/notices/{payments_notice}/"),
    ("kpi-form", "officer", "/procurement/contracts/{contract}/kpis/new/"),
    ("suppliers", "member", "/procurement/suppliers/"),
    ("supplier", "member", "/procurement/suppliers/{supplier}/"),
    ("supplier-form", "officer", "/procurement/suppliers/new/"),
    ("supplier-duplicates", "officer", "/procurement/suppliers/duplicates/"),
    ("supplier-merge", "officer", "/procurement/suppliers/{supplier}/merge/{other_supplier}/"),
    ("ending-soon", "member", "/procurement/contracts/ending-soon/"),
    ("policy-checks", "member", "/procurement/contracts/policy-checks/"),
    ("savings", "member", "/procurement/savings/"),
    ("saving-form", "officer", "/procurement/savings/new/"),
    ("pipeline", "member", "/procurement/pipeline/"),
    ("pipeline-form", "officer", "/procurement/pipeline/new/"),
    ("spend-dashboard", "member", "/procurement/spend/"),
    ("spend-import-form", "officer", "/procurement/spend/import/"),
    ("spend-imports", "member", "/procurement/spend/imports/"),
    ("spend-layouts", "member", "/procurement/spend/layouts/"),
    ("spend-layout", "officer", "/procurement/spend/layouts/{spend_layout}/"),
    ("spend-layout-form", "officer", "/procurement/spend/layouts/{spend_layout}/edit/"),
    ("spend-layout-forget", "officer", "/procurement/spend/layouts/{spend_layout}/forget/"),
    # -- social value
    ("social-value-dashboard", "member", "/social-value/dashboard/"),
    ("social-value-review", "member", "/social-value/review/{year}/"),
    ("social-value-contracts", "member", "/social-value/contracts/"),
    ("social-value-contract", "officer", "/social-value/contracts/{contract}/"),
    ("social-value-returns", "officer", "/social-value/returns/"),
    ("social-value-measures", "member", "/social-value/measures/"),
    ("commitment-form", "officer", "/social-value/contracts/{contract}/commitments/new/"),
    ("return-start-form", "supplier", "/social-value/contracts/{contract}/returns/new/"),
    ("return-form", "supplier", "/social-value/returns/{draft_return}/edit/"),
    ("return", "supplier", "/social-value/returns/{rejected_return}/"),
    ("return-to-check", "officer", "/social-value/returns/{submitted_return}/"),
    ("reject-form", "officer", "/social-value/returns/{submitted_return}/reject/"),
    ("evidence-form", "supplier", "/social-value/returns/{draft_return}/evidence/"),
    ("supplier-home-with-overdue", "supplier", "/social-value/supplier/"),
    # -- the members' annual review
    ("annual-review", "member", "/review/"),
]


@pytest.fixture
def people(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    call_command("loaddata", "framework", verbosity=0)
    call_command("loaddata", "socialvalue", verbosity=0)
    officer = make_user("a11y-officer", roles.OFFICERS, first_name="Olivia", last_name="Officer")
    contact = SupplierContactFactory(user__username="a11y-supplier")
    return {
        "officer": officer,
        "member": make_user("a11y-member", roles.MEMBERS),
        "supplier": contact.user,
        "administrator": make_user("a11y-admin", roles.ADMINISTRATORS),
        "ids": {
            **_register_with_spend_and_social_value(officer=officer, supplier=contact.supplier),
            **_maturity_plan(officer=officer),
        },
    }


def _maturity_plan(*, officer) -> dict[str, int]:
    """An overdue action and an open round the officer rates and moderates, with a spread."""
    from django.contrib.auth.models import Permission

    from maturity.models import Action, AssessmentRound, Indicator, RoundRating

    indicators = list(Indicator.objects.filter(pk__in=[3, 4]))
    action = Action.objects.create(
        indicator=indicators[0],
        description="Brief members quarterly",
        owner=officer,
        due_on=timezone.localdate() - dt.timedelta(days=10),
    )
    officer.user_permissions.add(Permission.objects.get(codename="moderate_round"))
    assessment_round = AssessmentRound.objects.create(
        name="Spring self-assessment",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=officer,
    )
    assessment_round.indicators.set(indicators)
    colleague = make_user("a11y-colleague", roles.OFFICERS)
    for user, team, level in ((officer, "Commercial", 2), (colleague, "Highways", 4)):
        respondent = assessment_round.respondents.create(user=user, team=team)
        RoundRating.objects.create(
            respondent=respondent, indicator=indicators[0], level_id=level, evidence="Minutes"
        )
    return {"action": action.pk, "round": assessment_round.pk}


def _register_with_spend_and_social_value(*, officer, supplier) -> dict[str, int]:
    """Enough data for every table, chart, tag and warning on the pages above to show."""
    today = timezone.localdate()
    year = financial_year_of(today)
    care = CategoryFactory(name="Adult social care", sub_team=SubTeam.PEOPLE)
    contract: Contract = ContractFactory.create(
        supplier=supplier,
        category=care,
        owner=officer,
        start_date=dt.date(year - 2, 4, 1),
        end_date=today + dt.timedelta(days=75),  # ending soon
        total_value=Decimal("450000"),
        social_value_weighting=Decimal("5"),  # below the 10% policy
    )
    other: Contract = ContractFactory.create(category=care, total_value=Decimal("90000"))
    framework: Contract = ContractFactory.create(
        category=care, is_framework=True, total_value=Decimal("2040000")
    )
    framework.framework_suppliers.set([framework.supplier, other.supplier])
    VariationFactory(contract=contract, recorded_by=officer, varied_on=today)
    SavingFactory(contract=contract, financial_year=year, recorded_by=officer)
    PipelineItemFactory(
        category=care, replaces=contract, planned_start=today + dt.timedelta(days=60)
    )
    spend_file = SpendImportFactory(imported_by=officer)
    for days, amount, payee in [(1, "12500", supplier), (2, "830.50", other.supplier)]:
        SpendTransactionFactory(
            spend_import=spend_file,
            supplier=payee,
            paid_on=max(today - dt.timedelta(days=days), dt.date(year, 4, 1)),
            amount=Decimal(amount),
        )
    SpendTransactionFactory(  # a credit note
        spend_import=spend_file,
        supplier=SupplierFactory(),
        paid_on=dt.date(year, 4, 1),
        amount=-600,
    )
    transactions_match_contracts()
    spend_layout = spend_layout_save(
        headings=["Updated", "Payee", "Value", "Notes"],
        mapping={"date": "Updated", "supplier": "Payee", "amount": "Value"},
        user=officer,
    )

    hours = Measure.objects.get(code="WCC-1.4")
    ProxyValueFactory(measure=hours, financial_year=year - 2, value_per_unit=Decimal("15"))
    CommitmentFactory(contract=contract, measure=hours, quantity=400)
    returns = {}
    oldest, *others = recent_periods(today=today, quarters=4)
    for period, status in zip(others, ("rejected", "submitted", "verified"), strict=True):
        social_value_return: SocialValueReturn = SocialValueReturnFactory.create(
            contract=contract,
            period_start=period.start,
            period_end=period.end,
            status=status,
            rejection_reason="Attach the volunteering log" if status == "rejected" else "",
        )
        ReturnLineFactory(social_value_return=social_value_return, measure=hours, quantity=40)
        returns[f"{status}_return"] = social_value_return.pk
    earlier = previous(oldest)  # the oldest recent quarter has no return: overdue
    draft: SocialValueReturn = SocialValueReturnFactory.create(
        contract=contract,
        period_start=earlier.start,
        period_end=earlier.end,
        status=SocialValueReturn.Status.DRAFT,
    )
    ReturnLineFactory(social_value_return=draft, measure=hours, quantity=12)
    # The council's own notices (s.93, s.69): a pipeline over £100m and a payments period.
    PipelineItemFactory(
        category=care, estimated_value=Decimal("120000000"), planned_start=dt.date(year, 6, 1)
    )
    council_notices = {
        name: Notice.objects.create(
            kind=kind,
            key=f"{kind}:{year}",
            reason="Seeded for the accessibility walk",
            due_on=due_on,
            period_start=start,
            period_end=end,
        ).pk
        for name, kind, due_on, start, end in (
            (
                "pipeline_notice",
                Notice.Kind.PIPELINE,
                dt.date(year, 5, 26),
                dt.date(year, 4, 1),
                dt.date(year + 1, 9, 30),
            ),
            (
                "payments_notice",
                Notice.Kind.PAYMENTS_COMPLIANCE,
                dt.date(year, 10, 29),
                dt.date(year, 4, 1),
                dt.date(year, 9, 30),
            ),
        )
    }
    return {
        **council_notices,
        "contract": contract.pk,
        "framework": framework.pk,
        "supplier": supplier.pk,
        "other_supplier": other.supplier.pk,
        "year": year,
        "draft_return": draft.pk,
        "spend_layout": spend_layout.pk,
        **returns,
    }


@pytest.mark.parametrize("name,role,path", PAGES, ids=[p[0] for p in PAGES])
def test_the_page_has_no_wcag_violations(page, people, name, role, path):
    if role:
        sign_in(page, people[role].username)
    response = page.goto(path.format(**people["ids"]))

    violations, rules = axe_violations(page)
    print(f"axe: {name} ({path}) as {role or 'anyone'}: {rules} rules, {len(violations)} failed")

    assert response.status == 200

    assert rules > 50, f"axe ran only {rules} rules on {path}"
    assert violations == [], f"{name}: {violations}"
    assert page.get_by_role("link", name="Accessibility statement").count() == 1


@pytest.mark.parametrize("name,role,path", PAGES, ids=[p[0] for p in PAGES])
def test_the_page_reflows_at_320_pixels_wide(page, people, name, role, path):
    if role:
        sign_in(page, people[role].username)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path.format(**people["ids"]))

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px wide"


def test_an_error_page_after_a_bad_form_has_no_violations(page, people):
    sign_in(page, people["officer"].username)
    page.goto("/maturity/indicators/3/assess/")
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()

    violations, _ = axe_violations(page)

    assert violations == []


def test_charts_draw_under_the_content_security_policy_and_stay_out_of_the_tab_order(page, people):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, people["member"].username)

    page.goto("/maturity/gaps/")
    bring_charts_into_view(page)
    page.wait_for_selector("#chart-key-areas svg.main-svg")

    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []
    charts = page.locator(".app-chart")
    assert charts.count() == 3
    focusable_in_charts = page.evaluate(
        "[...document.querySelectorAll('.app-chart *')].filter(e => e.tabIndex >= 0).length"
    )
    assert focusable_in_charts == 0
