"""The pledges app's part of `concerted tick`."""

from __future__ import annotations

from .models import Pledge


def lapse_due_pledges() -> list[str]:
    """Destroy the sealed pledges of every pledge whose deadline passed without a confirmed threshold."""
    lines = []
    lapsed = 0
    for pledge in Pledge.objects.filter(status=Pledge.Status.OPEN).select_related("campaign"):
        if pledge.lapse_if_due():
            lapsed += 1
            lines.append(f"Lapsed: pledge {pledge.pk}; every sealed pledge destroyed.")
    lines.append(f"{lapsed} pledge(s) lapsed.")
    return lines
