"""The signed-in session, with the user it belongs to in a column of its own."""

from __future__ import annotations

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class AccountSession(AbstractBaseSession):
    """Django's database session (`accounts.sessions`) with the signed-in user's id beside the
    encoded data, so one statement reads the session, the user and their roles (the user's id
    is inside the signed data, out of SQL's reach). Set whenever the session is saved, which
    signing in does; a visitor's session has none."""

    account_id = models.IntegerField(null=True, blank=True)
    # AbstractBaseSession's own index on it has a generated name.
    expire_date = models.DateTimeField("expire date")

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
        indexes = [models.Index(fields=["expire_date"], name="account_session_expiry_idx")]

    @classmethod
    def get_session_store_class(cls) -> type:
        from accounts.sessions import SessionStore

        return SessionStore
