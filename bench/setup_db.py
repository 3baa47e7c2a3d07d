"""Prepare a bench or drill database (run in a subprocess with the bench's environment):
migrate, a campaign whose committee key is written to DATA_DIR/bench.key, an open
petition, optionally the bench table for the bare-insert baseline and a second petition
with N sealed signatures plus an organizer session. Prints one JSON line."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench-table", action="store_true")
    parser.add_argument("--big", type=int, default=0, help="seal this many signatures into a second petition")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from nacl.public import PrivateKey

    from concerted.core import keys

    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    from concerted.campaigns.models import Campaign, Segment
    from concerted.petitions.models import Petition

    key_path = Path(settings.DATA_DIR) / "bench.key"
    out: dict[str, object] = {"key_file": str(key_path)}
    campaign = Campaign.objects.filter(name="Bench campaign").first()
    if campaign is None:
        private = PrivateKey.generate()
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(keys.format_private(private) + "\n")
        campaign = Campaign.objects.create(
            name="Bench campaign",
            committee_name="Bench committee",
            employer_name="Acme",
            employer_domains="acme.com",
            unit_size=100000,
            public_key=keys.format_public(private.public_key),
        )
        for label in ["Platform", "Support", "Data", "Design", "Sales"]:
            Segment.objects.create(campaign=campaign, kind="team", label=label)
        Petition.objects.create(
            campaign=campaign,
            title="End keystroke tracking",
            body="Switch the tracker off and delete what it recorded.",
            addressee="Acme management",
            goal_count=1000,
            status=Petition.Status.OPEN,
        )
    petition = campaign.petitions.filter(segment_kind="").first()
    out.update(campaign_id=str(campaign.pk), petition_id=str(petition.pk), slug=petition.slug)

    if args.bench_table:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL, day DATE)"
                )
            else:
                cursor.execute(
                    "CREATE TABLE IF NOT EXISTS bench_rows (id BIGSERIAL PRIMARY KEY, payload BYTEA NOT NULL, day DATE)"
                )

    if args.big:
        out.update(big(campaign, args.big))
    print(json.dumps(out))


def big(campaign, n: int) -> dict[str, object]:
    """A petition with n sealed signatures spread over 30 days and five teams, and an
    organizer session cookie for timing the dashboard and the export."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from concerted.core.receipts import new_receipt
    from concerted.petitions.models import Petition, Signature

    petition = Petition.objects.create(
        campaign=campaign,
        title="Big petition",
        body="A petition with many signatures.",
        addressee="Acme management",
        goal_count=n,
        segment_kind="team",
        status=Petition.Status.OPEN,
    )
    teams = list(petition.segments())
    today = datetime.date.today()
    t0 = time.perf_counter()
    seal_seconds = 0.0
    batch: list[Signature] = []
    for i in range(n):
        s = Signature(
            petition=petition,
            receipt_hash=new_receipt()[1],
            segment=teams[i % len(teams)] if i % 7 else None,
            day=today - datetime.timedelta(days=i % 30),
        )
        contact = f"signer{i}@example.org"
        ts = time.perf_counter()
        s.seal_data(
            {
                "name": f"Signer Number {i}",
                "contact": contact,
                "comment": "Count me in." if i % 3 == 0 else "",
                "consent_named": i % 2 == 0,
                "day": s.day.isoformat(),
            }
        )
        seal_seconds += time.perf_counter() - ts
        batch.append(s)
        if len(batch) == 2000:
            with transaction.atomic():
                Signature.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Signature.objects.bulk_create(batch)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-organizer")
    campaign.organizers.add(user)
    client = Client()
    client.force_login(user)
    return {
        "big_petition_id": str(petition.pk),
        "big_count": n,
        "big_seconds": round(time.perf_counter() - t0, 2),
        "seal_per_second": round(n / seal_seconds, 0) if seal_seconds else None,
        "session": client.cookies["sessionid"].value,
    }


if __name__ == "__main__":
    main()
