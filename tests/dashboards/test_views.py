from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.financial_year import financial_year_bounds, financial_year_end, financial_year_label
from dashboards import selectors
from maturity.models import Indicator
from procurement.models import Contract, Notice, Risk, Supplier
from procurement.services.spend_summary import spend_summary_rebuild
from tests.dashboards.conftest import build_review_data
from tests.factories import AssessmentFactory
from tests.procurement.factories import (
    ContractFactory,
    SavingFactory,
    SpendTransactionFactory,
    SupplierFactory,
    VariationFactory,
)
from tests.socialvalue.factories import CommitmentFactory, MeasureFactory, verified_line

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:annual-review")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _headline_rows(body: str) -> dict[str, tuple[str, list[str]]]:
    """Each headline figure's label -> (its text, the links in it)."""
    block = body[body.index('id="headline-figures"') : body.index("</dl>")]
    rows = {}
    for row in re.findall(r'<div class="govuk-summary-list__row">(.*?)</div>', block, re.S):
        label = re.search(r"<dt[^>]*>(.*?)</dt>", row, re.S)
        figure = re.search(r"<dd[^>]*>(.*?)</dd>", row, re.S)
        assert label is not None and figure is not None, row
        key, value = _text(label.group(1)), figure.group(1)
        rows[key] = (_text(value), [html.unescape(h) for h in re.findall(r'href="([^"]+)"', value)])
    return rows


def _get(client, data, **params):
    return client.get(URL, {"year": data.year, **params})


def test_a_member_reads_every_headline_figure_of_the_year(member_client, review_data):
    response = _get(member_client, review_data)

    assert response.status_code == 200
    review = response.context["review"]
    assert review.year == review_data.year
    assert review.spend.current.total == Decimal("102000.00")
    assert review.social_value.value == Decimal("400.00")
    assert review.savings_total == Decimal("9000.00")
    assert review.savings_share_of_target == Decimal("75.0")
    assert (review.ending_count, review.ending_value) == (3, Decimal("300000.00"))
    before = financial_year_label(review_data.year - 1)
    year_end = financial_year_end(review_data.year)
    rows = _headline_rows(response.content.decode())
    assert {key: text for key, (text, _) in rows.items()} == {
        "Third-party spend": "£102,000 Net of credit notes, from the “spend over £500” files",
        "Share of spend with SMEs": f"40.0% +20.0 percentage points on {before}",
        "Share of spend with VCSEs": f"10.0% +10.0 percentage points on {before}",
        "Share of spend with local suppliers": f"40.0% +20.0 percentage points on {before}",
        "Social value delivered (verified)": "£400 In units: 10 counted; 40 hours",
        "Savings delivered": (
            "£9,000 Cashable £6,000, Non-cashable £3,000. 75.0% of the £12,000 target"
        ),
        f"Contracts ending in the 12 months from {year_end:%-d %B %Y}": (
            f"3 Contracts live on {year_end:%-d %B %Y} worth £300,000"
        ),
    }


def test_each_headline_figure_links_to_the_list_behind_it(member_client, review_data):
    rows = _headline_rows(_get(member_client, review_data).content.decode())

    year = review_data.year
    spend_url = f"{reverse('procurement:spend-dashboard')}?year={year}"
    assert rows["Third-party spend"][1] == [spend_url]
    assert rows["Share of spend with SMEs"][1] == [f"{spend_url}#shares"]
    assert rows["Social value delivered (verified)"][1] == [
        f"{reverse('socialvalue:dashboard')}?year={year}"
    ]
    assert rows["Savings delivered"][1] == [f"{reverse('procurement:saving-list')}?year={year}"]
    # The ending-soon list counts from today: a past year's figure, counted from its end,
    # does not link to it.
    ending = f"Contracts ending in the 12 months from {financial_year_end(year):%-d %B %Y}"
    assert rows[ending][1] == []


def test_following_a_headline_figure_shows_the_same_year_and_numbers(member_client, review_data):
    rows = _headline_rows(_get(member_client, review_data).content.decode())

    spend = member_client.get(rows["Third-party spend"][1][0])
    assert spend.status_code == 200
    assert spend.context["dashboard"].headline.current.total == Decimal("102000.00")
    savings = member_client.get(rows["Savings delivered"][1][0])
    assert savings.context["year"] == review_data.year
    assert sum(kind.total for kind in savings.context["by_kind"]) == Decimal("9000.00")
    social_value = member_client.get(rows["Social value delivered (verified)"][1][0])
    assert social_value.context["data"].total_value == Decimal("400.00")


def test_a_year_with_no_target_says_so(member_client, review_data):
    response = member_client.get(URL, {"year": review_data.year - 1})

    rows = _headline_rows(response.content.decode())
    assert rows["Savings delivered"][0] == (
        "£5,000 Cashable £5,000, Non-cashable £0. No target set"
    )
    assert response.context["review"].savings_target is None


def test_the_year_selector_defaults_to_the_latest_year_with_spend(member_client, review_data):
    response = member_client.get(URL)

    assert response.context["review"].year == review_data.year
    assert response.context["form"]["year"].value() == review_data.year
    assert member_client.get(URL, {"year": "1066"}).context["review"].year == review_data.year


