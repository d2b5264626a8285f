from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import add_months
from core.financial_year import financial_year_of
from procurement.charts import planning as charts
from procurement.models import Contract, ContractAlert, PipelineItem, Saving, SubTeam
from procurement.selectors.planning import (
    contracts_ending_soon,
    pipeline_list,
    pipeline_quarter_totals,
    pipeline_years,
    saving_list,
    saving_totals_by_kind,
    saving_totals_by_sub_team,
    saving_years,
)
from procurement.services.planning import (
    pipeline_item_create,
    pipeline_item_update,
    saving_create,
)
from tests.factories import UserFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    PipelineItemFactory,
    SavingFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
CASHABLE = Saving.Kind.CASHABLE
NON_CASHABLE = Saving.Kind.NON_CASHABLE


def _csv(response) -> list[list[str]]:
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# -- ending soon -------------------------------------------------------------------------------


def test_ending_soon_lists_live_contracts_ending_within_the_chosen_months():
    ContractFactory(reference="A-3m", end_date=dt.date(2025, 9, 15))
    ContractFactory(reference="B-12m", end_date=dt.date(2026, 6, 15))
    ContractFactory(reference="C-13m", end_date=dt.date(2026, 7, 1))
    ContractFactory(reference="D-today", end_date=TODAY)
    ContractFactory(reference="E-ended", end_date=dt.date(2025, 6, 14))
    ContractFactory(reference="F-expired", end_date=dt.date(2025, 9, 1), status="expired")
    ContractFactory(reference="G-no-end", end_date=None)

    twelve = contracts_ending_soon(today=TODAY, months=12)
    three = contracts_ending_soon(today=TODAY, months=3)

    assert [r.contract.reference for r in twelve] == ["D-today", "A-3m", "B-12m"]
    assert [r.months_left for r in twelve] == [0, 3, 12]
    assert [r.contract.reference for r in three] == ["D-today", "A-3m"]


def test_ending_soon_sorts_by_value_or_supplier():
    ContractFactory(reference="SMALL", end_date=dt.date(2025, 7, 1), total_value=10)
    ContractFactory(reference="LARGE", end_date=dt.date(2025, 8, 1), total_value=900)

    by_value = contracts_ending_soon(today=TODAY, months=12, order="value")

    assert [r.contract.reference for r in by_value] == ["LARGE", "SMALL"]


def test_ending_soon_shows_only_the_alerts_sent_about_the_current_end_date():
    contract = ContractFactory(end_date=dt.date(2025, 12, 31))
    for months, end in ((9, dt.date(2025, 9, 30)), (9, contract.end_date), (6, contract.end_date)):
        ContractAlert.objects.create(
            contract=contract, months_before=months, end_date=end, recipient="a@example.gov.uk"
        )

    [row] = contracts_ending_soon(today=TODAY, months=12)

    assert row.alerts_sent == [9, 6]


def test_ending_soon_reads_contracts_and_alerts_in_two_queries(django_assert_num_queries):
    for _ in range(5):
        contract = ContractFactory(end_date=dt.date(2025, 12, 31), owner=UserFactory())
        ContractAlert.objects.create(
            contract=contract, months_before=6, end_date=contract.end_date, recipient="a@b.uk"
        )

    with django_assert_num_queries(2):
        rows = contracts_ending_soon(today=TODAY, months=12)
        names = [(r.contract.supplier.name, r.contract.owner.username) for r in rows]

    assert len(names) == 5


def _ending_soon_data(count: int) -> None:
    today = timezone.localdate()
    for n in range(count):
        end_date = add_months(today, 1 + n % 11)
        contract: Contract = ContractFactory.create(
            end_date=end_date, owner=UserFactory(), total_value=1000 * n
        )
        ContractAlert.objects.create(
            contract=contract, months_before=3, end_date=end_date, recipient="a@b.uk"
        )


def test_the_ending_soon_page_runs_the_same_queries_for_few_or_many_contracts(member_client):
    url = reverse("procurement:ending-soon")
    _ending_soon_data(2)
    few = _queries(member_client, url)
    _ending_soon_data(20)
    many = _queries(member_client, url)

    assert few == many
    response = member_client.get(url, {"months": 24, "order": "value"})
    assert len(response.context["rows"]) == 22
    assert response.context["months"] == 24


