"""Who a committee message can go to (concerted.core.audiences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from concerted.core.audiences import Audience

from .models import Petition, Signature


def _describe(petition: Petition) -> dict[str, Any]:
    return {"id": str(petition.pk), "slug": petition.slug, "title": petition.title, "addressee": petition.addressee}


SIGNERS = Audience(
    name="petitions.signers",
    label=_("Signers of the petition"),
    model=Signature,
    parents=lambda campaign: Petition.objects.filter(campaign=campaign).exclude(status=Petition.Status.DRAFT),
    describe=_describe,
    title=lambda petition: petition.title,
)
