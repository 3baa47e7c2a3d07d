from __future__ import annotations

import datetime

from django.urls import reverse

from concerted.core.demo import DemoContext, fake_name
from concerted.core.receipts import new_receipt

from .models import Petition, Signature


def load(ctx: DemoContext) -> list[str]:
    campaign = ctx.campaign
    petition = Petition.objects.create(
        campaign=campaign,
        title="End keystroke and mouse tracking at Acme",
        body=(
            "Since March, software on our work laptops records every keystroke and mouse movement, "
            "and Acme says the recordings will train AI agents to do our jobs.\n\n"
            "We ask Acme to switch the tracking off, delete what it has recorded, and agree that a human "
            "makes the final decision on any AI that affects our work."
        ),
        addressee="Acme Corp. management",
        goal_percent=30,
        segment_kind="team",
        status=Petition.Status.OPEN,
    )
    teams = list(petition.segments())
    today = datetime.date.today()
    for i in range(48):
        signature = Signature(
            petition=petition,
            receipt_hash=new_receipt()[1],
            segment=ctx.rng.choice([*teams, None]),
            day=today - datetime.timedelta(days=ctx.rng.randint(0, 9)),
        )
        contact = f"demo{i}@example.org"
        signature.seal_data(
            {
                "name": fake_name(ctx.rng),
                "contact": contact,
                "comment": ctx.rng.choice(["", "", "Count me in.", "It tracks bathroom breaks too."]),
                "consent_named": ctx.rng.random() < 0.6,
                "day": signature.day.isoformat(),
            }
        )
        signature.save(force_insert=True)
    return [
        f"petition '{petition.title}' with 48 sealed signatures: "
        f"{ctx.base_url}{reverse('petitions:sign', args=[petition.slug])}"
    ]