def test_the_ending_soon_page_shows_fifty_contracts_a_page_and_the_csv_has_them_all(
    member_client,
):
    _ending_soon_data(55)
    url = reverse("procurement:ending-soon")

    first = member_client.get(url, {"months": 12})
    second = member_client.get(url, {"months": 12, "page": 2})

    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 5
    listed = {row.contract.pk for row in [*first.context["rows"], *second.context["rows"]]}
    assert len(listed) == 55
    body = first.content.decode()
    assert "55 contracts ending in the next 12 months, 1 to 50 shown" in body
    assert 'class="govuk-pagination"' in body and "months=12&amp;page=2" in body
    assert all(row.alerts_sent == [3] for row in second.context["rows"])
    csv_rows = _csv(member_client.get(reverse("procurement:ending-soon-csv"), {"months": 12}))
    assert len(csv_rows) == 56


def test_the_ending_soon_csv_has_a_row_per_contract(member_client):
    end = add_months(timezone.localdate(), 2)
    ContractFactory(
        reference="CR-9",
        title="=cmd",
        end_date=end,
        total_value=Decimal("120000"),
        extension_options="1 × 12 months",
    )

    response = member_client.get(reverse("procurement:ending-soon-csv"), {"months": 3})

    rows = _csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["Reference", "Title", "Supplier"]
    assert rows[1][0] == "CR-9"
    assert rows[1][1] == "'=cmd"
    assert rows[1][4] == end.isoformat()
    assert rows[1][5] == "2"
    assert rows[1][6] == "120000.00"
    assert len(rows) == 2


# -- savings -----------------------------------------------------------------------------------


@pytest.fixture
def savings():
    people = ContractFactory(category=CategoryFactory(name="Care", sub_team=SubTeam.PEOPLE))
    place = ContractFactory(category=CategoryFactory(name="Highways", sub_team=SubTeam.PLACE))
    unsorted = ContractFactory(category=None)
    SavingFactory(contract=people, financial_year=2024, kind=CASHABLE, amount=Decimal("1000.50"))
    SavingFactory(contract=people, financial_year=2024, kind=NON_CASHABLE, amount=Decimal("200"))
    SavingFactory(contract=place, financial_year=2024, kind=CASHABLE, amount=Decimal("3000"))
    SavingFactory(contract=unsorted, financial_year=2024, kind=NON_CASHABLE, amount=Decimal("40"))
    SavingFactory(contract=None, financial_year=2024, kind=CASHABLE, amount=Decimal("5"))
    SavingFactory(contract=place, financial_year=2023, kind=CASHABLE, amount=Decimal("70000"))


def test_savings_totals_by_kind_are_for_the_chosen_year(savings):
    totals = {t.kind: t.total for t in saving_totals_by_kind(financial_year=2024)}
    all_years = {t.kind: t.total for t in saving_totals_by_kind()}
    empty = {t.label: t.total for t in saving_totals_by_kind(financial_year=2030)}

    assert totals == {CASHABLE: Decimal("4005.50"), NON_CASHABLE: Decimal("240")}
    assert all_years == {CASHABLE: Decimal("74005.50"), NON_CASHABLE: Decimal("240")}
    assert empty == {"Cashable": 0, "Non-cashable": 0}


def test_savings_totals_by_sub_team_come_from_the_contract_category(savings):
    rows = saving_totals_by_sub_team(financial_year=2024)

    assert [(r.label, r.cashable, r.non_cashable, r.total) for r in rows] == [
        ("People", Decimal("1000.50"), Decimal("200"), Decimal("1200.50")),
        ("Place", Decimal("3000"), 0, Decimal("3000")),
        ("Corporate", 0, 0, 0),
        ("Operations", 0, 0, 0),
        ("Not assigned", Decimal("5"), Decimal("40"), Decimal("45")),
    ]


