"""The pledges app's part of `concerted tick`."""

from __future__ import annotations

from concerted.core.erase import purge_deleted

from .models import Commitment, Pledge


def lapse_due_pledges() -> list[str]:
    """Destroy the sealed pledges of every pledge whose deadline passed without a confirmed threshold."""
    lines = []
    lapsed = 0
    for pledge in Pledge.objects.filter(status=Pledge.Status.OPEN).select_related("campaign"):
        if pledge.lapse_if_due():
            lapsed += 1
            lines.append(f"Lapsed: pledge {pledge.pk}; every sealed pledge destroyed.")
    # Also finishes a purge an earlier lapse could not complete (a reader held the WAL).
    purge_deleted(Commitment._meta.db_table)
    lines.append(f"{lapsed} pledge(s) lapsed.")
    return lines
