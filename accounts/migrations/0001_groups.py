"""Create the role groups. Members get only view permissions; the checks live in accounts.roles."""

from django.db import migrations

GROUPS = ("Officers", "Members", "Administrators", "Suppliers")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
