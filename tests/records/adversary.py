"""The employer's moves against a server it seized (tests/records/test_adversary.py).

Runs inside the test process for the live server, and as `python -m
tests.records.adversary SLUGS_JSON` on a seized copy: the same software pointed at
copied data, which is what the employer can do."""

from __future__ import annotations

import datetime
import json
import re
import sys
from typing import Any

X = {"name": "Harriet Quimbleton", "contact": "harriet.quimbleton@example.net", "phone": "+44 7700 900123"}
STRANGER = {"name": "Oswin Pardeekle", "contact": "oswin.pardeekle@example.net", "phone": "+44 7700 900456"}


def setup_world(public_key: str) -> dict[str, str]:
    from concerted.campaigns.models import Campaign
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
    from concerted.petitions.models import Petition
    from concerted.pledges.models import Pledge

    campaign = Campaign.objects.create(
        name="Acme",
        committee_name="Committee",
        employer_name="Acme",
        employer_domains="acme.com",
        public_key=public_key,
    )
    petition = Petition.objects.create(
        campaign=campaign, title="T", body="B", addressee="A", goal_count=10, status=Petition.Status.OPEN
    )
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="T",
        promise="P",
        threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=9),
    )
    pledge.open()
    unit = BargainingUnit.objects.create(
        campaign=campaign,
        name="U",
        employer="Acme",
        union="Union",
        size=10,
        card_text=DEFAULT_CARD_TEXT,
        card_segment_kind="",
        status=BargainingUnit.Status.OPEN,
    )
    return {"petition": petition.slug, "pledge": pledge.slug, "unit": unit.slug}


def forms(slugs: dict[str, str], person: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    from django.urls import reverse

    return [
        (reverse("petitions:sign", args=[slugs["petition"]]), {"name": person["name"], "contact": person["contact"]}),
        (reverse("pledges:pledge", args=[slugs["pledge"]]), {"name": person["name"], "contact": person["contact"]}),
        (
            reverse("cards:sign", args=[slugs["unit"]]),
            {
                "full_name": person["name"],
                "employer": "Acme",
                "job_classification": "Agent",
                "phone": person["phone"],
                "email": person["contact"],
                "consent": "on",
                "signature": person["name"],
            },
        ),
    ]


def normalize(text: str, slugs: dict[str, str]) -> str:
    """An answer minus what differs on every request anyway (CSRF tokens, receipt codes)."""
    for name, slug in slugs.items():
        text = text.replace(slug, f"<{name}>")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="<t>"', text)
    text = re.sub(r"\b[A-Z2-7]{26}\b", "<receipt>", text)
    text = re.sub(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{1,4}){5,}\b", "<receipt>", text)
    # The receipt page spells the code for screen readers ("V 4 O L, P M M O, ..."):
    # the same random code, written out.
    text = re.sub(r"(?:,? +[A-Z2-7]){26}\b", " <receipt spelled>", text)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)


def submit(slugs: dict[str, str], person: dict[str, str]) -> tuple[list[Any], list[str]]:
    """POST the three forms as this person; (normalized answers, receipt codes)."""
    from django.test import Client

    answers: list[Any] = []
    codes: list[str] = []
    for url, data in forms(slugs, person):
        client = Client()
        response = client.post(url, data)
        location = response.get("Location", "")
        found = re.search(r"/r/([A-Z2-7]{26})/", location)
        if found:
            codes.append(found.group(1))
        page = client.get(location) if location else response
        answers.append(
            [
                response.status_code,
                normalize(location, slugs),
                page.status_code,
                normalize(page.content.decode(), slugs),
            ]
        )
    return answers, codes


def storage() -> dict[str, Any]:
    """Row counts of every table and the size of the database's files."""
    from django.db import connection

    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA page_count")
            size = cursor.fetchone()[0]
        else:
            cursor.execute("CHECKPOINT")
            cursor.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
            size = int(cursor.fetchone()[0])
    return {"counts": counts, "size": size}


def attack(slugs: dict[str, str]) -> dict[str, Any]:
    """Submit X's contact and watch what changes."""
    before = storage()
    answers, _codes = submit(slugs, X)
    after = storage()
    return {
        "answers": answers,
        "rows_added": {t: after["counts"][t] - n for t, n in before["counts"].items() if after["counts"][t] != n},
        "size_change": after["size"] - before["size"],
    }


def main() -> None:
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    print(json.dumps(attack(json.loads(sys.argv[1]))))


if __name__ == "__main__":
    main()
