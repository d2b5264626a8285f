"""The twelve demo officers (officer01..officer12): made once, without a usable password."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from accounts import roles

OFFICER_DOMAIN = "worcestershire.gov.uk.example"
OFFICERS = (
    ("Priya", "Sharma"), ("James", "Whitehouse"), ("Sarah", "Tandy"), ("Mohammed", "Hussain"),
    ("Claire", "Bayliss"), ("Tom", "Pritchard"), ("Rebecca", "Yarnold"), ("Daniel", "Okafor"),
    ("Helen", "Gwilliam"), ("Gareth", "Lloyd"), ("Aisha", "Begum"), ("Richard", "Perrins"),
)  # fmt: skip


def demo_officers() -> list[User]:
    """The demo officers in the Officers group, creating any that are missing; kept on replace."""
    group = Group.objects.get(name=roles.OFFICERS)
    officers: list[User] = []
    for number, (first, last) in enumerate(OFFICERS, start=1):
        username = f"officer{number:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@{OFFICER_DOMAIN}".lower(),
            )
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        officers.append(user)
    return officers
