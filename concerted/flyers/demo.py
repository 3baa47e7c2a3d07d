"""Demo data: an invite batch for the demo petition, and where to get its flyer."""

from __future__ import annotations

from django.urls import reverse

from concerted.core import paper
from concerted.core.demo import DemoContext
from concerted.invites import codes

from . import targets


def load(ctx: DemoContext) -> list[str]:
    from concerted.petitions.models import Petition

    petition = Petition.objects.filter(campaign=ctx.campaign).order_by("created", "title").first()
    if petition is None:
        return []
    flyer = targets.lookup(Petition.INVITE_KIND, petition.pk)
    assert flyer is not None
    batch, plain = codes.create_batch(ctx.campaign, flyer.kind, flyer.target_id, 16, "Demo: break room cards")
    # Two of the sixteen are used, as if two coworkers had signed with their cards.
    for code in plain[:2]:
        codes.consume_now(flyer.kind, flyer.target_id, code)
    # The flyer page, not a link to the PDF: on the demo's own address (loopback, which
    # phones can't reach) the PDF is made only with the page's "Yes, this is a test"
    # tick, and the page preselects the installation's paper.
    page = reverse("flyers:page", args=[flyer.kind, flyer.target_id])
    return [
        f"flyer for '{petition.title}': {ctx.base_url}{page} (its PDF on {paper.label()}, this installation's "
        "paper, or the other; signed in as the organizer)",
        f"invite codes: the same page (a batch of {batch.size}, {len(plain[:2])} used; make more there)",
    ]
