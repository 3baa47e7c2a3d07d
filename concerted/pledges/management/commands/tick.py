from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concerted.core import records
from concerted.pledges.models import Pledge


class Command(BaseCommand):
    help = (
        "Destroy the sealed pledges of every pledge whose deadline passed without a confirmed threshold, "
        "then rewrite every participant table in random order (the purge step: nothing left of deleted "
        "rows, no physical order following arrival). Safe to run as often as you like; run it from cron, "
        "e.g. every 10 minutes: concerted tick"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lapsed = 0
        for pledge in Pledge.objects.filter(status=Pledge.Status.OPEN).select_related("campaign"):
            if pledge.lapse_if_due():
                lapsed += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Lapsed: pledge {pledge.pk}; every sealed pledge destroyed.")
        # Also finishes a purge an earlier erase could not complete (a reader held the WAL).
        records.scramble_all()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{lapsed} pledge(s) lapsed.")
            self.stdout.write(f"{len(records.kinds())} participant table(s) purged and rewritten.")
