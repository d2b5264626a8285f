"""The five maturity levels are fixed reference data, so a migration creates them."""

from django.db import migrations

LEVELS = ((1, "Minimum"), (2, "Developing"), (3, "Mature"), (4, "Leader"), (5, "Innovator"))


def create_levels(apps, schema_editor):
    Level = apps.get_model("maturity", "Level")
    for number, name in LEVELS:
        Level.objects.update_or_create(number=number, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("maturity", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
