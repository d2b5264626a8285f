"""Keys for cached page parts: one query that reads a few per-table aggregates.

A page part that is the same for every reader is rendered once per data version and kept in
the cache (`{% cache page_seconds name page_key %}`): the key changes whenever a row it reads
is added, saved or deleted, so a cached figure never outlives its data. The cache's timeout
bounds only what no version sees (a raw UPDATE outside the ORM, a reference-data rename).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar, cast

from django.db import connection
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from core.prepared import fetch_all

PAGE_CACHE_SECONDS = 10 * 60

T = TypeVar("T")


def data_version(aggregates: Iterable[tuple[str, str]]) -> str:
    """The values of `aggregates` ((table, SQL aggregate) pairs, e.g. ("x", "max(id)")), joined
    into one string, read in one query of index lookups. It changes whenever a row is added,
    saved (where the aggregate is of a history or timestamp column) or deleted. Prepared
    once a connection on PostgreSQL (`core.prepared`): planning it cost more than running it."""
    rows = fetch_all(connection, _version_sql(tuple(aggregates)), label="data_version")
    return ":".join(str(value) for value in rows[0])


@cache
def _version_sql(aggregates: tuple[tuple[str, str], ...]) -> str:
    """The version query of `aggregates`, written once a process: a page asks for the same few."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT {aggregate} FROM {quote(table)})" for table, aggregate in aggregates
    )
    return f"SELECT {parts}"


def models_version(models: Iterable[type[Model]], *, extra: Iterable[tuple[str, str]] = ()) -> str:
    """`data_version` of `models`: the newest history id of a model whose history is kept
    (simple-history adds a row for every save and delete), else its newest id and row count
    (append-only and reference tables, where an edit is a new row), and `extra` aggregates."""
    aggregates = [aggregate for model in models for aggregate in _model_aggregates(model)]
    return data_version(dict.fromkeys([*aggregates, *extra]))


@cache
def _model_aggregates(model: type[Model]) -> tuple[tuple[str, str], ...]:
    """`models_version`'s aggregates for one model, worked out once a process: simple-history's
    `history` attribute builds a new manager class each time it is read, which cost more CPU
    than the version query itself."""
    from core.models import DataStamp

    history = getattr(model, "history", None)
    if history is not None:
        # Quoted as the pages that name their own sources quote it: one subquery, not two.
        quote = connection.ops.quote_name
        return ((history.model._meta.db_table, f"max({quote('history_id')})"),)
    table, key = model._meta.db_table, connection.ops.quote_name(model._meta.pk.column)
    aggregates = [(table, f"max({key})"), (table, "count(*)")]
    if model in _tracked:
        # Every tracked table's edits together: they are rare, so one sum will do.
        aggregates.append((DataStamp._meta.db_table, "sum(changes)"))
    return tuple(aggregates)


_tracked: set[type[Model]] = set()


def track_edits(*models: type[Model]) -> None:
    """Count every save and delete of `models` (loaddata's too) in `DataStamp`, for tables
    whose rows are edited in place with no history: `models_version` then sees the edit.
    Called from the apps' `ready()`, so every process counts from its start."""
    _model_aggregates.cache_clear()
    for model in models:
        _tracked.add(model)
        post_save.connect(_count_edit, sender=model, dispatch_uid=f"track-{model._meta.label}")
        post_delete.connect(_count_edit, sender=model, dispatch_uid=f"track-{model._meta.label}")


def _count_edit(sender: type[Model], **kwargs: object) -> None:
    from core.models import DataStamp

    table = sender._meta.db_table
    if not DataStamp.objects.filter(table=table).update(changes=F("changes") + 1):
        DataStamp.objects.get_or_create(table=table, defaults={"changes": 1})


def page_key(request: HttpRequest, *parts: object) -> str:
    """What a cached page part varies on: `parts` (a data version, a role's flag), today (the
    default "as at" date and what is overdue move with it) and the query string, sorted."""
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    return ":".join([*(str(part) for part in parts), timezone.localdate().isoformat(), query])


def lazy(compute: Callable[[], T]) -> T:
    """`compute()`, run the first time the value is used: a cached part's context is read only
    when the part is drawn."""
    return cast(T, SimpleLazyObject(compute))
