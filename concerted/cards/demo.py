"""A simulated unit for `make run`: ~300 people across departments, shifts and sites,
with a sealed roster, assessments, one-on-one notes and ~120 signed cards."""

from __future__ import annotations

import datetime

from django.urls import reverse

from concerted.campaigns.models import Segment
from concerted.core.demo import DemoContext, fake_name
from concerted.core.receipts import new_receipt

from .models import BargainingUnit, Card, OneOnOne, RosterPerson

# department: (people, job classifications)
DEPARTMENTS = {
    "Support": (110, ["Support agent I", "Support agent II", "Team lead"]),
    "Platform": (60, ["Software engineer", "Site reliability engineer"]),
    "Data": (45, ["Data analyst", "Data engineer"]),
    "Design": (25, ["Product designer", "Researcher"]),
    "Sales": (60, ["Account executive", "Sales development rep"]),
}
NOTES = [
    (
        "Worried about the keystroke tracker; wants to know if it feeds performance reviews.",
        "Bring the FAQ on AI monitoring",
    ),
    ("Supportive. Knows five people on night shift who feel the same.", "Ask to join the committee"),
    ("Undecided: afraid of retaliation, asked who else has signed.", "Follow up after the all-hands"),
    ("Signed the petition, wants bargaining over schedules.", "Give them the card link"),
    ("Thinks the union will cost too much in dues.", "Share dues breakdown"),
]


def load(ctx: DemoContext) -> list[str]:
    campaign, rng = ctx.campaign, ctx.rng
    segments: dict[tuple[str, str], Segment] = {}
    for kind, labels in {
        "team": list(DEPARTMENTS),
        "site": ["Berlin", "Lisbon", "Remote"],
        "shift": ["Day", "Night"],
        "role": [c for _n, classes in DEPARTMENTS.values() for c in classes],
    }.items():
        for label in labels:
            segments[(kind, label)], _created = Segment.objects.get_or_create(campaign=campaign, kind=kind, label=label)
    size = sum(n for n, _c in DEPARTMENTS.values())
    unit = BargainingUnit.objects.create(
        campaign=campaign,
        name="All non-supervisory employees of Acme Corp. in Berlin, Lisbon and remote",
        employer="Acme Corp.",
        union="Acme Workers United, Local 1",
        size=size,
        supermajority_percent=65,
        card_text=(
            "I, the undersigned employee of {employer}, authorize {union} to represent me for the purpose of "
            "collective bargaining with my employer concerning wages, hours and other terms and conditions of "
            "employment, including the use of monitoring software and AI."
        ),
        card_segment_kind="team",
        status=BargainingUnit.Status.OPEN,
    )
    today = datetime.date.today()
    cards = notes = 0
    number = 0
    for department, (people, classes) in DEPARTMENTS.items():
        for _i in range(people):
            number += 1
            name = fake_name(rng)
            contact = f"+49 151 {number:04d} {rng.randint(1000, 9999)}"
            assessment = rng.choices([1, 2, 3, 4, 5, None], weights=[10, 27, 20, 8, 5, 30])[0]
            assessed_on = today - datetime.timedelta(days=rng.randint(0, 19)) if assessment else None
            classification = rng.choice(classes)
            person = RosterPerson(unit=unit)
            person.seal_data(
                {
                    "name": name,
                    "contact": contact,
                    "department": department,
                    "site": rng.choice(["Berlin", "Berlin", "Lisbon", "Remote"]),
                    "shift": "Night" if department == "Support" and rng.random() < 0.4 else "Day",
                    "classification": classification,
                    # The assessment is often the outcome of a one-on-one, logged below.
                    "assessment": None,
                    "assessed_on": "",
                    "added": (today - datetime.timedelta(days=rng.randint(20, 40))).isoformat(),
                }
            )
            person.save(force_insert=True)
            if assessment:
                talked = assessed_on is not None and rng.random() < 0.3
                note, step = rng.choice(NOTES) if talked else ("", "")
                one = OneOnOne(person=person)
                one.seal_data(
                    {
                        "event": "one-on-one" if talked else "update",
                        "date": assessed_on.isoformat() if assessed_on else "",
                        "who": rng.choice(["Rosa", "Dev", "Amara"]) if talked else "",
                        "note": note,
                        "next_step": step,
                        "assessment": assessment,
                        "saved": "",
                    }
                )
                one.save(force_insert=True)
                notes += talked
            if assessment in (1, 2) or (assessment == 3 and rng.random() < 0.4):
                card = Card(
                    unit=unit,
                    receipt_hash=new_receipt()[1],
                    text_hash=unit.card_text_hash(),
                    segment=segments[("team", department)] if rng.random() < 0.85 else None,
                    day=today - datetime.timedelta(days=rng.randint(0, 14)),
                )
                card.seal_data(
                    {
                        "full_name": name,
                        "signed_on": card.day.isoformat(),
                        "employer": "Acme Corp.",
                        "job_classification": classification,
                        "phone": contact,
                        "email": "",
                        "typed_signature": name,
                        "consent": True,
                        "union": unit.union,
                        "unit_name": unit.name,
                        "card_text": unit.rendered_card_text(),
                        "card_text_sha256": unit.card_text_hash(),
                    }
                )
                card.save(force_insert=True)
                cards += 1
    return [
        f"card drive '{unit.name}': unit of {size}, {size} on the sealed roster, {notes} one-on-ones, "
        f"{cards} sealed cards: {ctx.base_url}{reverse('cards:sign', args=[unit.slug])}"
    ]
