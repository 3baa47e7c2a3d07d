from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.cards.forms import signature_matches
from concerted.cards.models import CARD_KIND, BargainingUnit, Card, text_hash
from concerted.core import releases
from concerted.core.sealing import open_sealed

from .conftest import CARD, sign_card

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def test_it_shows_the_card_text_verbatim_without_scripts(unit):
    response = Client().get(reverse("cards:sign", args=[unit.slug]))
    assert response.status_code == 200
    page = html(response)
    assert unit.rendered_card_text() in page
    assert "authorize Acme Workers United to represent me" in page
    assert "Use your personal phone, not a work device or work Wi-Fi." in page
    assert "<script" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_it_seals_a_card_with_the_exact_text_and_gives_a_receipt(unit, private_key):
    response = sign_card(unit, full_name="María José García López", signature="maria garcia", email="mj@example.org")
    assert response.status_code == 302
    assert re.search(r"/c/[a-z0-9]+/r/[A-Z2-7]{26}/\?new=1$", response["Location"])
    card = Card.objects.get()
    data = open_sealed(
        private_key,
        card.sealed,
        kind=CARD_KIND,
        ids={"campaign": str(unit.campaign_id), "unit": str(unit.pk), "row": str(card.pk)},
    )
    assert data["full_name"] == "María José García López"
    assert data["typed_signature"] == "maria garcia"
    assert data["consent"] is True
    assert data["employer"] == "Acme Corp."
    assert data["job_classification"] == "Support agent II"
    assert data["phone"] == "+49 151 2345 6789"
    assert data["email"] == "mj@example.org"
    assert data["signed_on"] == card.day.isoformat()
    assert data["card_text"] == unit.rendered_card_text()
    assert data["card_text_sha256"] == card.text_hash == text_hash(unit.rendered_card_text())
    receipt = Client().get(response["Location"])
    assert receipt.status_code == 200
    assert "Your card is signed" in html(receipt)


def test_rows_hold_nothing_identifying_in_the_clear(unit):
    sign_card(unit)
    fields = {f.name for f in Card._meta.get_fields()}
    assert fields == {"id", "unit", "sealed", "receipt_hash", "text_hash", "segment", "day", "may_message", "stop_hash"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent": ""}, "Tick this box to sign"),
        ({"signature": "Charles Babbage"}, "Your signature must be your own name"),
        ({"signature": "Ada"}, "you typed “Ada”"),
        ({"signature": ""}, "This field is required"),
        ({"full_name": ""}, "This field is required"),
        ({"job_classification": ""}, "This field is required"),
        ({"employer": ""}, "This field is required"),
        ({"phone": ""}, "This field is required"),
        ({"phone": "ada@example.org"}, "separate field for email"),
        ({"phone": "12"}, "phone number"),
        ({"email": "+49 151 1111 2222"}, "email address"),
        ({"email": "ada@acme.com"}, "your employer"),
        ({"email": "ada@mail.ACME-corp.example"}, "your employer"),
        ({"full_name": "bell\x07"}, "control characters"),
        ({"segment": "999999"}, "Select a valid choice"),
    ],
)
def test_it_explains_bad_input_and_keeps_what_was_typed(unit, fields, message):
    response = sign_card(unit, **fields)
    assert response.status_code == 400
    page = html(response)
    assert message in page
    assert "Support agent II" in page or fields.get("job_classification") == ""
    assert not Card.objects.exists()


