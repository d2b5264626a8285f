"""Work out the Procurement Act notices due and email contract owners. Run daily from cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from procurement.services.notices import notice_alerts_send, notices_sync


class Command(BaseCommand):
    help = (
        "Bring the compliance calendar up to date (an end date passing makes a termination "
        "notice due) and email each owner once before a notice's deadline and once after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the emails; send and record nothing."
        )

    def handle(
        self, *args: Any, today: str | None = None, dry_run: bool = False, **options: Any
    ) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today must be a date like 2026-03-31: {error}") from error
        added = 0 if dry_run else notices_sync(today=day)
        alerts = notice_alerts_send(today=day, dry_run=dry_run)
        for alert in alerts:
            to = ", ".join(alert.recipients)
            self.stdout.write(f"{'Would send' if dry_run else 'Sent'} to {to}: {alert.subject}")
        sent = "to send (dry run)" if dry_run else "sent"
        self.stdout.write(f"{added} new notices due; {len(alerts)} emails {sent}")
