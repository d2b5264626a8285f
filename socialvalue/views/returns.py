"""One contract's social value: commitments (officers) and returns (suppliers and officers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import can_edit, can_read, editor_required, signed_in_user
from core.save_flow import save_form
from procurement.models import Contract
from socialvalue import selectors, services
from socialvalue.forms import (
    CommitmentForm,
    EvidenceForm,
    RejectForm,
    ReturnForm,
    ReturnStartForm,
    VersionForm,
)
from socialvalue.models import Commitment, Measure, SocialValueReturn
from socialvalue.views.access import (
    portal_reader_required,
    portal_writer_required,
    visible_contract,
    visible_return,
)

# -- one contract --------------------------------------------------------------------------------


@portal_reader_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = visible_contract(request, pk)
    return render(
        request,
        "socialvalue/contract_detail.html",
        selectors.contract_social_value(contract=contract),
    )


@editor_required
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.select_related("supplier"), pk=pk)
    return save_form(
        request,
        CommitmentForm(request.POST or None),
        lambda data: services.commitment_save(
            contract=contract, user=signed_in_user(request), **data
        ),
        success="Commitment saved.",
        next_url=contract_url(contract.pk),
        template="socialvalue/commitment_form.html",
        context={"contract": contract, "title": "Add a commitment"},
    )


@editor_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("contract__supplier"), pk=pk)
    return save_form(
        request,
        CommitmentForm.for_commitment(request.POST or None, commitment),
        lambda data: services.commitment_save(
            contract=commitment.contract,
            user=signed_in_user(request),
            commitment=commitment,
            **data,
        ),
        success="Commitment saved.",
        next_url=contract_url(commitment.contract_id),
        template="socialvalue/commitment_form.html",
        context={
            "contract": commitment.contract,
            "commitment": commitment,
            "title": "Change a commitment",
        },
    )


@require_POST
@editor_required
def commitment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=pk)
    try:
        services.commitment_delete(commitment=commitment, user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Commitment removed.")
    return redirect(contract_url(commitment.contract_id))


def contract_url(pk: int) -> str:
    return reverse("socialvalue:contract-detail", args=[pk])


# -- returns -------------------------------------------------------------------------------------


@portal_writer_required
def return_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = visible_contract(request, pk)
    taken = [r.period for r in SocialValueReturn.objects.filter(contract=contract)]
    form = ReturnStartForm(
        request.POST or None, contract=contract, today=timezone.localdate(), taken=taken
    )
    return save_form(
        request,
        form,
        lambda data: services.return_create(
            contract=contract, user=signed_in_user(request), **data
        ),
        success="Return started. Enter what was delivered.",
        next_url=lambda saved: saved_url("socialvalue:return-edit", saved),
        template="socialvalue/return_start.html",
        context={"contract": contract},
    )


def saved_url(name: str, obj: Any) -> str:
    return reverse(name, args=[obj.pk])


@portal_reader_required
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    social_value_return = visible_return(request, pk)
    context = selectors.return_detail(social_value_return=social_value_return)
    context["can_write_returns"] = can_edit(request.user) or not can_read(request.user)
    context["reject_form"] = RejectForm(initial={"version": social_value_return.version})
    return render(request, "socialvalue/return_detail.html", context)


def _editable(request: HttpRequest, social_value_return: SocialValueReturn) -> bool:
    if social_value_return.is_editable:
        return True
    messages.error(
        request,
        f"This return is {social_value_return.get_status_display().lower()}: it cannot be changed.",
    )
    return False


def _return_form(data: Any, social_value_return: SocialValueReturn) -> ReturnForm:
    return ReturnForm(
        data,
        social_value_return=social_value_return,
        lines=list(social_value_return.lines.select_related("measure")),
        available=selectors.measures_available(social_value_return=social_value_return),
    )


@portal_writer_required
def return_edit(request: HttpRequest, pk: int) -> HttpResponse:
    social_value_return = visible_return(request, pk)
    if not _editable(request, social_value_return):
        return redirect(saved_url("socialvalue:return-detail", social_value_return))
    form = _return_form(request.POST or None, social_value_return)

    def stale(form: ReturnForm) -> tuple[ReturnForm, dict[str, Any]]:
        # Their version in the form, with its version number; this person's values beside it.
        current = _return_form(None, visible_return(request, pk))
        return current, {
            "return": current.social_value_return,
            "unsaved": form.unsaved_changes(current.lines),
        }

    return save_form(
        request,
        form,
        lambda data: services.return_update(
            social_value_return=social_value_return,
            expected_version=data["version"],
            lines=form.line_inputs(),
            user=signed_in_user(request),
        ),
        # Saving changes no status: a rejected return stays rejected until it is submitted.
        success=(
            "Return saved. It stays rejected until you submit it again."
            if social_value_return.status == SocialValueReturn.Status.REJECTED
            else "Return saved as a draft."
        ),
        next_url=lambda saved: saved_url("socialvalue:return-detail", saved),
        template="socialvalue/return_form.html",
        context={"return": social_value_return},
        stale=stale,
    )


@portal_writer_required
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    social_value_return = visible_return(request, pk)
    if not _editable(request, social_value_return):
        return redirect(saved_url("socialvalue:return-detail", social_value_return))
    measures = social_value_return.lines.values_list("measure", flat=True)
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        measures=Measure.objects.filter(pk__in=measures),
    )
    return save_form(
        request,
        form,
        lambda data: services.evidence_attach(
            social_value_return=social_value_return,
            upload=data["file"],
            measure=data["measure"],
            user=signed_in_user(request),
        ),
        success="Evidence file uploaded.",
        next_url=saved_url("socialvalue:return-detail", social_value_return),
        template="socialvalue/evidence_form.html",
        context={"return": social_value_return},
    )


@portal_reader_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@portal_writer_required
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        selectors.evidence_visible_to(request.user).select_related("social_value_return"), pk=pk
    )
    return _post_action(
        request,
        evidence.social_value_return,
        lambda: services.evidence_delete(evidence=evidence),
        success="Evidence file removed.",
    )


def _post_action(
    request: HttpRequest,
    social_value_return: SocialValueReturn,
    action: Callable[[], Any],
    *,
    success: str,
) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(saved_url("socialvalue:return-detail", social_value_return))


def _version(request: HttpRequest) -> int:
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise ValidationError("The form was incomplete: open the return and try again.")
    return form.cleaned_data["version"]


class _StatusChange(Protocol):
    def __call__(
        self, *, social_value_return: SocialValueReturn, expected_version: int, user: User
    ) -> SocialValueReturn: ...


def _status_button(
    request: HttpRequest, pk: int, change: _StatusChange, *, success: str
) -> HttpResponse:
    """A return page's button that moves the return on, at the version the page showed."""
    social_value_return = visible_return(request, pk)
    return _post_action(
        request,
        social_value_return,
        lambda: change(
            social_value_return=social_value_return,
            expected_version=_version(request),
            user=signed_in_user(request),
        ),
        success=success,
    )


