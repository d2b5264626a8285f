"""Reads for the members' annual review: one financial year across maturity, spend, social
value, savings, contracts and risk.

The review reuses each app's own selectors (maturity's positions and summaries, the spend
dashboard's per-year totals from SpendYearSummary, planning's savings totals, the register's
queryset filters, social value's verified totals) and adds only the few aggregates nobody else
needs. `AnnualReview` reads each part the first time it is asked for and keeps it, so the page
runs every query once and a CSV download runs only those its table needs. None of the queries
reads the spend lines themselves, and none runs once per row: the page costs the same number of
queries whatever the size of the data.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from simple_history.utils import get_history_model_for_model

from core.data_version import models_version
from core.financial_year import (
    default_financial_year,
    financial_year_bounds,
    financial_year_end,
    financial_year_label,
    financial_years_with_data,
    year_source_models,
)
from core.money import ZERO, to_penny
from core.percent import share
from dashboards.evidence import (
    EvidenceSignal,
    LiveContractCounts,
    evidence_signals,
    live_contract_counts,
)
from dashboards.models import SavingsTarget
from maturity import selectors as maturity
from maturity.models import Action, Assessment, Framework, Indicator, Level, Target
from maturity.selectors import AreaSummary, MaturityHeadline
from procurement.models import (
    Contract,
    Notice,
    PipelineItem,
    Risk,
    Saving,
    SpendYearSummary,
    SubTeam,
    Supplier,
    Variation,
)
from procurement.selectors import notices, planning, register, spend
from procurement.selectors.planning import KindTotal
from procurement.selectors.spend import Headline, YearSpend
from socialvalue.models import (
    Commitment,
    Measure,
    ProxyValue,
    ReturnLine,
    SocialValueReturn,
)
from socialvalue.selectors import Total, social_value_totals

ENDING_MONTHS = 12
RISK_LIST_LIMIT = 20
NOT_ASSIGNED = "Not assigned"


# -- spend by year, kept until spend or suppliers change ----------------------------------------

SPEND_CACHE_SECONDS = 60 * 60


def spend_by_year_cached() -> list[YearSpend]:
    """The spend dashboard's totals for every year, kept in the cache until they could change.

    Totalling the spend summary joins every row to its supplier (60,000 rows at scale 10), the
    largest cost of the review. The totals change only when the summary is rebuilt (its row
    count or latest rebuild time moves) or a supplier is saved (its SME, VCSE or local status
    may have changed), so those three values version the cached answer: two small queries
    instead of the aggregate. The timeout bounds how long a change made outside the ORM
    could go unseen.
    """
    summary = SpendYearSummary.objects.aggregate(rows=Count("pk"), built=Max("rebuilt_at"))
    suppliers = Supplier.objects.aggregate(changed=Max("updated_at"))
    stamps = (summary["built"], suppliers["changed"])
    version = "-".join(stamp.isoformat() if stamp else "none" for stamp in stamps)
    key = f"annual-review:spend-by-year:{summary['rows']}:{version}"
    years: list[YearSpend] | None = cache.get_or_set(key, spend.spend_by_year, SPEND_CACHE_SECONDS)
    return years or []


# -- the review's data version, for caching the rendered page ------------------------------------

REVIEW_CACHE_SECONDS = 10 * 60


@functools.cache
def _review_sources() -> tuple[tuple[str, str], ...]:
    """(table, column) pairs whose largest value moves whenever the review's data changes.

    Assessments and targets are append-only and everything else the review reads keeps its
    history (simple-history adds a row for every save and delete), so the newest id of each
    moves with every change; the spend summary and savings targets carry their own times.
    Reference data (measures, proxy values, the framework) is counted by its newest id.
    """
    tracked = [Supplier, Contract, Variation, Saving, PipelineItem, Action, Commitment, Notice]
    tracked += [SocialValueReturn, ReturnLine]
    histories = [get_history_model_for_model(model) for model in tracked]
    sources = [(history._meta.db_table, "history_id") for history in histories]
    sources += [(model._meta.db_table, "id") for model in (Assessment, Target, Indicator)]
    sources += [(model._meta.db_table, "id") for model in (Measure, ProxyValue)]
    sources += [
        (SpendYearSummary._meta.db_table, "rebuilt_at"),
        (SpendYearSummary._meta.db_table, "id"),
        (SavingsTarget._meta.db_table, "updated_at"),
        (SavingsTarget._meta.db_table, "id"),
    ]
    return tuple(sources)


def review_version() -> str:
    """A key that changes whenever the review page could change, its body (`_review_sources`)
    or its year form's choices (the years with data): one query of a few dozen index lookups.
    The page's cache key adds the day and the query string (`core.data_version.page_key`). The
    cache's timeout bounds how long a change made outside the ORM (a raw UPDATE, say) could go
    unseen."""
    quote = connection.ops.quote_name
    review = [(table, f"max({quote(column)})") for table, column in _review_sources()]
    return models_version(year_source_models(), extra=review)


# -- the financial years the review can show ---------------------------------------------------


def review_years(*, today: dt.date) -> tuple[list[int], int]:
    """The years to offer, newest first (every year with any data: core.financial_year), and
    the one shown by default, the last complete financial year."""
    years = financial_years_with_data(today=today)
    return years, default_financial_year(today=today, review=True)


# -- the parts of the review -------------------------------------------------------------------


@dataclass(frozen=True)
class SocialValueHeadline:
    """Verified delivery in a year: pounds where measures carry a proxy value, and units."""

    value: Decimal | None
    quantities: dict[str, Decimal]

    @property
    def units(self) -> list[tuple[str, Decimal]]:
        """(unit, quantity) for every unit with something delivered, in the measures' order."""
        return [(unit, self.quantities[unit]) for unit in Measure.Unit if self.quantities[unit]]


