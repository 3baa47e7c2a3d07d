"""Codes kept for printing again: sealed to the committee key, never in the clear; a
used code's sealed copy goes with its row; voiding a batch makes its unused codes fail
and deletes their sealed copies from disk."""

from __future__ import annotations

import pytest
from django.db import connection

from concerted.core import sealing
from concerted.core.testing import assert_absent, database_bytes
from concerted.invites import codes
from concerted.invites.models import InviteBatch, InviteCode

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_plaintext_codes_out_of_the_raw_files(petition):
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 40, "Raw bytes")
    assert batch.sealed and InviteCode.objects.exclude(sealed=None).count() == 40
    raw = database_bytes()
    assert len(raw) > 10_000
    for code in made:
        assert_absent(raw, code, codes.display(code), code.upper())


def test_the_raw_read_can_find_a_code(petition):
    """The same read finds a code that is stored in the clear (the batch label here)."""
    _batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 1, "")
    InviteBatch.objects.create(
        campaign=petition.campaign, target_kind="petition", target_id=petition.pk, size=1, label=made[0]
    )
    with pytest.raises(AssertionError):
        assert_absent(database_bytes(), made[0])


def test_each_sealed_code_opens_only_with_the_committee_key_and_its_ids(petition, private_key):
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 3)
    records = codes.sealed_records(batch)
    opened = set()
    for record in records:
        ids = {
            "campaign": str(petition.campaign_id),
            "batch": str(batch.pk),
            "row": record["id"],
            "target": record["target"],
        }
        opened.add(sealing.open_sealed(private_key, record["sealed"], kind=codes.SEALED_KIND, ids=ids)["code"])
        with pytest.raises(sealing.RevealError):
            sealing.open_sealed(private_key, record["sealed"], kind=codes.SEALED_KIND, ids={**ids, "batch": "other"})
    assert opened == set(made)


def test_a_used_code_leaves_no_sealed_copy(petition):
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 3)
    used = InviteCode.objects.get(code_hash=codes.code_hash(petition.campaign_id, "petition", petition.pk, made[0]))
    blob = bytes(used.sealed)
    codes.consume_now("petition", petition.pk, made[0])
    assert len(codes.sealed_records(batch)) == 3  # padded with a sealed blank (the next test)
    if connection.vendor == "sqlite":
        assert blob[:64] not in database_bytes()


def test_voiding_refuses_unused_codes_and_erases_their_sealed_copies(petition):
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 4)
    codes.consume_now("petition", petition.pk, made[0])
    blobs = [bytes(b) for b in InviteCode.objects.values_list("sealed", flat=True)]
    assert codes.void_batch(batch) == 3
    batch.refresh_from_db()
    assert batch.voided and batch.used == 1 and batch.unused == 0 and not batch.reprintable
    assert not InviteCode.objects.filter(batch=batch).exists()
    for code in made:
        with pytest.raises(codes.InviteRefused) as refused:
            codes.consume_now("petition", petition.pk, code)
        assert "voided" in refused.value.message
    if connection.vendor == "sqlite":
        raw = database_bytes()
        for blob in blobs:
            assert blob[:64] not in raw
    assert codes.void_batch(batch) == 0  # twice is harmless


def test_a_campaign_without_its_key_makes_batches_that_cant_be_printed_again(petition):
    petition.campaign.public_key = ""
    petition.campaign.save(update_fields=["public_key"])
    batch, _made = codes.create_batch(petition.campaign, "petition", petition.pk, 2)
    assert not batch.sealed and not batch.reprintable
    assert codes.sealed_records(batch) == []


def test_the_download_keeps_its_size_while_codes_are_used(petition, private_key):
    """Whoever may download a batch for printing again (any organizer) could otherwise
    count its records now and later, and learn each batch's exact use over time, which
    the committee's pages show only as released. Blanks fill the batch up to its size;
    only the committee key tells them from codes."""
    batch, made = codes.create_batch(petition.campaign, "petition", petition.pk, 4)
    before = codes.sealed_records(batch)
    codes.consume_now("petition", petition.pk, made[1])
    after = codes.sealed_records(batch)
    assert len(before) == len(after) == 4
    assert {len(r["sealed"]) for r in before + after} == {len(before[0]["sealed"])}
    assert [r["id"] for r in after] == sorted(r["id"] for r in after)
    opened = [
        sealing.open_sealed(
            private_key,
            r["sealed"],
            kind=codes.SEALED_KIND,
            ids={"campaign": str(petition.campaign_id), "batch": str(batch.pk), "row": r["id"], "target": r["target"]},
        )["code"]
        for r in after
    ]
    assert sorted(c for c in opened if c != codes.PADDING) == sorted(made[:1] + made[2:])
    assert opened.count(codes.PADDING) == 1
