"""Pages of the contracts register: contracts, variations and suppliers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.roles import editor_required, reader_required, signed_in_user
from core.pagination import paginated
from core.save_flow import save_form, show_current
from procurement.forms.register import (
    ContractFilterForm,
    ContractForm,
    SupplierFilterForm,
    SupplierForm,
    SupplierMergeForm,
    VariationForm,
)
from procurement.models import Contract, Supplier
from procurement.selectors import register as selectors
from procurement.services import register as services
from procurement.services import supplier_merge as merging

CONTRACT_FORM = "procurement/register/contract_form.html"
SUPPLIER_FORM = "procurement/register/supplier_form.html"


def _page_of(url_name: str) -> Callable[[Model], str]:
    """Where a save goes next: the saved record's own page."""
    return lambda saved: reverse(url_name, args=[saved.pk])


def _list_page(request: HttpRequest, form, rows, template: str, **extra: Any) -> HttpResponse:
    context = {
        "form": form,
        **paginated(request, rows, params=form.params),
        "headers": form.sort_headers(),
        **extra,
    }
    return render(request, template, context)


# -- contracts --------------------------------------------------------------------------------


@reader_required
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET)
    rows = selectors.contract_list(**form.selector_kwargs())
    # The filter (a third of the page's time to render) depends only on the query string and
    # its options, so it is rendered once for each and kept in the cache.
    filter_key = f"{selectors.contract_filter_version()}?{request.GET.urlencode()}"
    return _list_page(
        request,
        form,
        rows,
        "procurement/register/contract_list.html",
        filter_key=filter_key,
        filter_seconds=selectors.FILTER_CACHE_SECONDS,
    )


@reader_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = selectors.contract_detail(contract_id=pk)
    except Contract.DoesNotExist as missing:
        raise Http404("No such contract") from missing
    return render(request, "procurement/register/contract_detail.html", context)


@editor_required
def contract_create(request: HttpRequest) -> HttpResponse:
    # ?supplier=42, from the spend dashboard's "Add a contract" links, fills in the supplier.
    form = ContractForm(request.POST or None, supplier_id=request.GET.get("supplier"))
    return save_form(
        request,
        form,
        lambda _data: services.contract_create(
            user=signed_in_user(request), **form.fields_to_save()
        ),
        template=CONTRACT_FORM,
        context={"title": "Add a contract"},
        success=lambda saved: f"Contract {saved.reference} added.",
        next_url=_page_of("procurement:contract-detail"),
    )


@editor_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.select_related("supplier"), pk=pk)
    form = ContractForm(request.POST or None, instance=contract)
    return save_form(
        request,
        form,
        lambda _data: services.contract_update(
            contract=contract,
            expected_version=form.cleaned_data["version"],
            changes=form.fields_to_save(),
            user=signed_in_user(request),
        ),
        template=CONTRACT_FORM,
        context={"title": f"Edit contract {contract.reference}", "contract": contract},
        success=lambda saved: f"Contract {saved.reference} saved.",
        next_url=_page_of("procurement:contract-detail"),
        stale=show_current(lambda: selectors.contracts().with_related().get(pk=pk)),
    )


@editor_required
def variation_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.select_related("supplier"), pk=pk)
    form = VariationForm(request.POST or None, contract=contract)
    return save_form(
        request,
        form,
        lambda _data: services.variation_record(
            contract=contract, user=signed_in_user(request), **form.cleaned_data
        ).contract,
        template="procurement/register/variation_form.html",
        context={"contract": contract},
        success=lambda saved: f"Variation recorded on {saved.reference}.",
        next_url=_page_of("procurement:contract-detail"),
    )


# -- suppliers --------------------------------------------------------------------------------


@reader_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierFilterForm(request.GET)
    rows = selectors.supplier_list(**form.selector_kwargs())
    return _list_page(request, form, rows, "procurement/register/supplier_list.html")


@reader_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = selectors.supplier_detail(supplier_id=pk)
    except Supplier.DoesNotExist as missing:
        raise Http404("No such supplier") from missing
    return render(request, "procurement/register/supplier_detail.html", context)


@editor_required
def supplier_create(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    return save_form(
        request,
        form,
        lambda _data: services.supplier_create(
            user=signed_in_user(request), **form.fields_to_save()
        ),
        template=SUPPLIER_FORM,
        context={"title": "Add a supplier"},
        success=lambda saved: f"Supplier {saved.name} added.",
        next_url=_page_of("procurement:supplier-detail"),
    )


@editor_required
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    form = SupplierForm(request.POST or None, instance=supplier)
    return save_form(
        request,
        form,
        lambda _data: services.supplier_update(
            supplier=supplier,
            expected_version=form.cleaned_data["version"],
            changes=form.fields_to_save(),
            user=signed_in_user(request),
        ),
        template=SUPPLIER_FORM,
        context={"title": f"Edit {supplier.name}", "supplier": supplier},
        success=lambda saved: f"Supplier {saved.name} saved.",
        next_url=_page_of("procurement:supplier-detail"),
        stale=show_current(lambda: Supplier.objects.get(pk=pk)),
    )


# -- likely duplicates and merging ------------------------------------------------------------


@editor_required
def supplier_duplicates(request: HttpRequest) -> HttpResponse:
    context = {"duplicates": selectors.supplier_duplicates()}
    return render(request, "procurement/register/supplier_duplicates.html", context)


@editor_required
def supplier_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """GET: the two suppliers, what each holds, and the choice of which stays. POST: merge."""
    try:
        preview = selectors.supplier_merge_preview(first_id=pk, second_id=other)
    except Supplier.DoesNotExist as missing:
        raise Http404("No such pair of suppliers") from missing
    form = SupplierMergeForm(request.POST or None, suppliers=preview.suppliers)
    if request.method == "POST" and preview.refusal is None and form.is_valid():
        try:
            record = merging.supplier_merge(user=signed_in_user(request), **form.merge_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{record.merged_name} merged into {record.kept_name}.")
            return redirect("procurement:supplier-detail", pk=record.kept_id)
    context = {"preview": preview, "form": form}
    return render(request, "procurement/register/supplier_merge.html", context)
