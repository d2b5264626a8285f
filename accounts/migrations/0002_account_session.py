"""Sessions in accounts.AccountSession: the signed-in user's id in a column (read with the session)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSession",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("account_id", models.IntegerField(blank=True, null=True)),
                ("expire_date", models.DateTimeField(verbose_name="expire date")),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "indexes": [
                    models.Index(fields=["expire_date"], name="account_session_expiry_idx")
                ],
            },
        ),
    ]
