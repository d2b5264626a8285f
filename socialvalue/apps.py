from django.apps import AppConfig


class SocialvalueConfig(AppConfig):
    name = "socialvalue"
    verbose_name = "Social value"

    def ready(self) -> None:
        from core.data_version import track_edits
        from socialvalue.models import Goal, Measure, ProxyValue

        # Edited in place without history: cached pages must still see the edit.
        track_edits(Goal, Measure, ProxyValue)
