"""Who may see what: council staff see everything, a supplier's user only its supplier's.

Every view fetches contracts, returns and evidence through these querysets, so an identifier
of another supplier's object is simply not found (404).
"""

from __future__ import annotations

from django.contrib.auth import models as auth
from django.db.models import QuerySet

from accounts.roles import SUPPLIERS, can_read, group_names, is_supplier_only
from procurement.models import Contract, Supplier
from socialvalue.models import EvidenceFile, SocialValueReturn, SupplierContact

User = auth.User | auth.AnonymousUser


def is_supplier_user(user: User) -> bool:
    """A supplier's user and nothing more: sees the supplier portal, not internal pages."""
    return is_supplier_only(user)


def supplier_for(*, user: User) -> Supplier | None:
    if not user.is_authenticated:
        return None
    contact = SupplierContact.objects.select_related("supplier").filter(user=user).first()
    return contact.supplier if contact else None


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    if can_read(user):
        return Contract.objects.all()
    if user.is_authenticated and SUPPLIERS in group_names(user):
        return Contract.objects.filter(supplier__social_value_contacts__user=user)
    return Contract.objects.none()


def returns_visible_to(user: User) -> QuerySet[SocialValueReturn]:
    if can_read(user):
        return SocialValueReturn.objects.all()
    if user.is_authenticated and SUPPLIERS in group_names(user):
        return SocialValueReturn.objects.filter(
            contract__supplier__social_value_contacts__user=user
        )
    return SocialValueReturn.objects.none()


def evidence_visible_to(user: User) -> QuerySet[EvidenceFile]:
    if can_read(user):
        return EvidenceFile.objects.all()
    if user.is_authenticated and SUPPLIERS in group_names(user):
        return EvidenceFile.objects.filter(
            social_value_return__contract__supplier__social_value_contacts__user=user
        )
    return EvidenceFile.objects.none()


def contract_for_page(*, user: User, pk: int) -> QuerySet[Contract]:
    return contracts_visible_to(user).select_related("supplier", "category", "owner").filter(pk=pk)
