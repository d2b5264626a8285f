"""Email contract owners ahead of their contracts' end dates. Run daily from cron."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from procurement.services.alerts import alert_months, contract_alerts_send


class Command(BaseCommand):
    help = "Send renewal alerts to contract owners at each lead time before the end date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the alerts; send and record nothing."
        )

    def handle(self, *args, today: str | None = None, dry_run: bool = False, **options) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today must be a date like 2026-03-31: {error}") from error
        alerts = contract_alerts_send(today=day, months=alert_months(), dry_run=dry_run)
        if dry_run:
            for alert in alerts:
                thresholds = ", ".join(str(m) for m in alert.months_before)
                self.stdout.write(
                    f"Would send to {alert.recipient}: {alert.subject} "
                    f"(thresholds {thresholds} months)"
                )
            self.stdout.write(f"Would send {len(alerts)} renewal alerts (dry run)")
            return
        self.stdout.write(f"Sent {len(alerts)} renewal alerts")
