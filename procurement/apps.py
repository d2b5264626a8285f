from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement"

    def ready(self) -> None:
        from core.data_version import track_edits
        from procurement.models import Category

        # Edited in place without history: cached pages must still see the edit.
        track_edits(Category)