def test_the_evidence_shows_where_the_self_assessment_and_the_data_disagree(
    member_client, review_data
):
    body = _get(member_client, review_data).content.decode()

    warning = _text(
        body[
            body.index("govuk-warning-text") : body.index(
                "</strong>", body.index("govuk-warning-text")
            )
        ]
    )
    assert "The data disagrees with the self-assessment for 4 of 9 indicators" in warning
    table = body[
        body.index('id="evidence-table"') : body.index(
            "</table>", body.index('id="evidence-table"')
        )
    ]
    assert table.count('govuk-tag--red">Self-assessment above the data') == 2
    assert table.count('govuk-tag--orange">Self-assessment below the data') == 2
    assert table.count('govuk-tag--green">Matches the data') == 2
    signals = [_text(block) for block in re.findall(r"app-evidence\">(.*?)</tbody>", table, re.S)]
    assert len(signals) == 9
    register = next(row for row in signals if row.startswith("Information storage"))
    assert "4 Leader 50.0% 2 of 4 live contracts" in register
    assert "3 Mature Self-assessment above the data" in register
    assert "How the data is read: Share of live contracts with a complete record" in register
    assert "each 20 percentage points of complete records supports one level" in register


def test_the_page_has_every_chart_with_a_summary_table_and_download(member_client, review_data):
    response = _get(member_client, review_data)

    body = response.content.decode()
    for slug in (
        "maturity-themes",
        "maturity-key-areas",
        "social-value",
        "spend-shares",
        "savings",
        "ending",
    ):
        assert f'id="chart-{slug}"' in body
        summary = response.context["charts"][slug.replace("-", "_")].summary
        assert f'aria-label="{html.escape(summary, quote=True)}"' in body
    for slug in ("headline", "maturity-themes", "evidence", "checks", "high-risk-suppliers"):
        assert (
            f"{reverse('dashboards:annual-review-csv', args=[slug])}?year={review_data.year}"
            in body
        )
    assert 'media="print"' in body and "css/print.css" in body


def test_the_checks_and_risks_are_on_the_page(member_client, review_data):
    body = _get(member_client, review_data).content.decode()

    checks = _text(
        body[
            body.index('id="checks-table"') : body.index(
                "</table>", body.index('id="checks-table"')
            )
        ]
    )
    assert "Modern slavery risk assessed 3 75.0%" in checks
    assert "Supplier processes personal data 1 25.0%" in checks
    text = _text(body)
    assert "2 suppliers are rated high risk at the latest financial health check, 1 of them" in text
    assert "2 live contracts are rated high risk" in text


def test_the_notices_on_time_against_late_are_on_the_page_and_in_the_csv(
    member_client, review_data
):
    start, _ = financial_year_bounds(review_data.year)
    contract: Contract = ContractFactory.create()
    for number, late_by in enumerate((0, 0, 3)):
        Notice.objects.create(
            kind=Notice.Kind.CONTRACT_DETAILS,
            contract=contract,
            key=f"review:{number}",
            reason="Signed",
            due_on=start + dt.timedelta(days=30),
            published_on=start + dt.timedelta(days=30 + late_by),
        )

    body = _get(member_client, review_data).content.decode()
    csv_response = member_client.get(
        reverse("dashboards:annual-review-csv", args=["notices"]), {"year": review_data.year}
    )

    table = _text(
        body[
            body.index('id="notices-table"') : body.index(
                "</table>", body.index('id="notices-table"')
            )
        ]
    )
    assert "Contract details notice 3 2 1 0 66.7%" in table
    assert "2 of the 3 notices whose deadline passed" in _text(body)
    rows = csv_response.content.decode("utf-8-sig").splitlines()
    assert "Contract details notice,3,2,1,0,66.7" in rows


def test_a_csv_holds_the_same_numbers_as_the_page(member_client, review_data):
    response = member_client.get(
        reverse("dashboards:annual-review-csv", args=["headline"]), {"year": review_data.year}
    )

    assert response["Content-Type"].startswith("text/csv")
    label = financial_year_label(review_data.year).replace("/", "-")
    assert f"annual-review-headline-{label}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = {row[0]: row[1:] for row in rows[1:]}
    assert rows[0] == ["Figure", "Value", "Unit", "Change on the year before (pp)"]
    assert figures["Third-party spend"] == ["102000.00", "£", ""]
    assert figures["Share of spend with SMEs"] == ["40.0", "%", "20.0"]
    assert figures["Social value delivered (verified), Hours"] == ["40.00", "Hours", ""]
    assert figures["Savings target"] == ["12000.00", "£", ""]
    assert figures["Savings as a share of target"] == ["75.0", "%", ""]
    year_end = financial_year_end(review_data.year).isoformat()
    assert figures[f"Contracts ending in the 12 months from {year_end}"] == ["3", "contracts", ""]


