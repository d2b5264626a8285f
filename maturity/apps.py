from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "maturity"
    verbose_name = "Maturity framework"

    def ready(self) -> None:
        from core.data_version import track_edits
        from maturity.models import (
            Framework,
            Indicator,
            KeyArea,
            Level,
            LevelDescriptor,
            StrategyPeriod,
            Theme,
        )

        # Edited in place without history: cached pages must still see the edit.
        track_edits(Framework, Indicator, KeyArea, Level, LevelDescriptor, StrategyPeriod, Theme)