@dataclass(frozen=True)
class GoalComparison:
    name: str
    value: Decimal | None
    previous_value: Decimal | None
    quantities: dict[str, Decimal]

    @property
    def change(self) -> Decimal | None:
        if self.value is None and self.previous_value is None:
            return None
        return (self.value or ZERO) - (self.previous_value or ZERO)

    def quantity_in(self, unit: str) -> Decimal:
        return self.quantities.get(unit, ZERO)

    @property
    def units(self) -> list[tuple[str, Decimal]]:
        return [(unit, self.quantity_in(unit)) for unit in Measure.Unit if self.quantity_in(unit)]


@dataclass(frozen=True)
class SavingsYear:
    year: int
    cashable: Decimal
    non_cashable: Decimal
    target: Decimal | None

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def total(self) -> Decimal:
        return self.cashable + self.non_cashable

    @property
    def share_of_target(self) -> Decimal | None:
        return share(self.total, self.target) if self.target is not None else None


@dataclass(frozen=True)
class EndingCount:
    sub_team: str
    label: str
    contracts: int
    value: Decimal


@dataclass(frozen=True)
class AssessmentChange:
    assessed_on: dt.date
    indicator_id: int
    indicator: str
    key_area: str
    before: int | None
    after: int
    assessor: str

    @property
    def before_name(self) -> str:
        return Level.label_for(self.before)

    @property
    def after_name(self) -> str:
        return Level.label_for(self.after)

    @property
    def direction(self) -> str:
        if self.before is None:
            return "first"
        if self.after > self.before:
            return "up"
        if self.after < self.before:
            return "down"
        return "same"


def assessment_changes(*, framework: Framework | None, year: int) -> list[AssessmentChange]:
    """Assessments dated in the financial year, each with the level the indicator had before it
    (its previous assessment, by the order "latest" uses): one query."""
    start, end = financial_year_bounds(year)
    rows = (
        Assessment.objects.filter(
            assessed_on__range=(start, end), indicator__key_area__theme__framework=framework
        )
        .annotate(before=maturity.level_before())
        .select_related("indicator__key_area", "assessor")
        .order_by(
            "assessed_on",
            "indicator__key_area__theme__position",
            "indicator__key_area__position",
            "indicator__position",
            "recorded_at",
            "id",
        )
    )
    return [
        AssessmentChange(
            assessed_on=row.assessed_on,
            indicator_id=row.indicator_id,
            indicator=row.indicator.name,
            key_area=row.indicator.key_area.name,
            before=row.before,
            after=row.level_id,
            assessor=(
                (row.assessor.get_full_name() or row.assessor.get_username())
                if row.assessor
                else "Strategy document"
            ),
        )
        for row in rows
    ]


