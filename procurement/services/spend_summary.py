"""Rebuild SpendYearSummary, the per-year totals the spend dashboard reads.

The summary is derived data, so there is nothing to validate: each affected financial year's
rows are deleted and recomputed from SpendTransaction. The totals never pass through Python:
one INSERT ... SELECT writes the grouped query's rows (at scale 10 a full rebuild takes about a
second this way, against ten with bulk_create). Call it after an import, for the years the
file covers, and after transactions are matched to contracts.

Only the council's own spend is summarised: a neighbouring council's file imported for
comparison (SpendImport.is_own false) never reaches the dashboards, shares or the review.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.financial_year import financial_year_bounds, financial_year_expression
from jobs.models import Job
from jobs.services import job_start
from procurement.models import SpendImport, SpendTransaction, SpendYearSummary

# summary column <- alias in the grouped query
COLUMNS = {
    "financial_year": "year",
    "supplier_id": "supplier_id",
    "contract_id": "contract_id",
    "amount": "total",
    "payments": "payments",
    "credit_notes": "credit_notes",
}


@transaction.atomic
def spend_summary_rebuild(
    *,
    years: Iterable[int] | None = None,
    supplier_ids: Iterable[int] | None = None,
    redacted: bool = False,
) -> int:
    """Recompute the summary for `years` (financial years by their April start) and
    `supplier_ids`, or for every year / supplier when None. Returns the rows written.

    `redacted` adds the payments whose supplier was redacted to the given suppliers: an import
    rebuilds the suppliers it paid, and those payments too if it had any.
    """
    # A hashed NOT IN of the few other councils' imports, rather than a join of every payment
    # to its import.
    lines = SpendTransaction.objects.exclude(
        spend_import_id__in=SpendImport.objects.filter(is_own=False).values("pk")
    )
    stale = SpendYearSummary.objects.all()
    if supplier_ids is not None:
        supplier_ids = list(supplier_ids)
        chosen = Q(supplier_id__in=supplier_ids)
        if redacted:
            chosen |= Q(supplier__isnull=True)
        lines = lines.filter(chosen)
        stale = stale.filter(chosen)
    if years is not None:
        years = sorted(set(years))
        if not years:
            return 0
        in_years = Q()
        for year in years:
            in_years |= Q(paid_on__range=financial_year_bounds(year))
        lines = lines.filter(in_years)
        stale = stale.filter(financial_year__in=years)
    totals = (
        lines.annotate(year=financial_year_expression("paid_on"))
        .values("year", "supplier_id", "contract_id")
        .annotate(
            total=Sum("amount"),
            payments=Count("id", filter=Q(amount__gte=0)),
            credit_notes=Count("id", filter=Q(amount__lt=0)),
        )
        .order_by()
    )
    stale.delete()
    # Column aliases make the outer SELECT independent of the order Django writes them in.
    select, params = totals.query.get_compiler(connection=connection).as_sql(with_col_aliases=True)
    quote = connection.ops.quote_name
    sql = (
        "INSERT INTO {table} ({columns}, {rebuilt_at}) SELECT {aliases}, %s FROM ({select}) {name}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(
                table=quote(SpendYearSummary._meta.db_table),
                columns=", ".join(quote(column) for column in COLUMNS),
                rebuilt_at=quote("rebuilt_at"),
                aliases=", ".join(quote(alias) for alias in COLUMNS.values()),
                select=select,
                name=quote("totals"),
            ),
            (connection.ops.adapt_datetimefield_value(timezone.now()), *params),
        )
        rebuilt: int = cursor.rowcount
        return rebuilt


def spend_summary_rebuild_queue(*, user: User) -> Job:
    """Queue a rebuild of the whole summary (after a correction made outside the app, say):
    the worker runs procurement.tasks.spend_summary_rebuild. Imports rebuild what they touch
    inside their own job, so this is an administrator's or officer's repair, not routine."""
    from procurement import tasks

    return job_start(
        task=tasks.spend_summary_rebuild,
        kind=Job.Kind.SUMMARY_REBUILD,
        owner=user,
        title="Every financial year",
        params={},
    )
