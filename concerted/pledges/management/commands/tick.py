from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concerted.core.erase import purge_deleted
from concerted.pledges.models import Commitment, Pledge


class Command(BaseCommand):
    help = (
        "Destroy the sealed pledges of every pledge whose deadline passed without a confirmed threshold. "
        "Safe to run as often as you like; run it from cron, e.g. every hour: concerted tick"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lapsed = 0
        for pledge in Pledge.objects.filter(status=Pledge.Status.OPEN).select_related("campaign"):
            if pledge.lapse_if_due():
                lapsed += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Lapsed: pledge {pledge.pk}; every sealed pledge destroyed.")
        # Also finishes a purge an earlier lapse could not complete (a reader held the WAL).
        purge_deleted(Commitment._meta.db_table)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{lapsed} pledge(s) lapsed.")
