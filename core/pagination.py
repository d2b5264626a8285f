"""Lists a page at a time: the page a request asks for, and the links of the GOV.UK pagination
component (`templates/includes/pagination.html`), each keeping the list's filters.

Selectors return the whole queryset; the view takes the page, so a selector never paginates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50


def page_of(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], *, per_page: int = PAGE_SIZE
) -> Page[Any]:
    """The page the address asks for (`?page=`); the last for one past the end, the first for
    anything that is not a page number."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_string(
    params: QueryDict | Mapping[str, Any], *, drop: Iterable[str] = ("page",), **changes: Any
) -> str:
    """ "?a=1&b=2": the parameters that have a value, less `drop`, with `changes` applied."""
    if not isinstance(params, QueryDict):
        given = params
        params = QueryDict(mutable=True)
        for key, value in given.items():
            if value not in (None, ""):
                params[key] = str(value)
    dropped = set(drop)
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        present = [value for value in values if value != ""]
        if key not in dropped and present:
            kept.setlist(key, present)
    for key, value in changes.items():
        kept[key] = value
    return f"?{kept.urlencode()}" if kept else "?"


def pagination(page: Page[Any], params: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    """The links for the GOV.UK pagination component; nothing when there is one page."""
    if page.paginator.num_pages < 2:
        return {}
    items: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if not isinstance(number, int):  # the ellipsis
            items.append({"ellipsis": True})
        else:
            items.append(
                {
                    "number": number,
                    "url": query_string(params, page=number),
                    "current": number == page.number,
                }
            )
    return {
        "items": items,
        "previous": query_string(params, page=page.number - 1) if page.has_previous() else "",
        "next": query_string(params, page=page.number + 1) if page.has_next() else "",
    }


def paginated(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    params: QueryDict | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A list page's context: its `page` and the `pagination` links keeping `params` (by
    default the address's own parameters)."""
    page = page_of(request, rows)
    return {"page": page, "pagination": pagination(page, request.GET if params is None else params)}
