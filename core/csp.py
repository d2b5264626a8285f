"""The Content-Security-Policy header, built once a process.

django-csp builds the header from the settings on every response (about a twentieth of a
cached page's CPU); with no nonce asked for and no per-view `@csp_update`, `@csp_replace` or
`@csp` override, it is the same string every time.
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What the views' decorators leave on a response to change its policy.
_OVERRIDES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


_DEBUG_EXEMPT = (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)
# (report only, header, the response attribute that exempts it)
_HEADERS = ((False, HEADER, "_csp_exempt"), (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"))


@cache
def _settings_policy(report_only: bool) -> str:
    return build_policy(report_only=report_only)


@cache
def _excluded(report_only: bool) -> tuple[str, ...]:
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    return tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policy.cache_clear()
        _excluded.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware; a response with no nonce asked for and no override gets the
    settings' policies, built once. Anything else goes through django-csp's own path."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _OVERRIDES
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for report_only, header, exempt in _HEADERS:
            policy = _settings_policy(report_only)
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(_excluded(report_only))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
