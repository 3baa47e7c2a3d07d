"""Invariant 5 on the real database file: after a lapse, the sealed pledges are gone
from the SQLite file and its WAL, byte for byte, and lapse is safe to race."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from concerted.core.testing import assert_absent, database_bytes
from concerted.pledges.models import Commitment, Pledge

from .conftest import move_deadline, pledge_post

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Ottoline Pledgewhistle"
CONTACT = "ottoline.pledgewhistle@example.net"


def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the file-level checks are about SQLite's file and WAL")


def pragma(name: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_settings_turn_on_secure_delete_and_wal():
    sqlite_only()
    assert pragma("secure_delete") == 1
    assert pragma("journal_mode") == "wal"


def on_disk(piece: bytes, raw: bytes) -> bool:
    """SQLite: the raw file bytes; PostgreSQL: pg_dump's text, where bytea is hex."""
    return piece in raw or piece.hex().encode() in raw


def test_a_lapsed_pledge_leaves_no_bytes_behind(pledge):
    for i in range(3):
        assert pledge_post(pledge, name=f"{NAME} {i}", contact=f"{i}{CONTACT}").status_code == 302
    blobs = [bytes(c.sealed) for c in Commitment.objects.all()]
    hashes = [c.receipt_hash for c in Commitment.objects.all()]
    before = database_bytes()
    # The check can fail: right now the ciphertext is on disk (in the WAL at least).
    assert all(on_disk(blob[:64], before) for blob in blobs)
    assert all(h.encode() in before for h in hashes)
    assert_absent(before, NAME, CONTACT)  # sealed from the start

    move_deadline(pledge, -1)
    call_command("tick", verbosity=0)

    assert not Commitment.objects.exists()
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.LAPSED
    after = database_bytes()
    for blob in blobs:
        for start in range(0, len(blob) - 32, 32):
            assert not on_disk(blob[start : start + 32], after), "a piece of a destroyed pledge is still on disk"
    for receipt_hash in hashes:
        assert receipt_hash.encode() not in after
    assert_absent(after, NAME, CONTACT)
    if connection.vendor != "sqlite":
        return
    assert pragma("secure_delete") == 1
    wal = connection.settings_dict["NAME"] + "-wal"
    with open(wal, "rb") as f:
        assert f.read() == b"", "the WAL was not truncated after destruction"


def test_without_the_checkpoint_the_wal_would_still_hold_them(pledge):
    """Why lapse truncates the WAL: secure_delete alone leaves old page images there."""
    sqlite_only()
    pledge_post(pledge, name=NAME)
    blob = bytes(Commitment.objects.get().sealed)
    Commitment.objects.all().delete()  # a plain delete, no purge
    assert blob[:64] in database_bytes()
    move_deadline(pledge, -1)
    pledge.lapse_if_due()
    assert blob[:64] not in database_bytes()


def test_a_lapse_seen_on_a_page_also_scrubs_the_file(pledge):
    sqlite_only()
    pledge_post(pledge, name=NAME, contact=CONTACT)
    blob = bytes(Commitment.objects.get().sealed)
    move_deadline(pledge, -1)
    response = Client().get(reverse("pledges:pledge", args=[pledge.slug]))
    assert "Nobody was exposed" in response.content.decode()
    assert blob[:64] not in database_bytes()


def test_racing_lapses_destroy_once(pledge):
    for i in range(4):
        pledge_post(pledge, name=f"Racer {i}")
    move_deadline(pledge, -1)
    results: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def lapse() -> None:
        try:
            copy = Pledge.objects.get(pk=pledge.pk)
            barrier.wait()
            results.append(copy.lapse_if_due())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lapse) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    assert not Commitment.objects.exists()


def test_a_pledge_racing_a_lapse_is_either_refused_or_destroyed(pledge):
    """A pledge sent at the moment of lapse can't survive it: the insert and the
    destruction both lock the pledge row, so one of them goes first."""
    pledge_post(pledge, name="Early Bird")
    move_deadline(pledge, -1)
    from concerted.pledges import pledging

    with pytest.raises(pledging.NotAccepting):
        pledging.pledge(Pledge.objects.get(pk=pledge.pk), {"name": "Late Larry", "contact": ""})
    assert Pledge.objects.get(pk=pledge.pk).lapse_if_due()
    assert not Commitment.objects.exists()
