from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from accounts.forms import OfficerChoiceField, officers
from core.forms import DateInputField, VersionedForm, declared_field, form_helper
from maturity.models import Action, Indicator, KeyArea, Level, Target, Theme

NOT_DESCRIBED = "Not described in the strategy"


def _level_choices(descriptors: dict[int, str]) -> list[Choice]:
    choices = []
    for number, name in Level.Number.choices:
        hint = " ".join(descriptors.get(number, "").splitlines()) or NOT_DESCRIBED
        choices.append(Choice(number, f"{number}. {name}", hint=hint))
    return choices


class IndicatorChoiceField(forms.ModelMultipleChoiceField[Indicator]):
    """Indicators, each shown with its key area."""

    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.key_area.name}: {obj.name}"


class _LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level"},
    )

    def __init__(self, *args: Any, descriptors: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.descriptors = descriptors
        level = declared_field(self, "level", forms.ChoiceField)
        level.choices = _level_choices(descriptors)
        self.helper = form_helper()


class _EvidencedLevelForm(_LevelForm):
    """A level with the evidence it rests on and a commentary: what an assessment records, an
    officer's own or a round's moderated level. Subclasses give the words."""

    LEVEL_LABEL = EVIDENCE_HELP = COMMENTARY_HELP = BUTTON = ""

    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the evidence for this level"},
    )
    commentary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].label = self.LEVEL_LABEL
        self.fields["evidence"].help_text = self.EVIDENCE_HELP
        self.fields["commentary"].help_text = self.COMMENTARY_HELP
        self.helper.layout = Layout(
            Field.radios("level", legend_size=Size.MEDIUM),
            *self.dated(),
            Field.textarea("evidence"),
            Field.textarea("commentary"),
            Button("submit", self.BUTTON),
        )

    def dated(self) -> list[Field]:
        """The layout's fields between the level and the evidence."""
        return []