def test_savings_totals_by_sub_team_leave_out_not_assigned_when_there_is_none(savings):
    rows = saving_totals_by_sub_team(financial_year=2023)

    assert [r.label for r in rows] == ["People", "Place", "Corporate", "Operations"]
    assert rows[1].cashable == Decimal("70000")


def test_savings_list_labels_the_year_and_lists_the_years_recorded(savings):
    assert saving_years() == [2024, 2023]
    assert {s.year_label for s in saving_list()} == {"2024/25", "2023/24"}
    assert saving_list(financial_year=2023).count() == 1
    SavingFactory(financial_year=2009)
    assert saving_list(financial_year=2009).get().year_label == "2009/10"


def test_the_savings_chart_stacks_the_same_numbers_as_the_table(savings):
    rows = saving_totals_by_sub_team(financial_year=2024)

    figure = charts.savings_by_sub_team_figure(rows, title="Savings")

    cashable, non_cashable = figure.data
    assert cashable.name == "Cashable"
    assert list(cashable.x) == ["People", "Place", "Corporate", "Operations", "Not assigned"]
    assert list(cashable.y) == [1000.5, 3000, 0, 0, 5]
    assert list(non_cashable.y) == [200, 0, 0, 0, 40]
    assert figure.layout.barmode == "stack"


def test_the_savings_page_shows_the_chosen_year_and_downloads_its_csv(member_client, savings):
    url = reverse("procurement:saving-list")

    response = member_client.get(url, {"year": 2024})
    download = member_client.get(url, {"year": 2024, "format": "csv"})

    assert response.context["year"] == 2024
    assert response.context["by_kind"][0].total == Decimal("4005.50")
    assert response.context["page"].paginator.count == 5
    assert "2024/25" in response.content.decode()
    assert _csv(download)[1] == ["People", "1000.50", "200.00", "1200.50"]
    assert download["Content-Disposition"] == (
        'attachment; filename="savings-by-sub-team-2024-25.csv"'
    )


def test_the_savings_page_opens_on_the_current_financial_year(member_client):
    SavingFactory(financial_year=financial_year_of(timezone.localdate()))
    SavingFactory(financial_year=2001)

    response = member_client.get(reverse("procurement:saving-list"))
    everything = member_client.get(reverse("procurement:saving-list"), {"year": ""})

    assert response.context["year"] == financial_year_of(timezone.localdate())
    assert response.context["page"].paginator.count == 1
    assert everything.context["year"] is None
    assert everything.context["page"].paginator.count == 2


def _many_savings(count: int) -> None:
    year = financial_year_of(timezone.localdate())
    for n in range(count):
        SavingFactory(financial_year=year, kind=CASHABLE if n % 2 else NON_CASHABLE)


def test_the_savings_page_runs_the_same_queries_for_few_or_many_savings(member_client):
    url = reverse("procurement:saving-list")
    _many_savings(3)
    few = _queries(member_client, url)
    _many_savings(60)
    many = _queries(member_client, url)

    assert few == many


