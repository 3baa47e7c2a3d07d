from __future__ import annotations

import datetime

from django.urls import reverse

from concerted.core.demo import DemoContext, fake_name
from concerted.core.receipts import new_receipt

from .models import Commitment, Pledge


def _add_pledges(ctx: DemoContext, pledge: Pledge, n: int, start: int) -> None:
    today = datetime.date.today()
    for i in range(start, start + n):
        row = Commitment(
            pledge=pledge,
            receipt_hash=new_receipt()[1],
            day=today - datetime.timedelta(days=ctx.rng.randint(0, 6)),
        )
        contact = f"pledger{i}@example.org" if ctx.rng.random() < 0.5 else ""
        row.seal_data({"name": fake_name(ctx.rng), "contact": contact, "day": row.day.isoformat()})
        row.save(force_insert=True)


def load(ctx: DemoContext) -> list[str]:
    today = datetime.date.today()
    tracker = Pledge.objects.create(
        campaign=ctx.campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the new TrackCo agent on my work laptop.",
        body=(
            "Acme wants every laptop to run TrackCo by the end of the month. One person saying no is easy to "
            "single out; a quarter of us saying no together is a protected, concerted refusal."
        ),
        threshold_percent=25,
        deadline=today + datetime.timedelta(days=12),
    )
    tracker.open()
    _add_pledges(ctx, tracker, 37, 0)
    walkout = Pledge.objects.create(
        campaign=ctx.campaign,
        title="Walk out at noon on the day of the AI vote",
        promise="I will walk out at noon on the day the board votes on the AI rollout.",
        threshold_count=20,
        deadline=today + datetime.timedelta(days=5),
    )
    walkout.open()
    _add_pledges(ctx, walkout, 23, 100)
    return [
        f"pledge '{tracker.title}' (37 of {tracker.threshold()} sealed pledges): "
        f"{ctx.base_url}{reverse('pledges:pledge', args=[tracker.slug])}",
        f"pledge '{walkout.title}' (23 of 20: reached, waiting for an organizer to confirm): "
        f"{ctx.base_url}{reverse('pledges:pledge', args=[walkout.slug])}",
    ]
