"""Writes for the red flags: an officer's review of one flag (SpendFlagReview)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from core.concurrency import save_new, update_versioned
from procurement.flags import Flag
from procurement.models import SpendFlagReview


@transaction.atomic
def spend_flag_review(
    *,
    flag: Flag,
    year: int,
    status: str,
    reason: str,
    note: str,
    expected_version: int | None,
    user: User | None,
) -> SpendFlagReview:
    """Record the officer's status, reason and note on `flag`; who and when go in its history.

    The first review creates the row (keyed on the flag's key); later ones go through
    update_versioned, so two officers reviewing at once cannot overwrite each other unseen.
    """
    changes = {"status": status, "reason": reason, "note": note}
    review = SpendFlagReview.objects.filter(key=flag.key).first()
    if review is None:
        review = SpendFlagReview(
            key=flag.key,
            kind=flag.kind,
            financial_year=year,
            supplier_name=flag.supplier[:255],
            updated_by=user,
            **changes,
        )
        save_new(review, user=user)
        return review
    return update_versioned(
        review,
        expected_version=expected_version or 0,
        changes={**changes, "updated_by": user},
        user=user,
    )
