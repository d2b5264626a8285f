"""Checks for a load balancer: `healthz` (the process answers) and `readyz` (it can serve).

Both pass through every middleware, as a page does, but need no sign-in. The liveness check
touches neither the database nor the cache, so it is also the load test's hello-world view: the
cost of the framework and middleware alone. The readiness check runs one query and one cache
round trip, so a server whose database or shared cache is out of reach is taken out of service.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

READY_KEY = "health:ready"


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        problems.append(f"database: {type(error).__name__}")
    try:
        cache.set(READY_KEY, 1, 10)
        if cache.get(READY_KEY) != 1:
            problems.append("cache: a value set was not read back")
    except Exception as error:  # each backend raises its own connection errors
        problems.append(f"cache: {type(error).__name__}")
    if problems:
        return HttpResponse("\n".join(problems) + "\n", status=503, content_type="text/plain")
    return HttpResponse("ready\n", content_type="text/plain")
