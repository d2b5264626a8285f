"""Error responses: GOV.UK pages where Django sends none, and short logs for refusals.

- GET on a POST-only URL: Django's `require_POST` answers 405 with an empty body; the
  middleware gives it the 405 page (with the role's navigation, as the 403 and 404 pages have).
- The database cannot be reached: a 503 page drawn from a template that needs no database (no
  user, no session), from the middleware when a view raises and from `server_error` (the 500
  handler) when the failure comes earlier, for example in the session lookup.
- A refusal (4xx) is an ordinary event, so it is logged as one line without its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable() -> HttpResponse:
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: 503 when the error in flight is the database being out of reach."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable()  # Django logs it, with its traceback, as for any 5xx
    return HttpResponseServerError(loader.render_to_string("500.html"))


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN):
            # Django logs nothing for a response a middleware makes: one line says why.
            logger.error("Service unavailable, the database cannot be reached: %s", exception)
            return database_unavailable()
        return None


class ShortClientErrors(logging.Filter):
    """Drop the traceback from a 4xx response's log record (Django logs PermissionDenied and
    the like with exc_info): one line says what was refused; 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
