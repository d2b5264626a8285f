"""Create one demo user per role, printing each password once.

Safe to run twice: existing demo users are left as they are and their passwords are not shown
again.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts import roles

DEMO_USERS = (
    ("officer", "Olivia", "Officer", roles.OFFICERS),
    ("member", "Councillor", "Member", roles.MEMBERS),
    ("admin", "Ade", "Administrator", roles.ADMINISTRATORS),
)


class Command(BaseCommand):
    help = "Create demo users (officer, member, admin) and print their passwords once."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        for username, first, last, group_name in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"{username}: already exists (password unchanged)")
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@example.gov.uk",
                is_staff=group_name == roles.ADMINISTRATORS,
                is_superuser=group_name == roles.ADMINISTRATORS,
            )
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(f"{username}: password {password}  ({group_name})")
