"""How long actions that run while the site is live hold SQLite's write lock.

    .venv/bin/python bench/bench_write_locks.py [--signatures 100000] [--days 60] [--only NAME ...]

The database runs every transaction as BEGIN IMMEDIATE (settings), so whatever one
does inside a transaction keeps every signature, pledge and card waiting (and failing
after the 20 s busy timeout). For each action this starts it, and meanwhile a second
connection to the same file takes and drops the write lock (BEGIN IMMEDIATE; ROLLBACK)
in a loop: the longest it waited is the time the action held the lock in one piece.
Prints a table; not part of `make bench` and never run inside the test suite."""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Probe:
    """A second connection taking the write lock again and again while an action runs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.longest = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=600, isolation_level=None)
        while not self.stop.is_set():
            started = time.monotonic()
            db.execute("BEGIN IMMEDIATE")
            self.longest = max(self.longest, time.monotonic() - started)
            db.execute("ROLLBACK")
            time.sleep(0.002)
        db.close()

    def __enter__(self) -> Probe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def timed(path: str, action: Callable[[], object]) -> tuple[float, float]:
    """(seconds the action took, longest wait of the probe for the write lock)."""
    from django.db import connections

    with Probe(path) as probe:
        started = time.monotonic()
        action()
        took = time.monotonic() - started
    connections.close_all()
    return took, probe.longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signatures", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=60, help="days of group breakdowns before the release")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="concerted-locks-"))
    os.environ["CONCERTED_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerted.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.setup_db import big
    from concerted.campaigns.models import Campaign, Segment
    from concerted.core import erase, records, releases
    from concerted.core.keys import format_public
    from concerted.core.models import Release
    from concerted.core.receipts import new_receipt
    from concerted.petitions.models import Petition, Signature
    from concerted.petitions.stats import RELEASE

    path = str(settings.DATABASES["default"]["NAME"])
    call_command("migrate", verbosity=0, interactive=False)
    from nacl.public import PrivateKey

    private = PrivateKey.generate()
    campaign = Campaign.objects.create(
        name="Locks",
        committee_name="Committee",
        employer_name="Acme",
        employer_domains="acme.com",
        unit_size=200_000,
        public_key=format_public(private.public_key),
    )
    for label in ["Platform", "Support", "Data", "Design", "Sales", "Ops"]:
        Segment.objects.create(campaign=campaign, kind="team", label=label)
    t0 = time.monotonic()
    made = big(campaign, args.signatures)
    petition_id = made["big_petition_id"]
    print(f"{args.signatures} signatures sealed and stored in {time.monotonic() - t0:.0f} s", flush=True)
    rows: list[tuple[str, str, str, float, float]] = []

    def want(name: str) -> bool:
        return not args.only or name in args.only

    if want("release"):
        # A card drive or petition with groups, as bench/bench_breakdowns.py grows it: 5 to
        # 40 signatures a day spread unevenly over the groups, one audited breakdown a day
        # (what tick stores), then the release of day `days` + 1.
        rng = random.Random(1)
        small = Petition.objects.create(
            campaign=campaign,
            title="Groups",
            body="b",
            addressee="a",
            goal_count=500,
            segment_kind="team",
            status=Petition.Status.OPEN,
        )
        teams = [*small.segments(), None]
        weights = [2.0**-i for i in range(len(teams) - 1)] + [0.5]
        releases._row(RELEASE, small)
        start = datetime.datetime(2026, 1, 1, 8, tzinfo=datetime.UTC)
        t0 = time.monotonic()
        for day in range(args.days + 1):
            Signature.objects.bulk_create(
                Signature(
                    petition=small,
                    segment=team,
                    sealed=b"x" * 200,
                    receipt_hash=new_receipt()[1],
                    day=datetime.date(2026, 1, 1),
                )
                for team in rng.choices(teams, weights, k=rng.randint(5, 40))
            )
            Release.objects.filter(kind=RELEASE.name, subject_id=small.pk).update(pending=5)
            if day == args.days:
                break
            releases.force(small, at=start + datetime.timedelta(days=day))
        print(f"{args.days} days of breakdowns built in {time.monotonic() - t0:.0f} s", flush=True)
        at = start + datetime.timedelta(days=args.days)
        took, held = timed(path, lambda: releases.force(small, at=at))
        size = f"{args.days} days, {Signature.objects.filter(petition=small).count()} rows"
        rows.append(("core/releases.py _release (tick, release now)", "group breakdown audited", size, took, held))

    if want("scramble"):
        took, held = timed(path, lambda: records.scramble(Signature))
        rows.append(
            (
                "core/records.py scramble (tick)",
                "table rewritten in random order",
                f"{args.signatures} rows",
                took,
                held,
            )
        )

    if want("fold"):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        for i in range(3000):
            Signature.objects.filter(pk__in=Signature.objects.values("pk")[i : i + 1]).update(day=datetime.date.today())
        took, held = timed(path, erase.fold_wal)
        rows.append(
            ("core/erase.py fold_wal (tick --quick, erase)", "checkpoint of the WAL", "3,000 commits", took, held)
        )

    if want("others"):
        from django.contrib.auth.hashers import make_password
        from django.db import transaction

        from concerted.cards.models import BargainingUnit
        from concerted.cards.signing import import_people
        from concerted.core import sentonce
        from concerted.invites import codes

        def join() -> None:  # what campaigns/views.py join did before session 13: the hash inside the transaction
            with transaction.atomic():
                Campaign.objects.filter(pk=campaign.pk).update(name="Locks")
                make_password("a long enough password")

        took, held = timed(path, join)
        rows.append(("campaigns/views.py join, as it was", "Argon2id hash of the password", "1 account", took, held))
        took, held = timed(
            path, lambda: codes.create_batch(campaign, Petition.INVITE_KIND, petition_id, codes.MAX_BATCH)
        )
        rows.append(
            (
                "invites/codes.py create_batch (flyers, codes)",
                "keyed hash + sealing per code",
                f"{codes.MAX_BATCH} codes",
                took,
                held,
            )
        )
        unit = BargainingUnit.objects.create(campaign=campaign, name="Unit", union="Union", employer="Acme", size=500)
        people = [{"name": f"Person {i}", "contact": f"p{i}@example.org", "team": "Ops"} for i in range(500)]
        took, held = timed(path, lambda: import_people(unit, people))
        rows.append(
            (
                "cards/signing.py import_people (wall chart import)",
                "sealing and inserting each person",
                "500 people",
                took,
                held,
            )
        )
        from concerted.elections.models import Credential, Election
        from concerted.pledges.models import Commitment, Pledge

        election = Election.objects.create(campaign=campaign, title="T", question="Q?")

        def credentials() -> None:  # elections/ballotbox.py add_credentials, after the points are checked
            with transaction.atomic():
                for _i in range(1000):
                    Credential.objects.get_or_create(election=election, public=os.urandom(32).hex())

        took, held = timed(path, credentials)
        rows.append(("elections/ballotbox.py add_credentials", "get_or_create per credential", "1,000", took, held))
        pledge = Pledge.objects.create(
            campaign=campaign,
            title="P",
            promise="p",
            threshold_count=20000,
            deadline=datetime.date(2026, 1, 1),
            status=Pledge.Status.OPEN,
        )
        Commitment.objects.bulk_create(
            Commitment(pledge=pledge, receipt_hash=new_receipt()[1], sealed=b"c" * 300, day=datetime.date(2026, 1, 1))
            for _i in range(10_000)
        )
        took, held = timed(path, pledge.call_off)
        rows.append(
            ("pledges/models.py _destroy (tick lapse, call off)", "erase of every commitment", "10,000", took, held)
        )
        took, held = timed(path, sentonce.forget_old)
        rows.append(("core/sentonce.py forget_old (tick job)", "delete of earlier days' rows", "none due", took, held))

    print()
    print("| place | inside the lock | size | action s | write lock held s |")
    print("|---|---|---|---:|---:|")
    for place, what, size, took, held in rows:
        print(f"| {place} | {what} | {size} | {took:.2f} | {held:.2f} |")


if __name__ == "__main__":
    main()