def test_an_officer_records_a_saving(officer_client, officer):
    contract = ContractFactory(reference="CR-1")
    data = {
        "contract": "CR-1",
        "financial_year": 2024,
        "kind": CASHABLE,
        "amount": "1234.56",
        "description": "Re-tendered",
    }

    response = officer_client.post(reverse("procurement:saving-create"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:saving-list") + "?year=2024"
    saving = Saving.objects.get()
    assert (saving.contract, saving.amount, saving.recorded_by) == (
        contract,
        Decimal("1234.56"),
        officer,
    )
    assert saving.history.get().history_user == officer


def test_a_saving_needs_no_contract_but_does_need_an_amount(officer_client):
    url = reverse("procurement:saving-create")
    data = {"financial_year": 2024, "kind": NON_CASHABLE, "description": "Avoided cost"}

    bad = officer_client.post(url, {**data, "amount": ""})
    good = officer_client.post(url, {**data, "amount": "10"})

    assert bad.status_code == 200
    assert "Enter the amount saved in pounds" in bad.content.decode()
    assert good.status_code == 302
    assert Saving.objects.get().contract is None


def test_the_saving_form_offers_financial_years_labelled_like_2024_25(officer_client):
    response = officer_client.get(reverse("procurement:saving-create"))

    choices = dict(response.context["form"].fields["financial_year"].choices)
    year = financial_year_of(timezone.localdate())
    assert choices[year] == f"{year}/{(year + 1) % 100:02d}"
    assert 'type="radio"' in response.content.decode()


def test_a_member_cannot_record_a_saving(member_client):
    response = member_client.post(
        reverse("procurement:saving-create"),
        {"financial_year": 2024, "kind": CASHABLE, "amount": "1", "description": "x"},
    )

    assert response.status_code == 403
    assert Saving.objects.count() == 0


def test_the_saving_service_refuses_an_unknown_kind():
    user = UserFactory()
    with pytest.raises(ValidationError):
        saving_create(
            financial_year=2024,
            kind="bogus",
            amount=Decimal("1"),
            description="x",
            recorded_by=user,
        )
    assert Saving.objects.count() == 0


# -- pipeline ----------------------------------------------------------------------------------


@pytest.fixture
def pipeline():
    for start, value, status in (
        (dt.date(2025, 4, 1), "100", "planned"),  # 2025/26 Q1
        (dt.date(2025, 6, 30), "50", "in_progress"),  # 2025/26 Q1
        (dt.date(2025, 9, 30), "200", "planned"),  # 2025/26 Q2
        (dt.date(2026, 2, 15), "400", "planned"),  # 2025/26 Q4
        (dt.date(2026, 3, 31), "1000", "cancelled"),  # 2025/26 Q4
        (dt.date(2026, 4, 1), "7", "planned"),  # 2026/27 Q1
    ):
        PipelineItemFactory(planned_start=start, estimated_value=Decimal(value), status=status)


def test_pipeline_totals_fall_in_financial_quarters(pipeline):
    rows = pipeline_quarter_totals(financial_year=2025)

    assert [(r.label, r.items, r.total) for r in rows] == [
        ("2025/26 Q1", 2, Decimal("150")),
        ("2025/26 Q2", 1, Decimal("200")),
        ("2025/26 Q3", 0, 0),
        ("2025/26 Q4", 1, Decimal("400")),
    ]


def test_cancelled_procurements_count_in_the_quarters_only_when_that_status_is_chosen(pipeline):
    every_status = pipeline_quarter_totals()
    cancelled = pipeline_quarter_totals(financial_year=2025, status="cancelled")

    assert sum(r.total for r in every_status) == Decimal("757")
    assert sum(r.items for r in every_status) == 5
    assert [(r.label, r.items, r.total) for r in cancelled if r.items] == [
        ("2025/26 Q4", 1, Decimal("1000"))
    ]


def test_pipeline_totals_filter_by_status_and_span_years_when_none_is_chosen(pipeline):
    planned = pipeline_quarter_totals(status="planned")

    assert [(r.label, r.total) for r in planned] == [
        ("2025/26 Q1", Decimal("100")),
        ("2025/26 Q2", Decimal("200")),
        ("2025/26 Q4", Decimal("400")),
        ("2026/27 Q1", Decimal("7")),
    ]


def test_the_pipeline_list_filters_by_financial_year_and_status(pipeline):
    assert pipeline_list(financial_year=2025).count() == 5
    assert pipeline_list(financial_year=2026).count() == 1
    assert pipeline_list(financial_year=2025, status="planned").count() == 3
    assert pipeline_years() == [2026, 2025]


def test_the_pipeline_chart_has_the_quarter_totals(pipeline):
    rows = pipeline_quarter_totals(financial_year=2025)

    figure = charts.pipeline_by_quarter_figure(rows, title="Pipeline")

    assert list(figure.data[0].x) == ["2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4"]
    assert list(figure.data[0].y) == [150, 200, 0, 400]


def test_the_pipeline_page_filters_and_downloads(member_client, pipeline):
    url = reverse("procurement:pipeline-list")

    response = member_client.get(url, {"year": 2025, "status": "planned"})
    quarters = member_client.get(url, {"year": 2025, "status": "planned", "format": "quarters"})
    items = member_client.get(url, {"year": 2026, "format": "csv"})

    assert response.context["page"].paginator.count == 3
    assert [q.total for q in response.context["quarters"]] == [100, 200, 0, 400]
    assert _csv(quarters)[1:] == [
        ["2025/26 Q1", "1", "100.00"],
        ["2025/26 Q2", "1", "200.00"],
        ["2025/26 Q3", "0", "0.00"],
        ["2025/26 Q4", "1", "400.00"],
    ]
    assert [row[3:5] for row in _csv(items)[1:]] == [["2026-04-01", "2026/27"]]
    assert "year=2025&amp;status=planned&amp;format=quarters" in response.content.decode()


def test_a_member_sees_no_pipeline_edit_links(member_client, officer_client, pipeline):
    url = reverse("procurement:pipeline-list")

    assert "Add a planned procurement" not in member_client.get(url).content.decode()
    assert "Add a planned procurement" in officer_client.get(url).content.decode()


def _many_items(count: int) -> None:
    for n in range(count):
        PipelineItemFactory(
            planned_start=dt.date(2025, 1 + n % 12, 1),
            owner=UserFactory(),
            replaces=ContractFactory(),
        )


def test_the_pipeline_page_runs_the_same_queries_for_few_or_many_items(officer_client):
    url = reverse("procurement:pipeline-list")
    _many_items(2)
    few = _queries(officer_client, url)
    _many_items(30)
    many = _queries(officer_client, url)

    assert few == many


def _pipeline_post(**changes) -> dict:
    data = {
        "title": "Home to school transport",
        "estimated_value": "2500000",
        "planned_start_0": "1",
        "planned_start_1": "10",
        "planned_start_2": "2026",
        "route": "open",
        "status": "planned",
        "notes": "",
    }
    data.update(changes)
    return data


def test_an_officer_adds_and_edits_a_planned_procurement(officer_client, officer):
    category = CategoryFactory(name="Transport", sub_team=SubTeam.PLACE)
    replaces = ContractFactory(reference="OLD-1")

    created = officer_client.post(
        reverse("procurement:pipeline-create"),
        _pipeline_post(category=category.pk, owner=officer.pk, replaces=replaces.pk),
    )
    item = PipelineItem.objects.get()
    edited = officer_client.post(
        reverse("procurement:pipeline-edit", args=[item.pk]),
        _pipeline_post(status="in_progress", estimated_value="2600000"),
    )

    assert created.status_code == 302 and edited.status_code == 302
    item.refresh_from_db()
    assert item.planned_start == dt.date(2026, 10, 1)
    assert item.status == "in_progress"
    assert item.estimated_value == Decimal("2600000")
    assert item.replaces is None  # the edit form cleared it
    assert [h.history_user for h in item.history.order_by("history_id")] == [officer, officer]


def test_the_pipeline_form_shows_errors_and_saves_nothing(officer_client):
    response = officer_client.post(
        reverse("procurement:pipeline-create"),
        _pipeline_post(title="", estimated_value="-5"),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a title" in body
    assert "The estimated value must be £0 or more" in body
    assert PipelineItem.objects.count() == 0


def test_the_pipeline_edit_form_opens_with_the_current_values(officer_client):
    item = PipelineItemFactory(title="Fleet vehicles")

    response = officer_client.get(reverse("procurement:pipeline-edit", args=[item.pk]))

    assert response.status_code == 200
    assert 'value="Fleet vehicles"' in response.content.decode()


def test_the_pipeline_services_validate_and_record_who_changed_it():
    user = UserFactory()
    item = pipeline_item_create(
        title="Library stock",
        estimated_value=Decimal("90000"),
        planned_start=dt.date(2025, 5, 1),
        created_by=user,
        status="planned",
    )

    updated = pipeline_item_update(item=item, changes={"status": "awarded"}, updated_by=user)

    assert updated.status == "awarded"
    assert updated.history.first().history_user == user
    with pytest.raises(TypeError):
        pipeline_item_update(item=item, changes={"version": 3}, updated_by=user)
