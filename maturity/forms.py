from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import ADMINISTRATORS, OFFICERS
from core.forms import DateInputField
from maturity.models import Level, Target, Theme


def _level_choices(descriptors: dict[int, str]) -> list[Choice]:
    choices = []
    for number, name in Level.Number.choices:
        hint = " ".join(descriptors.get(number, "").splitlines()) or "No description recorded yet."
        choices.append(Choice(number, f"{number}. {name}", hint=hint))
    return choices


class _LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level"},
    )

    def __init__(self, *args, descriptors: dict[int, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.descriptors = descriptors
        self.fields["level"].choices = _level_choices(descriptors)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL


class AssessmentForm(_LevelForm):
    assessed_on = DateInputField(
        label="Date assessed",
        help_text="For example, 27 3 2025",
        require_all_fields=False,
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What shows the indicator is at this level: documents, data, decisions.",
        error_messages={"required": "Enter the evidence for this level"},
    )
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional. Anything else a reader of the assessment should know.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].label = "Which level has the council reached?"
        self.initial.setdefault("assessed_on", timezone.localdate())
        self.helper.layout = Layout(
            Field.radios("level", legend_size=Size.MEDIUM),
            Field("assessed_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("evidence"),
            Field.textarea("commentary"),
            Button("submit", "Save assessment"),
        )

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date assessed must be today or in the past")
        return day


class TargetForm(_LevelForm):
    due_by = DateInputField(
        label="Reach it by",
        help_text="For example, 31 3 2027",
        require_all_fields=False,
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this level, by this date.",
        error_messages={"required": "Enter why this is the target"},
    )
    replaces_target_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].label = "Which level should the council reach?"
        self.helper.layout = Layout(
            Field.radios("level", legend_size=Size.MEDIUM),
            Field("due_by", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("rationale"),
            "replaces_target_id",
            Button("submit", "Save target"),
        )

    def replacing(self, target: Target | None) -> TargetForm:
        """The officer's input again, now replacing `target`, the one someone else set.

        Saving this form sets the officer's target over the one they have now been shown.
        """
        data = self.data.copy()
        data["replaces_target_id"] = "" if target is None else str(target.pk)
        return type(self)(data, descriptors=self.descriptors)


class ActionForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What will be done",
        error_messages={"required": "Enter what will be done"},
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Owner",
        help_text="The officer responsible.",
    )
    due_on = DateInputField(
        label="Due by",
        help_text="For example, 30 9 2026",
        require_all_fields=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(groups__name__in=[OFFICERS, ADMINISTRATORS], is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.textarea("description"),
            Field.select("owner"),
            Field("due_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Button("submit", "Add action"),
        )


class AsAtForm(forms.Form):
    """The date a maturity page shows the position on (a GET form); today unless chosen."""

    as_at = DateInputField(
        label="As at",
        help_text="The position on this date, from the assessments and targets recorded by "
        "then. For example, 31 3 2025",
        required=False,
        require_all_fields=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*self.filter_fields(), Button("filter", "Apply filter"))

    def filter_fields(self) -> list:
        return [Field("as_at", context={"legend_size": Size.for_legend(Size.SMALL)})]

    def clean_as_at(self):
        day = self.cleaned_data["as_at"]
        if day is not None and day > self.today:
            raise forms.ValidationError("The date must be today or in the past")
        return day

    def selected_date(self):
        """The date asked for if it is a valid one, otherwise today."""
        if self.is_bound and self.is_valid() and self.cleaned_data["as_at"]:
            return self.cleaned_data["as_at"]
        return self.today


class ThemeFilterForm(AsAtForm):
    """The gap dashboard's filter: a theme and the date."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(), required=False, empty_label="All themes", label="Theme"
    )

    def __init__(self, *args, themes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes

    def filter_fields(self) -> list:
        return [Field.select("theme"), *super().filter_fields()]

    def selected_theme(self) -> Theme | None:
        """The theme asked for, even if the date is wrong (the page shows that error)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("theme")
