"""The address a request came from, for the sign-in lock-out.

`X-Forwarded-For` is written by whoever sends the request, so it is read only when
`TRUSTED_PROXY_COUNT` says how many proxies of ours stand in front of the service. Each proxy
appends the address it received the request from, so with N trusted proxies the client is the
N-th address from the right; anything to its left was written by the client and is ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]
