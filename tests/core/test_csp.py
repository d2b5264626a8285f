"""core.csp: the settings' policy built once, django-csp's own path for anything else."""

from __future__ import annotations

from csp.constants import NONCE
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core.csp import CSPMiddleware


def _response(request, response=None):
    middleware = CSPMiddleware(lambda request: response or HttpResponse("ok"))
    return middleware(request)


def test_a_response_gets_the_settings_policy():
    response = _response(RequestFactory().get("/"))

    assert response["Content-Security-Policy"] == build_policy()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_views_own_policy_and_a_nonce_go_through_django_csp():
    updated = HttpResponse("ok")
    updated._csp_update = {"img-src": ["https://example.org"]}
    response = _response(RequestFactory().get("/"), updated)
    assert "https://example.org" in response["Content-Security-Policy"]

    def view(request):
        assert str(request.csp_nonce)
        return HttpResponse("ok")

    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    ):
        request = RequestFactory().get("/")
        response = CSPMiddleware(view)(request)
    assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in response["Content-Security-Policy"]


def test_a_change_of_settings_is_seen():
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _response(RequestFactory().get("/"))["Content-Security-Policy"] == (
            "default-src 'none'"
        )
    assert "script-src 'self'" in _response(RequestFactory().get("/"))["Content-Security-Policy"]


def test_an_exempt_response_gets_no_header():
    exempt = HttpResponse("ok")
    exempt._csp_exempt = True
    assert "Content-Security-Policy" not in _response(RequestFactory().get("/"), exempt)
