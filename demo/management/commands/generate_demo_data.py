"""Generate realistic demo data across the apps: officers, procurement and maturity
(`demo.generate`), then social value and the supplier's demo user.

It lives in the `demo` app because it spans the apps, and nothing imports it.
"""

from __future__ import annotations

import random
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.roles import SUPPLIERS
from demo.generate import demo_data_generate
from procurement.models import Contract, Supplier
from socialvalue.demo import generate_social_value_demo, social_value_demo_delete
from socialvalue.models import SupplierContact


class Command(BaseCommand):
    help = (
        "Generate demo data: scale 1 is about a council year (2,000 suppliers, 800 contracts, "
        "60,000 spend lines over 2022/23 to 2024/25) with social value commitments and "
        "returns. Safe to run twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1 is one council year.")
        parser.add_argument("--seed", type=int, default=2022, help="Same seed, same data.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove earlier demo data (only what this command made) and generate again.",
        )
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="End with the four demo accounts (officer, member, admin, supplier) together, "
            "creating any that are missing and printing each new password once.",
        )

    @transaction.atomic
    def handle(
        self, *args, scale: float, seed: int, replace: bool, demo_users: bool = False, **options
    ) -> None:
        self._generate(scale=scale, seed=seed, replace=replace, verbosity=options["verbosity"])
        if demo_users:
            self.stdout.write("\nDemo accounts (a password is shown only when it is made):")
            call_command("create_demo_users", stdout=self.stdout)
        self._demo_supplier_user(announce_existing=demo_users)

    def _generate(self, *, scale: float, seed: int, replace: bool, verbosity: int) -> None:
        if scale <= 0:
            raise CommandError("--scale must be more than 0.")
        log = self.stdout.write if verbosity > 1 else None
        if replace:
            # Returns protect their contracts, so social value goes first.
            social_value_demo_delete()
        summary = demo_data_generate(scale=scale, seed=seed, replace=replace, log=log)
        self.stdout.write(summary.message)
        if not summary.created:
            return
        social = generate_social_value_demo(
            rng=random.Random(seed),
            contracts=Contract.objects.select_related("supplier").order_by("pk"),
            today=timezone.localdate(),
        )
        self.stdout.write(
            f"Suppliers: {summary.suppliers:,}\n"
            f"Contracts: {summary.contracts:,}\n"
            f"Spend lines: {summary.spend_lines:,}\n"
            f"Total spend: £{summary.total_spend:,.2f} "
            f"({summary.on_contract_share:.0%} on contract)\n"
            f"Social value: "
            + ", ".join(f"{count:,} {kind}" for kind, count in social.items())
            + f"\nElapsed: {summary.seconds:.1f} s"
        )

    def _demo_supplier_user(self, *, announce_existing: bool = False) -> None:
        """A supplier's user, linked to the supplier with the most social value commitments."""
        User = get_user_model()
        if User.objects.filter(username="supplier").exists():
            if announce_existing:
                self.stdout.write("supplier: already exists (password unchanged)")
            return
        supplier = (
            Supplier.objects.filter(contracts__social_value_commitments__isnull=False)
            .order_by("-contracts__total_value", "pk")
            .first()
        )
        if supplier is None:
            return
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username="supplier",
            password=password,
            first_name="Sam",
            last_name=f"Supplier ({supplier.name})",
            email="bids@supplier.example",
        )
        user.groups.add(Group.objects.get(name=SUPPLIERS))
        SupplierContact.objects.create(user=user, supplier=supplier)
        self.stdout.write(f"supplier: password {password}  (Suppliers, for {supplier.name})")
