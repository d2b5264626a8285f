"""Who may see what: council staff see everything, a supplier's user only its supplier's.

Every view fetches contracts, returns and evidence through these querysets, so an identifier
of another supplier's object is simply not found (404).
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth import models as auth
from django.db.models import Model, QuerySet

from accounts.roles import SUPPLIERS, can_read, group_names, is_supplier_only
from procurement.models import Contract, Supplier
from socialvalue.models import EvidenceFile, SocialValueReturn, SupplierContact

User = auth.User | auth.AnonymousUser
_Record = TypeVar("_Record", bound=Model)


def is_supplier_user(user: User) -> bool:
    """A supplier's user and nothing more: sees the supplier portal, not internal pages."""
    return is_supplier_only(user)


def supplier_for(*, user: User) -> Supplier | None:
    if not user.is_authenticated:
        return None
    contact = SupplierContact.objects.select_related("supplier").filter(user=user).first()
    return contact.supplier if contact else None


def _visible_to(user: User, model: type[_Record], supplier: str) -> QuerySet[_Record]:
    """Every `model` row for council staff; for a supplier's user, the rows whose `supplier`
    (the path to the row's supplier) is theirs; for anyone else, none."""
    rows = model._default_manager.all()
    if can_read(user):
        return rows
    if user.is_authenticated and SUPPLIERS in group_names(user):
        return rows.filter(**{f"{supplier}__social_value_contacts__user": user})
    return rows.none()


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    return _visible_to(user, Contract, "supplier")


def returns_visible_to(user: User) -> QuerySet[SocialValueReturn]:
    return _visible_to(user, SocialValueReturn, "contract__supplier")


def evidence_visible_to(user: User) -> QuerySet[EvidenceFile]:
    return _visible_to(user, EvidenceFile, "social_value_return__contract__supplier")


def contract_for_page(*, user: User, pk: int) -> QuerySet[Contract]:
    return contracts_visible_to(user).select_related("supplier", "category", "owner").filter(pk=pk)