def test_it_survives_invalid_utf8_bytes(unit):
    response = Client().post(
        reverse("cards:sign", args=[unit.slug]),
        data=b"full_name=%FF%FE&signature=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "couldn" in html(response)


@pytest.mark.parametrize(
    ("name", "signature", "ok"),
    [
        ("Ada Lovelace", "ada lovelace", True),
        ("Ada Lovelace", "  ADA   LOVELACE ", True),
        ("María José García López", "Maria Jose Garcia Lopez", True),
        ("María José García López", "María García López", True),
        ("María José García López", "M. J. García López", True),
        ("Jean-Luc Picard", "Jean Luc Picard", True),
        ("Jean-Luc Picard", "JeanLuc Picard", True),
        ("Ada Augusta Lovelace", "Ada A. Lovelace", True),
        ("Cher", "cher", True),
        ("Þórdís Ñúñez", "Thordis Nunez", True),
        ("Łukasz Øster", "lukasz oster", True),
        ("María José García López", "maria garcia", True),
        ("Ada Lovelace", "Ada L.", False),
        ("Ada Lovelace", "A. Lovelace", True),
        ("Ada Lovelace", "Ada", False),
        ("Ada Lovelace", "Lovelace", False),
        ("Ada Lovelace", "Grace Lovelace", False),
        ("Ada Lovelace", "Ada Hopper", False),
        ("Ada Lovelace", "x", False),
        ("Ada Lovelace", "Ada Lovelace Smith", False),
        ("Ada Lovelace", "...", False),
    ],
)
def test_the_signature_matches_the_name_loosely(name, signature, ok):
    assert signature_matches(name, signature) is ok


def test_it_takes_a_second_card_with_the_same_phone_like_any_other(unit):
    assert sign_card(unit, phone="+49 151 2345 6789").status_code == 302
    assert sign_card(unit, phone="+49 (151) 2345-6789").status_code == 302
    assert Card.objects.count() == 2


def test_it_counts_the_chosen_group(unit):
    support = unit.campaign.segments.get(label="Support")
    assert sign_card(unit, segment=str(support.pk)).status_code == 302
    assert Card.objects.get().segment == support


def test_it_revokes_by_post_only(unit):
    location = sign_card(unit)["Location"]
    code = re.search(r"/r/([A-Z2-7]{26})/", location).group(1)
    revoke_url = reverse("cards:revoke", args=[unit.slug, code])
    assert Client().get(revoke_url).status_code == 405
    assert Card.objects.count() == 1
    asked = Client().post(revoke_url)
    assert asked.status_code == 200 and "can't be undone" in html(asked)
    assert Card.objects.count() == 1  # the first tap only asks
    response = Client().post(revoke_url, {"confirm": "yes"})
    assert response.status_code == 200
    assert "Your card was revoked" in html(response)
    assert not Card.objects.exists()
    assert Client().get(location).status_code == 404


def test_the_receipt_lookup_finds_a_dashed_code_and_refuses_a_forged_one(unit):
    code = re.search(r"/r/([A-Z2-7]{26})/", sign_card(unit)["Location"]).group(1)
    dashed = "-".join(code[i : i + 4] for i in range(0, 26, 4)).lower()
    lookup = reverse("cards:receipt_lookup", args=[unit.slug])
    assert Client().get(lookup, {"code": dashed}).status_code == 302
    assert Client().get(lookup, {"code": "A" * 26}).status_code == 404
    assert Client().get(lookup).status_code == 200
    assert Client().get(reverse("cards:receipt", args=[unit.slug, "A" * 26])).status_code == 404
    assert Client().post(reverse("cards:revoke", args=[unit.slug, "garbage"])).status_code == 404


def test_a_changed_card_text_keeps_what_was_signed(unit, private_key):
    location = sign_card(unit)["Location"]
    old = unit.rendered_card_text()
    unit.card_text = "New wording for {union}."
    unit.save()
    receipt = Client().get(location)
    assert "changed the card wording" in html(receipt)
    card = Card.objects.get()
    assert card.text_hash == text_hash(old) != unit.card_text_hash()


def test_a_closed_drive_takes_no_cards_and_a_draft_is_not_public(unit):
    unit.status = BargainingUnit.Status.CLOSED
    unit.save()
    response = sign_card(unit)
    assert response.status_code == 200
    assert "closed" in html(response)
    assert not Card.objects.exists()
    unit.status = BargainingUnit.Status.DRAFT
    unit.save()
    assert Client().get(reverse("cards:sign", args=[unit.slug])).status_code == 404


def test_public_count_hides_small_numbers(unit):
    for i in range(4):
        sign_card(unit, phone=f"+49 151 0000 000{i}")
    assert "Fewer than 5" in html(Client().get(reverse("cards:sign", args=[unit.slug])))
    sign_card(unit, phone="+49 151 0000 0009")
    assert "Fewer than 5" in html(Client().get(reverse("cards:sign", args=[unit.slug])))  # until a release
    assert releases.force(unit)
    assert "5 cards submitted (may include repeats)" in html(Client().get(reverse("cards:sign", args=[unit.slug])))


def test_a_drive_whose_key_was_removed_takes_no_cards(unit):
    unit.campaign.public_key = ""
    unit.campaign.save()
    response = sign_card(unit)
    assert response.status_code == 200
    assert "closed" in html(response)
    assert not Card.objects.exists()


def test_a_blank_looking_optional_email_is_a_blank_one(unit):
    """A lone space in the optional email field: the person left it blank."""
    assert sign_card(unit, email=" ").status_code == 302
    assert Card.objects.count() == 1


def test_a_drive_closed_while_someone_wrote_shows_what_they_wrote(unit):
    unit.status = BargainingUnit.Status.CLOSED
    unit.save()
    data = {**CARD, "full_name": "María José García López"}
    response = Client().post(reverse("cards:sign", args=[unit.slug]), data, HTTP_SEC_FETCH_SITE="same-origin")
    page = html(response)
    assert "This card drive is closed" in page and "Nothing was saved" in page
    assert ">María José García López</textarea>" in page and ">Full legal name</label>" in page
    assert not Card.objects.exists()
