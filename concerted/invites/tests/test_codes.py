"""Invite codes: shape, typo detection, keyed hashes, single use."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from concerted.core.shortcodes import ALPHABET
from concerted.core.testing import database_bytes
from concerted.invites import codes
from concerted.invites.codes import Result
from concerted.invites.models import InviteBatch, InviteCode

valid_codes = st.builds(lambda body: body + codes._check_char(body), st.text(ALPHABET, min_size=10, max_size=10))


def test_it_makes_codes_with_a_check_character():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 11
        assert set(code) <= set(ALPHABET)
        assert codes.parse(code).result == Result.VALID


@given(valid_codes, st.integers(0, 10), st.sampled_from(ALPHABET))
def test_it_catches_every_single_wrong_character(code, position, replacement):
    typo = code[:position] + replacement + code[position + 1 :]
    expected = Result.VALID if typo == code else Result.TYPO
    assert codes.parse(typo).result == expected


@given(valid_codes, st.integers(0, 10), st.integers(0, 10))
def test_it_catches_every_swap_of_two_characters(code, i, j):
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    swapped = "".join(chars)
    assert codes.parse(swapped).result == (Result.VALID if swapped == code else Result.TYPO)


def test_it_reads_a_code_however_it_was_typed():
    code = codes.new_code()
    shown = codes.display(code)
    assert shown.count("-") == 2
    spaced = f"  {code[:4]} {code[4:8]} {code[8:]} "
    en_dash = shown.replace("-", "\u2013")  # a phone keyboard's "smart" dash
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code.upper())
    for typed in (shown, shown.upper(), spaced, en_dash, full_width, code.upper().replace("", " ")):
        assert codes.parse(typed).code == code, typed
    assert codes.prefill(code.upper()) == shown


def test_it_says_why_a_code_is_wrong():
    code = codes.new_code()
    assert codes.parse("").result == Result.EMPTY
    short = codes.parse(code[:-1])
    assert short.result == Result.MALFORMED and "has 11 letters and digits, this one has 10" in short.message
    confusable = codes.parse("0" + code[1:])
    assert confusable.result == Result.MALFORMED and "never contain 0, o, 1, i or l" in confusable.message
    wrong = codes.parse(code[:-1] + ("2" if code[-1] != "2" else "3"))
    assert wrong.result == Result.TYPO and wrong.message.startswith("That code has a typo")
    assert "?" in codes.parse(code[:5] + "?" + code[6:]).message


@pytest.mark.django_db
def test_it_stores_only_keyed_hashes(petition, settings):
    batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 5, "Lisbon")
    assert len(plain) == 5 == batch.size
    stored = set(InviteCode.objects.filter(batch=batch).values_list("code_hash", flat=True))
    assert len(stored) == 5
    assert stored == {codes.code_hash(petition.campaign_id, "petition", petition.pk, c) for c in plain}
    # Not the unkeyed core.hashing.code_hash: without the key, a stolen database can't be searched.
    from concerted.core.hashing import code_hash as unkeyed

    assert not stored & {unkeyed(c, "invite") for c in plain}
    from concerted.core import hashing

    hashing._master_key.cache_clear()
    settings.CODE_KEY = "cd" * 32
    try:
        assert stored.isdisjoint({codes.code_hash(petition.campaign_id, "petition", petition.pk, c) for c in plain})
    finally:
        hashing._master_key.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_plaintext_code_at_rest(petition):
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 20, "")
    codes.consume_now("petition", petition.pk, plain[0])
    raw = database_bytes()
    for code in plain:
        for form in (code, codes.display(code), code.upper()):
            assert form.encode() not in raw


@pytest.mark.django_db
def test_it_checks_without_using_a_code_up(petition):
    batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 2, "")
    for _ in range(3):
        assert codes.check("petition", petition.pk, codes.display(plain[0]).upper()) == Result.VALID
    assert InviteCode.objects.count() == 2
    batch.refresh_from_db()
    assert batch.used == 0


@pytest.mark.django_db
def test_it_uses_a_code_once(petition):
    batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 3, "")
    assert codes.consume_now("petition", petition.pk, plain[1]).pk == batch.pk
    with pytest.raises(codes.InviteRefused) as refused:
        codes.consume_now("petition", petition.pk, plain[1])
    assert refused.value.result == Result.UNKNOWN
    assert "may already have been used" in refused.value.message
    assert codes.check("petition", petition.pk, plain[1]) == Result.UNKNOWN
    batch.refresh_from_db()
    assert (batch.size, batch.used) == (3, 1)
    assert InviteCode.objects.count() == 2


@pytest.mark.django_db
def test_it_refuses_a_code_for_another_target(petition):
    from concerted.petitions.models import Petition

    other = Petition.objects.create(campaign=petition.campaign, title="Other", body="b", addressee="a")
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 1, "")
    codes.create_batch(petition.campaign, "petition", other.pk, 1, "")
    assert codes.check("petition", other.pk, plain[0]) == Result.UNKNOWN
    assert codes.check("pledge", petition.pk, plain[0]) == Result.UNKNOWN
    with pytest.raises(codes.InviteRefused):
        codes.consume_now("petition", other.pk, plain[0])
    assert codes.check("petition", petition.pk, plain[0]) == Result.VALID


@pytest.mark.django_db(transaction=True)
def test_it_needs_the_callers_transaction_and_rolls_back_with_it(petition):
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 1, "")
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        codes.consume("petition", petition.pk, plain[0])

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        codes.consume("petition", petition.pk, plain[0])
        raise Boom  # e.g. the participant's row failed to insert
    assert codes.check("petition", petition.pk, plain[0]) == Result.VALID
    assert InviteBatch.objects.get().used == 0


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_concurrent_posts_use_a_code(petition):
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 1, "")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        from django.db import connections

        try:
            start.wait()
            with transaction.atomic():
                codes.consume("petition", petition.pk, plain[0])
                threading.Event().wait(0.2)  # hold the transaction open while the other tries
            outcomes.append("used")
        except codes.InviteRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "used"]
    assert InviteBatch.objects.get().used == 1


@pytest.mark.django_db
def test_it_limits_the_batch_size(petition):
    with pytest.raises(ValueError):
        codes.create_batch(petition.campaign, "petition", petition.pk, 0, "")
    with pytest.raises(ValueError):
        codes.create_batch(petition.campaign, "petition", petition.pk, codes.MAX_BATCH + 1, "")


@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_trace_of_which_code_was_used(invite_petition_tx):
    """After a signature with a code, the bytes at rest hold the unused codes' hashes
    but not the used one's: neither in the database file nor in its WAL."""
    from django.test import Client
    from django.urls import reverse

    petition = invite_petition_tx
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 4, "")
    hashes = [codes.code_hash(petition.campaign_id, "petition", petition.pk, c) for c in plain]
    response = Client().post(reverse("petitions:sign", args=[petition.slug]), {"invite_code": plain[2], "name": "A"})
    assert response.status_code == 302
    raw = database_bytes()
    assert hashes[2].encode() not in raw
    for kept in hashes[:2] + hashes[3:]:
        assert kept.encode() in raw


@pytest.fixture
def invite_petition_tx(petition):
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    return petition


@given(st.text(max_size=60))
def test_it_answers_any_text_with_a_result_not_an_error(text):
    parsed = codes.parse(text)
    assert parsed.result in Result
    assert (parsed.result == Result.VALID) == bool(parsed.code)
    assert parsed.result == Result.VALID or parsed.message
