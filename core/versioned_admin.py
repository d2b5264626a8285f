"""Admin change forms for versioned records go through the same optimistic locking as the pages.

Without this the admin saved a contract, supplier or return without moving its `version` on, so
an officer whose edit form was already open then saved over the administrator's change unwarned;
and an administrator's form opened before an officer's save overwrote that save. The admin form
carries the version it was opened at; a stale one is refused with a message on the form, and a
save goes through `update_versioned`, which moves the version on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest

from core.concurrency import StaleEdit, VersionedModel, update_versioned
from core.forms import VersionedForm

STALE_ADMIN_MESSAGE = (
    "Someone else changed this {noun} after you opened it, so your changes have not been "
    "saved. Open the {noun} again to see their version, then make your changes again."
)


class VersionedAdminForm(VersionedForm, forms.ModelForm[VersionedModel]):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk and data.get("version") is not None:
            model = type(self.instance)
            # The admin saves inside one transaction, so this lock is held until the save is
            # committed: nobody can save the record between this check and the save.
            saved_version = (
                model._default_manager.select_for_update()
                .values_list("version", flat=True)
                .get(pk=self.instance.pk)
            )
            if saved_version != data["version"]:
                raise StaleEdit(STALE_ADMIN_MESSAGE.format(noun=model._meta.verbose_name))
        return data


if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[VersionedModel]
else:
    _AdminBase = object


class VersionedAdminMixin(_AdminBase):
    """For a ModelAdmin of a `VersionedModel`: edits are versioned as the product's pages are."""

    form = VersionedAdminForm

    def get_exclude(self, request: HttpRequest, obj: VersionedModel | None = None) -> list[str]:
        # The model's `version` is not editable: the form's own field of that name carries it.
        return [*(super().get_exclude(request, obj) or ()), "version"]

    def save_model(
        self, request: HttpRequest, obj: VersionedModel, form: VersionedAdminForm, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        columns = {field.name for field in obj._meta.concrete_fields} - {"version"}
        changes = {name: getattr(obj, name) for name in form.cleaned_data if name in columns}
        saved = update_versioned(
            obj,
            expected_version=form.cleaned_data["version"],
            changes=changes,
            user=request.user if isinstance(request.user, User) else None,
        )
        obj.version = saved.version
