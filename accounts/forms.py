from __future__ import annotations

from crispy_forms_gds.layout import Button
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.roles import ADMINISTRATORS, OFFICERS
from core.forms import form_helper


def officers() -> QuerySet[User]:
    """Active officers and administrators, by name: who may own a contract, a pipeline entry or
    an action, or rate in a round."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[OFFICERS, ADMINISTRATORS], is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class OfficerChoiceField(forms.ModelChoiceField[User]):
    """A user picked from a list of their names (their username when they have none); the
    queryset is usually `officers()`."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.error_messages["invalid_login"] = (
            "Enter a correct username and password. Both are case-sensitive."
        )
        self.helper = form_helper("username", "password", Button("submit", "Sign in"))
