from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from accounts.signals import grant_administrators_everything

        # After every app migrates, so the permissions of apps listed later exist too.
        post_migrate.connect(
            grant_administrators_everything, dispatch_uid="grant_administrators_everything"
        )
