"""Who a committee message can go to (concerted.core.audiences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from concerted.core.audiences import Audience

from .models import BargainingUnit, Card


def _describe(unit: BargainingUnit) -> dict[str, Any]:
    return {"id": str(unit.pk), "slug": unit.slug, "title": unit.name}


SIGNERS = Audience(
    name="cards.signers",
    label=_("Card signers"),
    model=Card,
    parents=lambda campaign: BargainingUnit.objects.filter(campaign=campaign),
    describe=_describe,
    title=lambda unit: unit.name,
)
