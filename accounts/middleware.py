"""The idle timeout without a session write on every request, and the request's user read with
its session."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.backends import session_account

REFRESHED_KEY = "_refreshed_at"


def session_stamp(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """On sign-in (`user_logged_in`): the session is saved with a fresh expiry then, so the
    first pages after it write nothing."""
    request.session[REFRESHED_KEY] = int(timezone.now().timestamp())


class SessionRefreshMiddleware:
    """Push a signed-in session's expiry (SESSION_COOKIE_AGE, 8 hours) forward at most once
    every SESSION_REFRESH_SECONDS, instead of saving the session on every request
    (SESSION_SAVE_EVERY_REQUEST): a session then ends between 8 hours less that interval and
    8 hours after its last request, and a page costs one session write in hundreds.

    Storing the time of the last refresh marks the session changed, so SessionMiddleware saves
    it with a new expiry. Sessions of visitors not signed in (the sign-in page, the health
    checks, an expired session's cookie) are left alone, so no row is created for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if not session.is_empty() and SESSION_KEY in session:
            now = int(timezone.now().timestamp())
            refreshed = session.get(REFRESHED_KEY)
            if refreshed is None or now - refreshed >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now
        return self.get_response(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, but the request's user is the one `accounts.sessions` read with the session,
    with no query of its own: Django's `auth.get_user` still checks the backend the session
    names, the session's password hash and that the user may sign in."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))  # type: ignore[assignment]


def _request_user(request: HttpRequest) -> object:
    if not hasattr(request, "_cached_user"):
        # Reading the session loads it (if nothing has yet), and with it the account.
        signed_in = SESSION_KEY in request.session
        account = getattr(request.session, "account", None) if signed_in else None
        token = session_account.set(account)
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            session_account.reset(token)
    return request._cached_user  # type: ignore[attr-defined]