def test_the_evidence_csv_has_a_row_per_rule(member_client, review_data):
    response = member_client.get(
        reverse("dashboards:annual-review-csv", args=["evidence"]), {"year": review_data.year}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert rows[1][:4] == [
        "Information storage and accessibility",
        "Managing contracts and relationships",
        "4 Leader",
        "50.0",
    ]
    assert rows[1][5:7] == ["3 Mature", "Self-assessment above the data"]


def test_an_unknown_download_is_not_found(member_client, review_data):
    response = member_client.get(reverse("dashboards:annual-review-csv", args=["nothing"]))

    assert response.status_code == 404


def test_a_member_is_sent_to_the_annual_review_from_home(member_client, officer_client):
    assert member_client.get(reverse("home"))["Location"] == URL
    assert officer_client.get(reverse("home"))["Location"] == reverse("maturity:overview")


def _grow(data) -> None:
    """Many more rows of every kind the review reads, in both years and beyond the list limits."""
    start, _ = financial_year_bounds(data.year)
    measure = MeasureFactory(code="GROW")
    for number in range(30):
        supplier = SupplierFactory(
            size=Supplier.Size.MICRO if number % 2 else Supplier.Size.LARGE,
            is_local=number % 3 == 0,
            financial_risk=Risk.HIGH,
        )
        for offset in (-200, 10, 100, 300):
            SpendTransactionFactory(
                supplier=supplier,
                amount=Decimal(1000 + number),
                paid_on=start + dt.timedelta(offset),
            )
        contract: Contract = ContractFactory.create(
            supplier=supplier,
            risk_rating=Risk.HIGH,
            end_date=data.today + dt.timedelta(days=20 + number * 20),
        )
        VariationFactory(contract=contract, varied_on=start + dt.timedelta(days=number))
        Notice.objects.create(
            kind=Notice.Kind.CONTRACT_DETAILS,
            contract=contract,
            key=f"grow:{contract.pk}",
            reason="Grown",
            due_on=start + dt.timedelta(days=number),
            published_on=start + dt.timedelta(days=number + number % 2),
        )
        SavingFactory(contract=contract, financial_year=data.year)
        CommitmentFactory(contract=contract, measure=measure)
        verified_line(contract=contract, measure=measure, quantity="2", start=start)
    for indicator in Indicator.objects.order_by("pk")[:20]:
        AssessmentFactory(indicator=indicator, level_id=3, assessed_on=start + dt.timedelta(9))
    spend_summary_rebuild()


def _queries(client, data) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, data)
    assert response.status_code == 200
    return len(captured)


def test_the_page_runs_the_same_queries_whatever_the_size_of_the_data(officer_client, framework):
    data = build_review_data(framework=framework)
    small = _queries(officer_client, data)

    _grow(data)
    large = _queries(officer_client, data)

    assert large == small
    assert small <= 39  # the maturity table, its headline and the overdue actions: one each;
    # the Procurement Act evidence: three (KPI coverage, notices on time, SME payment times),
    # and the notices on time by kind: one


def test_a_second_visit_renders_the_body_from_the_cache(officer_client, member_client, review_data):
    first = _queries(officer_client, review_data)
    with CaptureQueriesContext(connection) as captured:
        again = _get(member_client, review_data)

    # The session, the user and the data version: the page itself is not computed again.
    assert len(captured) <= 3 < first
    assert "£102,000" in again.content.decode()


def test_a_cached_page_carries_a_fresh_csrf_token(officer_client, review_data):
    first, cached = (_get(officer_client, review_data).content.decode() for _ in range(2))

    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page) for page in (first, cached)
    ]
    assert tokens[0] and tokens[1] and tokens[0][1] != tokens[1][1]  # masked afresh each time
    assert first.replace(tokens[0][1], "") == cached.replace(tokens[1][1], "")


def test_a_new_year_of_data_is_offered_on_the_next_visit(officer_client, review_data):
    year = review_data.year - 6
    before = _get(officer_client, review_data).content.decode()
    SavingFactory(financial_year=year, amount=Decimal("5.00"))

    after = _get(officer_client, review_data).content.decode()

    option = f'<option value="{year}"'
    assert option not in before
    assert option in after


@pytest.mark.parametrize("change", ["saving", "assessment", "supplier", "summary", "notice"])
def test_any_change_to_the_data_shows_on_the_next_visit(officer_client, review_data, change):
    before = _get(officer_client, review_data).content.decode()
    version = selectors.review_version()
    start, _ = financial_year_bounds(review_data.year)
    if change == "saving":
        SavingFactory(financial_year=review_data.year, amount=Decimal("777.00"))
    elif change == "assessment":
        AssessmentFactory(indicator=Indicator.objects.first(), level_id=5, assessed_on=start)
    elif change == "notice":
        Notice.objects.create(
            kind=Notice.Kind.PIPELINE,
            key="pipeline:changed",
            reason="A change",
            due_on=start + dt.timedelta(days=55),
            period_start=start,
        )
    elif change == "supplier":
        supplier = review_data.suppliers["S1"]
        supplier.is_local = not supplier.is_local
        supplier.save()
    else:
        spend_summary_rebuild()

    assert selectors.review_version() != version
    after = _get(officer_client, review_data).content.decode()
    if change == "saving":
        assert after != before