def goal_comparison(*, current: list[Total], previous: list[Total]) -> list[GoalComparison]:
    """Goals of both years in goal order, each year's verified value side by side."""
    before = {total.key: total for total in previous}
    rows = [
        GoalComparison(
            name=total.name,
            value=total.value,
            previous_value=before.pop(total.key).value if total.key in before else None,
            quantities=total.quantities,
        )
        for total in current
    ]
    rows += [
        GoalComparison(name=total.name, value=None, previous_value=total.value, quantities={})
        for total in before.values()
    ]
    return rows


def social_value_headline(*, totals: list[Total]) -> SocialValueHeadline:
    valued = [total.value for total in totals if total.value is not None]
    return SocialValueHeadline(
        value=sum(valued, ZERO) if valued else None,
        quantities={
            unit: sum((total.quantity_in(unit) for total in totals), ZERO) for unit in Measure.Unit
        },
    )


def savings_by_year(*, targets: dict[int, Decimal]) -> list[SavingsYear]:
    """Savings per financial year split by kind, with each year's target: one query. Years
    with a target and no savings are listed too, oldest first."""
    rows = {
        row["financial_year"]: row
        for row in Saving.objects.order_by()
        .values("financial_year")
        .annotate(
            cashable=Sum("amount", filter=Q(kind=Saving.Kind.CASHABLE)),
            non_cashable=Sum("amount", filter=Q(kind=Saving.Kind.NON_CASHABLE)),
        )
    }
    return [
        SavingsYear(
            year=year,
            cashable=to_penny(rows.get(year, {}).get("cashable")),
            non_cashable=to_penny(rows.get(year, {}).get("non_cashable")),
            target=targets.get(year),
        )
        for year in sorted({*rows, *targets})
    ]


def savings_targets() -> dict[int, Decimal]:
    return dict(SavingsTarget.objects.values_list("financial_year", "amount"))


def contracts_live_on(*, day: dt.date, today: dt.date) -> register.ContractQuerySet:
    """Contracts live on `day`: today, those whose status is live; on an earlier day, those
    let by then (not still being procured) that had started and not yet ended."""
    if day >= today:
        return register.contracts().live()
    return (
        register.contracts()
        .exclude(status=Contract.Status.DRAFT)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=day))
        .filter(end_date__gte=day)
    )


def contracts_ending_by_sub_team(
    *, today: dt.date, months: int = ENDING_MONTHS, as_at: dt.date | None = None
) -> list[EndingCount]:
    """Contracts live on `as_at` (today when None) ending in the `months` after it, counted per
    sub-team: one grouped query. Every sub-team is listed; contracts with no category come
    last as "Not assigned"."""
    day = as_at or today
    rows = {
        row["category__sub_team"]: row
        for row in contracts_live_on(day=day, today=today)
        .ending_within(months=months, today=day)
        .order_by()
        .values("category__sub_team")
        .annotate(contracts=Count("pk"), value=Sum("total_value"))
    }
    teams = [*SubTeam.choices] + ([(None, NOT_ASSIGNED)] if None in rows else [])
    return [
        EndingCount(
            sub_team=value or "",
            label=label,
            contracts=rows[value]["contracts"] if value in rows else 0,
            value=to_penny(rows[value]["value"]) if value in rows else ZERO,
        )
        for value, label in teams
    ]


@dataclass(frozen=True)
class RiskySupplier:
    pk: int
    name: str
    year_spend: Decimal
    live_contracts: int
    live_value: Decimal


