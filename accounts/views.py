from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import MEMBERS, SUPPLIERS, group_names


def home(request: HttpRequest) -> HttpResponse:
    if SUPPLIERS in group_names(request.user) and len(group_names(request.user)) == 1:
        return redirect("socialvalue:supplier-home")
    if group_names(request.user) == {MEMBERS}:
        return redirect("dashboards:annual-review")
    return redirect("maturity:overview")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/accessibility.html")
