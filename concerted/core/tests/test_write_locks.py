"""Long work is done outside the database's write lock, so signing never waits on it.

SQLite runs every transaction as BEGIN IMMEDIATE (settings): whatever a transaction does
holds the one write lock of the whole server, and every signature, pledge and card waits
for it (and fails after the 20 s busy timeout). A release's group audit (seconds on a
long campaign) and `concerted tick`'s rewrite of a participant table (5 s for 100,000
rows) used to run inside one. bench/bench_write_locks.py measures the rest."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections

from concerted.core import records, releases
from concerted.core.models import Release
from concerted.core.receipts import new_receipt
from concerted.core.testing import wait_for_write_lock
from concerted.invites import codes, usage
from concerted.invites.models import UsageRelease
from concerted.petitions.models import Petition, Signature
from concerted.petitions.signing import sign

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's one write lock"),
]


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, 9, 0, tzinfo=datetime.UTC)


def from_another_thread(action) -> dict[str, object]:
    seen: dict[str, object] = {}

    def run() -> None:
        try:
            seen["result"] = action()
        except Exception as exc:  # reported to the test
            seen["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen


def sign_in(petition: Petition, label: str, n: int) -> None:
    segment = petition.segments().get(label=label)
    for _ in range(n):
        sign(petition, {"name": f"{label} signer", "segment": segment.pk})


def during_the_audit(monkeypatch, action) -> list[object]:
    """Run `action` (once) while the release's group audit runs."""
    real = releases.audited
    done: list[object] = []

    def audit_then_act(*args, **kwargs):
        audit = real(*args, **kwargs)
        if not done:
            done.append(action())
        return audit

    monkeypatch.setattr(releases, "audited", audit_then_act)
    return done


def test_it_lets_a_coworker_sign_while_a_release_is_audited(petition, monkeypatch):
    sign_in(petition, "Platform", 6)
    assert releases.force(petition, at(2))
    sign_in(petition, "Support", 5)

    def coworker_signs() -> dict[str, object]:
        def signs() -> float:
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 3000")
            sign_in(Petition.objects.get(pk=petition.pk), "Data", 1)
            return time.monotonic() - started

        return from_another_thread(signs)

    done = during_the_audit(monkeypatch, coworker_signs)
    assert releases.force(petition, at(3))
    (seen,) = done
    assert "error" not in seen, seen
    assert seen["result"] < 1
    # The release is of the signatures it started with; the late one waits for the next.
    figures = releases.figures(petition)
    assert figures["total"] == 11
    assert dict(figures["groups"])["Data"] is None
    row = Release.objects.get(subject_id=petition.pk)
    assert row.pending == 1
    assert row.history[-1]["total"] == 11


def test_it_lets_writers_in_while_invite_batches_use_is_audited(petition, monkeypatch):
    batch, made = codes.create_batch(petition.campaign, Petition.INVITE_KIND, petition.pk, 10)
    sign_in(petition, "Platform", 6)
    for code in made[:5]:
        codes.consume_now(Petition.INVITE_KIND, petition.pk, code)
    real = usage.releases.audited
    waited: list[float] = []

    def audit_then_wait(history, counts, moment):
        if str(batch.pk) in counts:  # the batches' audit, not the petition's
            waited.append(wait_for_write_lock())
        return real(history, counts, moment)

    monkeypatch.setattr(usage.releases, "audited", audit_then_wait)
    assert releases.force(petition, at(2))
    assert waited and waited[0] < 1
    assert UsageRelease.objects.get(target_id=petition.pk).history[-1]["total"] == 5


def test_it_stores_nothing_when_another_release_was_stored_meanwhile(petition, monkeypatch):
    sign_in(petition, "Platform", 6)
    assert releases.force(petition, at(2))
    sign_in(petition, "Support", 5)

    def another_organizer_releases() -> bool:
        monkeypatch.setattr(releases, "audited", real)
        return releases.force(petition, at(3))

    real = releases.audited
    done = during_the_audit(monkeypatch, another_organizer_releases)
    # Prepared again from the release that won: nothing new is left to release.
    assert not releases.force(petition, at(3))
    assert done == [True]
    row = Release.objects.get(subject_id=petition.pk)
    assert [entry["at"] for entry in row.history][1:] == [at(2).isoformat(), at(3).isoformat()]
    assert row.pending == 0
    assert row.figures["total"] == 11


def fill(petition: Petition, n: int) -> None:
    rows = [
        Signature(petition=petition, receipt_hash=new_receipt()[1], sealed=b"s" * 400, day=datetime.date(2026, 3, 2))
        for _ in range(n)
    ]
    Signature.objects.bulk_create(rows, batch_size=2000)


def test_it_lets_writers_in_while_tick_rewrites_a_large_table(petition):
    fill(petition, 30_000)
    waits: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            waits.append(wait_for_write_lock(timeout=60))
            time.sleep(0.005)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        records.scramble(Signature)
    finally:
        stop.set()
        thread.join()
    assert max(waits) < 1, f"the write lock was held for {max(waits):.2f} s in one piece"
    assert Signature.objects.count() == 30_000


def test_it_keeps_every_row_and_every_write_made_between_two_parts(petition, monkeypatch):
    monkeypatch.setattr(records, "SCRAMBLE_PART_ROWS", 100)
    fill(petition, 450)
    before = dict(Signature.objects.values_list("pk", "sealed"))
    gone = next(iter(before))
    real = records._rewrite
    parts: list[int] = []

    def rewrite_then_write(*args, **kwargs):
        real(*args, **kwargs)
        parts.append(1)
        if len(parts) == 2:  # between the second part and the third, someone signs and one withdraws
            on_commit = connection.on_commit

            def meanwhile() -> None:
                from_another_thread(lambda: sign_in(Petition.objects.get(pk=petition.pk), "Data", 1))
                from_another_thread(lambda: records.erase(Signature.objects.get(pk=gone)))

            on_commit(meanwhile)

    monkeypatch.setattr(records, "_rewrite", rewrite_then_write)
    records.scramble(Signature)
    assert len(parts) == 5
    after = dict(Signature.objects.values_list("pk", "sealed"))
    del before[gone]
    assert {pk: bytes(blob) for pk, blob in after.items() if pk in before} == {
        pk: bytes(blob) for pk, blob in before.items()
    }
    assert len(after) == len(before) + 1


def test_it_counts_a_bulk_erase_with_one_update_per_subject(petition, campaign):
    from django.test.utils import CaptureQueriesContext

    from concerted.petitions.stats import RELEASE

    other = Petition.objects.create(campaign=campaign, title="Other", body="b", addressee="a", goal_count=10)
    for subject in (petition, other):
        releases._row(RELEASE, subject)
    fill(petition, 600)
    fill(other, 150)
    with CaptureQueriesContext(connection) as queries:
        assert records.erase(Signature.objects.all()) == 750
    # A lapse of 10,000 pledges made 30,000 queries (a baseline read, a subject read and
    # an UPDATE per row) and held the write lock for 12 s.
    assert len(queries.captured_queries) < 40, len(queries.captured_queries)
    pending = dict(Release.objects.values_list("subject_id", "pending"))
    assert (pending[petition.pk], pending[other.pk]) == (600, 150)
    # One at a time (a withdrawal) still counts one.
    sign_in(petition, "Platform", 1)
    records.erase(Signature.objects.get(petition=petition))
    assert Release.objects.get(subject_id=petition.pk).pending == 602