@require_POST
@portal_writer_required
def return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_button(
        request, pk, services.return_submit, success="Return submitted. An officer will check it."
    )


@require_POST
@editor_required
def return_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_button(
        request,
        pk,
        services.return_verify,
        success="Return verified: it now counts in the totals.",
    )


@editor_required
def return_reject(request: HttpRequest, pk: int) -> HttpResponse:
    social_value_return = visible_return(request, pk)
    form = RejectForm(request.POST or None, initial={"version": social_value_return.version})
    return save_form(
        request,
        form,
        lambda data: services.return_reject(
            social_value_return=social_value_return,
            expected_version=data["version"],
            reason=data["reason"],
            user=signed_in_user(request),
        ),
        success="Return rejected. The supplier can change it and submit it again.",
        next_url=saved_url("socialvalue:return-detail", social_value_return),
        template="socialvalue/return_reject.html",
        context={"return": social_value_return},
    )


# -- the supplier portal -------------------------------------------------------------------------


def supplier_home(request: HttpRequest) -> HttpResponse:
    if not selectors.is_supplier_user(request.user):
        return redirect("socialvalue:dashboard")
    return render(
        request,
        "socialvalue/supplier_home.html",
        selectors.supplier_portal(user=request.user, today=timezone.localdate()),
    )