class AssessmentForm(_EvidencedLevelForm):
    LEVEL_LABEL = "Which level has the council reached?"
    EVIDENCE_HELP = "What shows the indicator is at this level: documents, data, decisions."
    COMMENTARY_HELP = "Optional. Anything else a reader of the assessment should know."
    BUTTON = "Save assessment"
    field_order = ["level", "assessed_on", "evidence", "commentary"]  # as the page shows them

    assessed_on = DateInputField(
        label="Date assessed",
        help_text="For example, 27 3 2025",
        require_all_fields=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("assessed_on", timezone.localdate())

    def dated(self) -> list[Field]:
        return [Field("assessed_on", context={"legend_size": Size.for_legend(Size.SMALL)})]

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
        # A copy, not {**self.data}: a QueryDict is a dict of lists underneath, and unpacking
        # it would hand the new form each value as a list.
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["replaces_target_id"] = "" if target is None else str(target.pk)
        return type(self)(data, descriptors=self.descriptors)


class ActionForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What will be done",
        error_messages={"required": "Enter what will be done"},
    )
    owner = OfficerChoiceField(
        queryset=officers(),
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
        self.helper = form_helper(
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
        self.helper = form_helper(
            *self.filter_fields(), Button("filter", "Apply filter"), method="get"
        )

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

    def __init__(self, *args: Any, themes: QuerySet[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = declared_field(self, "theme", forms.ModelChoiceField)
        theme.queryset = themes

    def filter_fields(self) -> list:
        return [Field.select("theme"), *super().filter_fields()]

    def selected_theme(self) -> Theme | None:
        """The theme asked for, even if the date is wrong (the page shows that error)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("theme")


class ActionEditForm(VersionedForm, ActionForm):
    """Change an action's wording, owner, due date or status; carries the version it opened at."""

    status = forms.ChoiceField(
        choices=Action.Status.choices, widget=forms.RadioSelect, label="Status"
    )

    def __init__(self, *args, action: Action, **kwargs) -> None:
        self.action = action
        kwargs.setdefault(
            "initial",
            {
                "description": action.description,
                "owner": action.owner_id,
                "due_on": action.due_on,
                "status": action.status,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("description"),
            Field.select("owner"),
            Field("due_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            "version",
            Button("submit", "Save action"),
        )

    def versioned_record(self) -> Action:
        return self.action

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("description", "owner", "due_on", "status")
        }


class ActionPlanFilterForm(forms.Form):
    """The action plan's GET filters: owner, key area and status (or overdue)."""

    owner = OfficerChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Anyone"
    )
    key_area = forms.ModelChoiceField(
        queryset=KeyArea.objects.none(), required=False, empty_label="All key areas"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Action.Status.choices, ("overdue", "Overdue")],
        required=False,
    )

    def __init__(
        self, *args: Any, owners: QuerySet[User], key_areas: QuerySet[KeyArea], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "owner", OfficerChoiceField).queryset = owners
        declared_field(self, "key_area", forms.ModelChoiceField).queryset = key_areas
        self.helper = form_helper(
            Field.select("owner"),
            Field.select("key_area"),
            Field.select("status"),
            Button("filter", "Apply filters"),
            method="get",
        )

    def selector_kwargs(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "owner_id": data["owner"].pk if data.get("owner") else None,
            "key_area_id": data["key_area"].pk if data.get("key_area") else None,
            "status": data.get("status") or None,
        }


class PeriodStartForm(forms.Form):
    """A new strategy period and a target level for every indicator, the old ones carried over."""

    name = forms.CharField(max_length=100, help_text="For example, 2025-2028")
    starts_on = DateInputField(label="Starts on", require_all_fields=False)
    ends_on = DateInputField(
        label="Ends on", help_text="The new targets are due by this date.", require_all_fields=False
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why these targets",
        help_text="For example, the strategy or cabinet decision that sets them.",
        error_messages={"required": "Enter why these are the targets"},
    )

    def __init__(self, *args, indicators, carried_over: dict[int, int | None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_fields: dict[str, int] = {}
        groups: dict[str, list[str]] = {}
        for indicator in indicators:
            name = f"level_{indicator.pk}"
            old = carried_over.get(indicator.pk)
            self.fields[name] = forms.TypedChoiceField(
                coerce=int,
                choices=[("", "No target"), *Level.Number.choices],
                required=False,
                label=indicator.name,
                initial=old,
                help_text=(
                    f"Previous target: {old}. {Level.label_for(old)}"
                    if old
                    else "No previous target"
                ),
            )
            self.indicator_fields[name] = indicator.pk
            groups.setdefault(indicator.key_area.name, []).append(name)
        self.helper = form_helper(
            "name",
            Field("starts_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("ends_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("rationale"),
            *(
                Fieldset(*(Field.select(n) for n in names), legend=area, legend_size=Size.MEDIUM)
                for area, names in groups.items()
            ),
            Button("submit", "Start the period and save its targets"),
        )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "The end date must be after the start date")
        if not self.errors and not self.targets():
            raise forms.ValidationError("Set a target for at least one indicator")
        return data

    def targets(self) -> dict[int, int]:
        return {
            indicator_id: self.cleaned_data[name]
            for name, indicator_id in self.indicator_fields.items()
            if self.cleaned_data.get(name)
        }


class RoundOpenForm(forms.Form):
    """A new assessment round: its name, dates, indicators and respondents."""

    name = forms.CharField(max_length=200, help_text="For example, Self-assessment spring 2026")
    opens_on = DateInputField(label="Opens on", require_all_fields=False)
    closes_on = DateInputField(
        label="Ratings due by", require_all_fields=False, help_text="For example, 30 4 2026"
    )
    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Indicators in scope",
        error_messages={"required": "Choose at least one indicator"},
    )
    respondents = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Respondents",
        help_text=(
            "One officer a line: their username, a comma, then their directorate or team. "
            "For example, jsmith, Adult social care"
        ),
        error_messages={"required": "Enter at least one respondent"},
    )

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = declared_field(self, "indicators", IndicatorChoiceField)
        field.queryset = indicators
        self.helper = form_helper(
            "name",
            Field("opens_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("closes_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.textarea("respondents"),
            Field.checkboxes("indicators", legend_size=Size.SMALL, small=True),
            Button("submit", "Open the round"),
        )

    def clean_respondents(self) -> list[tuple]:
        """[(user, team)], each line checked; every bad line named by its number."""
        users = officers()
        errors, found, seen = [], [], set()
        lines = [line.strip() for line in self.cleaned_data["respondents"].splitlines()]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            username, _, team = (part.strip() for part in line.partition(","))
            user = users.filter(username__iexact=username).first()
            if user is None:
                errors.append(f"Line {number}: no active officer has the username “{username}”")
            elif not team:
                errors.append(
                    f"Line {number}: enter {username}'s directorate or team after a comma"
                )
            elif user.pk in seen:
                errors.append(f"Line {number}: {username} is already listed")
            else:
                seen.add(user.pk)
                found.append((user, team))
        if errors:
            raise forms.ValidationError(errors)
        if not found:
            raise forms.ValidationError("Enter at least one respondent")
        return found

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The date ratings are due must be on or after it opens")
        return data


SKIP = "skip"


class RatingForm(forms.Form):
    """A respondent's rating of one indicator: a level with evidence, or skip it with a reason."""

    level = forms.ChoiceField(
        widget=forms.RadioSelect, error_messages={"required": "Select a level or skip"}
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What shows the indicator is at this level: documents, data, decisions.",
    )
    skipped_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why are you skipping it?",
        help_text="Only if you skip it. For example, my team has no part in this.",
    )

    def __init__(self, *args, descriptors: dict[int, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        level = declared_field(self, "level", forms.ChoiceField)
        level.label = "Which level has the council reached?"
        level.choices = [
            *_level_choices(descriptors),
            Choice(SKIP, "Skip this indicator", hint="You cannot judge it."),
        ]
        self.helper = form_helper(
            Field.radios("level", legend_size=Size.MEDIUM),
            Field.textarea("evidence"),
            Field.textarea("skipped_reason"),
            Button("submit", "Save rating"),
        )

    def clean(self):
        data = super().clean()
        level = data.get("level")
        if level == SKIP:
            if not data.get("skipped_reason", "").strip():
                self.add_error("skipped_reason", "Enter why you are skipping this indicator")
            data["level"] = None
            data["evidence"] = ""
        elif level:
            if not data.get("evidence", "").strip():
                self.add_error("evidence", "Enter the evidence for this level")
            data["level"] = int(level)
            data["skipped_reason"] = ""
        return data


class ModerationForm(_EvidencedLevelForm):
    """A round's moderated level: the round gives its date."""

    LEVEL_LABEL = "Moderated level"
    EVIDENCE_HELP = "The evidence the moderated level rests on, drawn from the ratings."
    COMMENTARY_HELP = "Optional. For example, why the moderated level differs from the median."
    BUTTON = "Record the moderated level"


class ReferenceSourceForm(forms.Form):
    """Where the reference data comes from: an uploaded fixture or the strategy text."""

    source = forms.ChoiceField(
        choices=[
            ("upload", "Upload a fixture (the framework or social value goals and measures)"),
            ("strategy", "Rebuild the framework from the strategy text"),
        ],
        widget=forms.RadioSelect,
        label="Reference data to load",
        error_messages={"required": "Choose where the reference data comes from"},
    )
    fixture = forms.FileField(
        required=False,
        label="Fixture file",
        help_text="A JSON fixture such as fixtures/framework.json, up to 5 MB.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("source", legend_size=Size.MEDIUM),
            Field("fixture"),
            Button("submit", "Show what would change"),
        )

    def clean(self):
        data = super().clean()
        if data.get("source") == "upload" and not data.get("fixture"):
            self.add_error("fixture", "Choose a fixture file to upload")
        return data

    def fixture_text(self) -> str:
        upload = self.cleaned_data["fixture"]
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                "The file is not UTF-8 text: it is not a fixture."
            ) from error


class DescriptorsForm(forms.Form):
    """What an indicator looks like at each of the five levels."""

    def __init__(self, *args, descriptors: dict[int, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, name in Level.Number.choices:
            self.fields[f"level_{number}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                label=f"{number}. {name}",
                initial=descriptors.get(number, ""),
                help_text=""
                if descriptors.get(number)
                else "Not described in the strategy. Leave empty to keep it so.",
            )
        self.helper = form_helper(
            *(Field.textarea(f"level_{n}") for n, _ in Level.Number.choices),
            Button("submit", "Save descriptors"),
        )

    def texts(self) -> dict[int, str]:
        return {n: self.cleaned_data[f"level_{n}"].strip() for n, _ in Level.Number.choices}
