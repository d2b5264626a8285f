"""Reference data from the browser: preview then load a fixture; write level descriptors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.save_flow import save_form
from maturity import reference, selectors, services
from maturity.access import administrator_required, posted
from maturity.forms import DescriptorsForm, ReferenceSourceForm
from maturity.models import Indicator

SESSION_KEY = "maturity_reference_fixture"


@administrator_required
def reference_data(request: HttpRequest) -> HttpResponse:
    """Choose the source; on POST, show what loading it would add, change and leave alone."""
    form = ReferenceSourceForm(posted(request), request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["source"] == "strategy":
                text = reference.strategy_fixture_text()
            else:
                text = form.fixture_text()
            records = reference.parse_fixture(text)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[SESSION_KEY] = text
            context["plan"] = reference.fixture_plan(records)
    return render(request, "maturity/reference_data.html", context)


@administrator_required
def reference_apply(request: HttpRequest) -> HttpResponse:
    """Load the previewed fixture; anything but a POST goes back to the preview page."""
    text = request.session.get(SESSION_KEY)
    if request.method != "POST" or text is None:
        if request.method == "POST":
            messages.error(request, "Nothing to load: choose the reference data again.")
        return redirect("maturity:reference-data")
    try:
        loaded = reference.fixture_apply(reference.parse_fixture(text))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("maturity:reference-data")
    del request.session[SESSION_KEY]
    messages.success(request, f"Loaded {sum(loaded.values())} records of reference data.")
    return redirect("maturity:reference-data")


@administrator_required
def descriptors_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("key_area"), pk=pk)
    form = DescriptorsForm(
        posted(request), descriptors=selectors.level_descriptors(indicator=indicator)
    )
    return save_form(
        request,
        form,
        lambda _data: services.descriptors_save(indicator=indicator, texts=form.texts()),
        template="maturity/indicator_form.html",
        context={"indicator": indicator, "title": "Level descriptions"},
        success=f"Level descriptions saved for {indicator.name}.",
        next_url=reverse("maturity:indicator-detail", args=[indicator.pk]),
    )
