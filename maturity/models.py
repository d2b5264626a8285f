"""The LGA National Procurement Strategy maturity framework as the council uses it.

A framework has themes, themes have key areas, key areas have indicators. Each indicator is
assessed at one of five ordered levels. Assessments and targets are append-only: the current
position is the latest row, so nothing an officer records is ever overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import capfirst, get_text_list
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel


class AppendOnlyError(ValidationError):
    """An attempt to change or delete an assessment or target, which are history."""


def _refused(model: type[models.Model], verb: str) -> AppendOnlyError:
    return AppendOnlyError(f"{model._meta.verbose_name} records cannot be {verb}.")


class AppendOnlyQuerySet(models.QuerySet):
    """Adds and reads; refuses every bulk write that would change or remove a row."""

    def update(self, **kwargs):
        raise _refused(self.model, "changed")

    def bulk_update(self, objs, fields, batch_size=None):
        raise _refused(self.model, "changed")

    def delete(self):
        raise _refused(self.model, "deleted")

    def bulk_create(
        self,
        objs,
        batch_size=None,
        ignore_conflicts=False,
        update_conflicts=False,
        update_fields=None,
        unique_fields=None,
    ):
        if update_conflicts:
            raise _refused(self.model, "changed")
        return super().bulk_create(
            objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
        )


class AppendOnlyModel(models.Model):
    """A row that, once written, is never changed or deleted through the ORM.

    `save()` only ever INSERTs (a new object given an existing row's id is refused, and the
    database's primary key stops a race), and the manager refuses update, bulk_update and
    delete. `loaddata` saves with raw=True through `save_base`, which skips `save()`: the
    pre_save check below lets it write a row again only if the row is already exactly so, so
    loading the framework fixture twice works and an edited fixture cannot rewrite history.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, force_update: bool = False, update_fields=None, **kwargs) -> None:
        if force_update or update_fields is not None:
            raise _refused(type(self), "changed")
        if self.pk is not None:
            recorded = type(self)._base_manager.using(kwargs.get("using"))
            if not self._state.adding or recorded.filter(pk=self.pk).exists():
                raise _refused(type(self), "changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refused(type(self), "deleted")


@receiver(pre_save)
def _refuse_raw_change(sender, instance, raw: bool, using: str, **kwargs) -> None:
    """A raw save (loaddata) of an append-only row must match the row already recorded."""
    if not (raw and isinstance(instance, AppendOnlyModel)) or instance.pk is None:
        return
    fields = [f for f in sender._meta.concrete_fields if not f.primary_key]
    recorded = (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values_list(*(f.attname for f in fields))
        .first()
    )
    if recorded is None:
        return
    differs = [
        f.name
        for f, value in zip(fields, recorded, strict=True)
        if f.to_python(getattr(instance, f.attname)) != f.to_python(value)
    ]
    if differs:
        noun = sender._meta.verbose_name
        raise AppendOnlyError(
            f"{capfirst(noun)} {instance.pk} is already recorded with a different "
            f"{get_text_list(differs, 'and')}, and {noun} records cannot be changed."
        )


class Framework(models.Model):
    name = models.CharField(max_length=200, unique=True, help_text="For example “NPS 2022”.")
    slug = models.SlugField(max_length=80, unique=True)
    source = models.TextField(blank=True, help_text="The document the framework was taken from.")
    is_current = models.BooleanField(
        default=True, help_text="The framework the dashboards report against."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """One of the five ordered maturity levels. The primary key is the level number (1..5)."""

    class Number(models.IntegerChoices):
        MINIMUM = 1, "Minimum"
        DEVELOPING = 2, "Developing"
        MATURE = 3, "Mature"
        LEADER = 4, "Leader"
        INNOVATOR = 5, "Innovator"

    number = models.PositiveSmallIntegerField(primary_key=True, choices=Number.choices)
    name = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def label_for(cls, number: int | None) -> str:
        return cls.Number(number).label if number else ""


class Theme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "position"], name="theme_position_unique")
        ]

    def __str__(self) -> str:
        return self.name


