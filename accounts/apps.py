from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import session_stamp
        from accounts.signals import grant_administrators_everything

        user_logged_in.connect(session_stamp, dispatch_uid="session_stamp")

        # After every app migrates, so the permissions of apps listed later exist too.
        post_migrate.connect(
            grant_administrators_everything, dispatch_uid="grant_administrators_everything"
        )
