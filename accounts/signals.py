"""Keep the Administrators group holding every permission, including those of new models."""

from __future__ import annotations

from django.apps import apps as global_apps


def grant_administrators_everything(sender, apps=global_apps, **kwargs) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Administrators").first()
    if group is not None:
        group.permissions.set(Permission.objects.all())