class KeyArea(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="key_areas")
    position = models.PositiveSmallIntegerField(help_text="Order within the framework.")
    name = models.CharField(max_length=200)
    strategy_section = models.CharField(
        max_length=20, blank=True, help_text="Section of the strategy that discusses it."
    )
    summary = models.TextField(blank=True, help_text="Why the council cares about this area.")

    class Meta:
        ordering = ["theme__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "position"], name="key_area_position_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    key_area = models.ForeignKey(KeyArea, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(help_text="Order within the key area.")
    name = models.CharField(max_length=200)
    is_headline = models.BooleanField(
        default=False,
        help_text="The key area's “High level principle / specific behaviour” indicator.",
    )

    class Meta:
        ordering = ["key_area__theme__position", "key_area__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_area", "position"], name="indicator_position_unique"
            ),
            models.UniqueConstraint(
                fields=["key_area"],
                condition=models.Q(is_headline=True),
                name="one_headline_indicator_per_key_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_area.name}: {self.name}"

    # Names for the levels that selectors.indicator_positions() annotates.
    @property
    def current_level_name(self) -> str:
        return Level.label_for(getattr(self, "current_level", None))

    @property
    def target_level_name(self) -> str:
        return Level.label_for(getattr(self, "target_level", None))

    @property
    def baseline_level_name(self) -> str:
        return Level.label_for(getattr(self, "baseline_level", None))


class LevelDescriptor(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="descriptors")
    level = models.ForeignKey(Level, on_delete=models.PROTECT)
    text = models.TextField(
        help_text="What the indicator looks like at this level. One paragraph or list item a line."
    )

    class Meta:
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="descriptor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} at {self.level}"


class Assessment(AppendOnlyModel):
    """A self-assessment of one indicator. The latest one is “where we are”."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="assessments")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, help_text="The level reached.")
    assessed_on = models.DateField(help_text="The date the assessment applies to.")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty for the baseline taken from the strategy document.",
    )
    evidence = models.TextField(blank=True, help_text="What shows the indicator is at this level.")
    commentary = models.TextField(blank=True, help_text="Anything else a reader should know.")
    round = models.ForeignKey(
        "AssessmentRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="The assessment round this is the moderated result of, if any.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "-id"]
        get_latest_by = ["assessed_on", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator"],
                condition=models.Q(round__isnull=False),
                name="one_moderated_assessment_per_round_indicator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.level} on {self.assessed_on}"


class StrategyPeriod(models.Model):
    """The years a procurement strategy covers; each target belongs to one period."""

    name = models.CharField(max_length=100, unique=True, help_text="For example “2025-2028”.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="strategy_period_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Target(AppendOnlyModel):
    """Where the council wants an indicator to be. The latest one is the current target."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    period = models.ForeignKey(
        StrategyPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text="The strategy period the target belongs to.",
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, help_text="The level to reach.")
    due_by = models.DateField(help_text="The date to reach it by.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty for targets taken from the strategy document.",
    )
    rationale = models.TextField(blank=True, help_text="Why this is the target.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        get_latest_by = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.level} by {self.due_by}"


class Action(VersionedModel):
    """An improvement step towards an indicator's target. Edits are versioned (core.concurrency)."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Completed"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(help_text="What will be done.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maturity_actions",
        help_text="The officer responsible.",
    )
    due_on = models.DateField(help_text="When it should be done by.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class AssessmentRound(models.Model):
    """Several officers rate the same indicators; a moderator turns their views into one."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="When respondents should have rated by.")
    indicators = models.ManyToManyField(Indicator, related_name="rounds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        permissions = [("moderate_round", "Can moderate assessment rounds")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_on_or_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RoundRespondent(models.Model):
    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="round_responses"
    )
    team = models.CharField(max_length=200, help_text="The respondent's directorate or team.")

    class Meta:
        ordering = ["round", "team", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_respondent_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.team})"


class RoundRating(models.Model):
    """One respondent's view of one indicator: a level with evidence, or a reason to skip it."""

    respondent = models.ForeignKey(
        RoundRespondent, on_delete=models.CASCADE, related_name="ratings"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="round_ratings")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True)
    evidence = models.TextField(blank=True)
    skipped_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["respondent", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "indicator"], name="one_rating_per_respondent_indicator"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level__isnull=False, skipped_reason="")
                    | (models.Q(level__isnull=True) & ~models.Q(skipped_reason=""))
                ),
                name="rating_has_a_level_or_a_reason_to_skip",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.indicator_id} at {self.level_id or 'skipped'}"