def high_risk_suppliers(*, year: int, limit: int = RISK_LIST_LIMIT) -> list[RiskySupplier]:
    """The suppliers rated high risk at their latest financial health check that were paid most
    in the year (from the spend summary), with their live contracts: two queries."""
    paid = list(
        SpendYearSummary.objects.filter(financial_year=year, supplier__financial_risk=Risk.HIGH)
        .values("supplier_id", "supplier__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "supplier__name", "supplier_id")[:limit]
    )
    live = {
        row["supplier_id"]: row
        for row in register.contracts()
        .live()
        .filter(supplier_id__in=[row["supplier_id"] for row in paid])
        .order_by()
        .values("supplier_id")
        # A framework's value is its maximum for all its suppliers, not this supplier's.
        .annotate(contracts=Count("pk"), value=Sum("total_value", filter=Q(is_framework=False)))
    }
    return [
        RiskySupplier(
            pk=row["supplier_id"],
            name=row["supplier__name"],
            year_spend=to_penny(row["total"]),
            live_contracts=live.get(row["supplier_id"], {}).get("contracts", 0),
            live_value=to_penny(live.get(row["supplier_id"], {}).get("value")),
        )
        for row in paid
    ]


def high_risk_supplier_counts() -> dict[str, int]:
    """Suppliers rated high risk, and how many of them hold a live contract: one query."""
    holds_live = Exists(
        Contract.objects.filter(supplier=OuterRef("pk"), status=Contract.Status.LIVE)
    )
    return (
        register.suppliers()
        .filter(financial_risk=Risk.HIGH)
        .annotate(holds_live=holds_live)
        .aggregate(total=Count("pk"), with_live_contracts=Count("pk", filter=Q(holds_live=True)))
    )


def high_risk_contracts(*, limit: int = RISK_LIST_LIMIT) -> QuerySet[Contract]:
    """Live contracts rated high risk, largest first."""
    return (
        register.contracts()
        .live()
        .with_related()
        .filter(risk_rating=Risk.HIGH)
        .order_by(F("total_value").desc(nulls_last=True), "reference")[:limit]
    )


# -- the whole review --------------------------------------------------------------------------


class AnnualReview:
    """The review of one financial year, each part read when first used."""

    def __init__(
        self, *, year: int, today: dt.date, by_year: list[YearSpend] | None = None
    ) -> None:
        self.year = year
        self.today = today
        if by_year is not None:
            self.__dict__["spend_years"] = by_year

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def year_text(self) -> str:
        return str(self.year)

    @property
    def previous_label(self) -> str:
        return financial_year_label(self.year - 1)

    @property
    def is_current(self) -> bool:
        return self.as_at == self.today

    @property
    def as_at(self) -> dt.date:
        """The day the review's position is taken: the year's 31 March, or today for the
        year still running. Year-bound counts (contracts ending, actions overdue) count from it."""
        return min(financial_year_end(self.year), self.today)

    @property
    def previous_as_at(self) -> dt.date:
        """31 March at the end of the year before."""
        return financial_year_end(self.year - 1)

    # spend: the spend dashboard's totals per year
    @cached_property
    def spend_years(self) -> list[YearSpend]:
        return spend_by_year_cached()

    @cached_property
    def spend(self) -> Headline | None:
        return spend.spend_headline(year=self.year, by_year=self.spend_years)

    # maturity
    @cached_property
    def framework(self) -> Framework | None:
        return maturity.framework_current()

    @cached_property
    def themes(self) -> list[AreaSummary]:
        return maturity.theme_summaries(framework=self.framework, as_at=self.as_at)

    @cached_property
    def key_areas(self) -> list[AreaSummary]:
        return maturity.key_area_summaries(framework=self.framework, as_at=self.as_at)

    @cached_property
    def largest_gaps(self) -> list[maturity.PositionedIndicator]:
        return maturity.largest_gaps(framework=self.framework, as_at=self.as_at)

    @cached_property
    def maturity_table(self) -> list[maturity.IndicatorThen]:
        """Every indicator at the year end and the year end before: one query."""
        return list(
            maturity.maturity_table(
                framework=self.framework, as_at=self.as_at, previous=self.previous_as_at
            )
        )

    @cached_property
    def maturity_headline(self) -> MaturityHeadline:
        return maturity.maturity_headline(
            framework=self.framework,
            as_at=self.as_at,
            previous=self.previous_as_at,
            themes=self.themes,
        )

    @cached_property
    def actions_overdue(self) -> int:
        return maturity.actions_overdue_count(framework=self.framework, as_at=self.as_at)

    @cached_property
    def changes(self) -> list[AssessmentChange]:
        return assessment_changes(framework=self.framework, year=self.year)

    # social value: verified delivery by goal, this year and last
    @cached_property
    def social_value_goals(self) -> list[Total]:
        return social_value_totals(year=self.year, by="goal")

    @cached_property
    def social_value(self) -> SocialValueHeadline:
        return social_value_headline(totals=self.social_value_goals)

    @cached_property
    def social_value_by_goal(self) -> list[GoalComparison]:
        previous = social_value_totals(year=self.year - 1, by="goal")
        return goal_comparison(current=self.social_value_goals, previous=previous)

    @cached_property
    def previous_social_value(self) -> Decimal | None:
        valued = [row.previous_value for row in self.social_value_by_goal if row.previous_value]
        return sum(valued, ZERO) if valued else None

    # savings against the target
    @cached_property
    def savings_by_kind(self) -> list[KindTotal]:
        return planning.saving_totals_by_kind(financial_year=self.year)

    @property
    def savings_total(self) -> Decimal:
        return sum((row.total for row in self.savings_by_kind), ZERO)

    @cached_property
    def targets(self) -> dict[int, Decimal]:
        return savings_targets()

    @property
    def savings_target(self) -> Decimal | None:
        return self.targets.get(self.year)

    @property
    def savings_share_of_target(self) -> Decimal | None:
        target = self.savings_target
        return share(self.savings_total, target) if target is not None else None

    @cached_property
    def savings_years(self) -> list[SavingsYear]:
        return savings_by_year(targets=self.targets)

    # contracts, risk and the compliance checks
    @cached_property
    def ending(self) -> list[EndingCount]:
        return contracts_ending_by_sub_team(today=self.today, as_at=self.as_at)

    @property
    def ending_count(self) -> int:
        return sum(row.contracts for row in self.ending)

    @property
    def ending_value(self) -> Decimal:
        return sum((row.value for row in self.ending), ZERO)

    @cached_property
    def live_counts(self) -> LiveContractCounts:
        return live_contract_counts()

    @cached_property
    def high_risk_suppliers(self) -> list[RiskySupplier]:
        return high_risk_suppliers(year=self.year)

    @cached_property
    def high_risk_supplier_counts(self) -> dict[str, int]:
        return high_risk_supplier_counts()

    @cached_property
    def high_risk_contracts(self) -> list[Contract]:
        return list(high_risk_contracts())

    # evidence beside self-assessment
    @cached_property
    def evidence(self) -> list[EvidenceSignal]:
        return evidence_signals(
            framework=self.framework,
            year=self.year,
            today=self.today,
            live_counts=self.live_counts,
            spend=self.spend,
            savings_total=self.savings_total,
            savings_target=self.savings_target,
        )

    # the Procurement Act's notices: on time against late for the year
    @cached_property
    def notice_timeliness(self) -> list[notices.KindTimeliness]:
        start, end = financial_year_bounds(self.year)
        return notices.notice_timeliness_by_kind(start=start, end=end, today=self.today)

    @property
    def notices_due(self) -> int:
        return sum(row.due for row in self.notice_timeliness)

    @property
    def notices_on_time(self) -> int:
        return sum(row.on_time for row in self.notice_timeliness)

    @property
    def disagreements(self) -> list[EvidenceSignal]:
        return [signal for signal in self.evidence if signal.disagrees]


def annual_review(
    *, year: int, today: dt.date, by_year: list[YearSpend] | None = None
) -> AnnualReview:
    """The review of `year` as seen on `today`: the position at the year's 31 March (today for
    the year still running), beside the 31 March before."""
    return AnnualReview(year=year, today=today, by_year=by_year)
