from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core import releases
from concerted.core.sealing import open_sealed
from concerted.petitions.models import SIGNATURE_KIND, Petition, Signature

pytestmark = pytest.mark.django_db


def sign(petition, **fields):
    data = {"name": "Ada Lovelace", "contact": "", "comment": "", **fields}
    return Client().post(reverse("petitions:sign", args=[petition.slug]), data)


def test_it_shows_the_sign_page_without_scripts(petition):
    response = Client().get(reverse("petitions:sign", args=[petition.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Use your personal phone, not a work device or work Wi-Fi." in html
    assert "<script" not in html
    # Who reads the comment is said next to it, as for the name and contact.
    assert "Sealed: only the committee can read it. It is not printed on the petition." in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_it_seals_a_signature_and_gives_a_receipt(petition, private_key):
    response = sign(petition, name="Grace Hopper", contact="grace@example.org", comment="Yes", consent_named="on")
    assert response.status_code == 302
    code = re.search(r"/r/([A-Z2-7]{26})/", response["Location"]).group(1)
    signature = Signature.objects.get()
    data = open_sealed(
        private_key,
        signature.sealed,
        kind=SIGNATURE_KIND,
        ids={"campaign": str(petition.campaign_id), "petition": str(petition.pk), "row": str(signature.pk)},
    )
    assert data["name"] == "Grace Hopper"
    assert data["contact"] == "grace@example.org"
    assert data["consent_named"] is True
    receipt = Client().get(response["Location"])
    assert receipt.status_code == 200
    assert b"You signed" in receipt.content
    assert code[:4] + "-" in receipt.content.decode()


def test_it_refuses_an_employer_address(petition):
    response = sign(petition, contact="me@ACME.com")
    assert response.status_code == 400
    assert "your employer" in response.content.decode()
    assert b"Ada Lovelace" in response.content  # nothing typed is lost
    assert not Signature.objects.exists()


def test_it_refuses_an_employer_subdomain(petition):
    response = sign(petition, contact="me@mail.acme.com")
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_it_takes_a_repeat_contact_like_any_other(petition):
    """No participation oracle: the server can't tell a repeat, so it doesn't answer one."""
    first = sign(petition, contact="Same.Person@Example.org ")
    second = sign(petition, contact="same.person@example.org")
    assert first.status_code == second.status_code == 302
    assert Signature.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "   "}, "This field is required"),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"comment": "y" * 2001}, "at most 2000 characters"),
        ({"name": "bad\ufffdbytes"}, "couldn"),
        ({"name": "nul\x00char"}, "Null characters are not allowed"),
        ({"name": "bell\x07"}, "control characters"),
        ({"name": "\u202eanitsuJ"}, "direction controls"),
        ({"comment": "I agree \u2067with\u2069 this"}, "direction controls"),
        ({"contact": "not an address@"}, "email address"),
        ({"contact": "12"}, "phone number"),
        ({"segment": "999999"}, "Select a valid choice"),
    ],
)
def test_it_explains_bad_input(petition, fields, message):
    response = sign(petition, **fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Signature.objects.exists()


def test_right_to_left_names_and_plain_direction_marks_are_taken(petition):
    assert sign(petition, name="\u05d3\u05d5\u05d3 \u05dc\u05d5\u05d9", comment="ok\u200f").status_code == 302
    assert sign(petition, name="\u0645\u0631\u064a\u0645 \u062d\u0633\u0646").status_code == 302


def test_it_survives_invalid_utf8_bytes(petition):
    response = Client().post(
        reverse("petitions:sign", args=[petition.slug]),
        data=b"name=%FF%FE&contact=",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "couldn" in response.content.decode()


def test_a_forged_receipt_gets_a_clear_404(petition):
    url = reverse("petitions:receipt", args=[petition.slug, "A" * 26])
    response = Client().get(url)
    assert response.status_code == 404
    assert "We couldn't find that receipt" in response.content.decode().replace("&#x27;", "'")
    assert Client().post(reverse("petitions:withdraw", args=[petition.slug, "garbage"])).status_code == 404


def test_it_withdraws_by_post_only(petition):
    location = sign(petition)["Location"]
    code = re.search(r"/r/([A-Z2-7]{26})/", location).group(1)
    withdraw_url = reverse("petitions:withdraw", args=[petition.slug, code])
    assert Client().get(withdraw_url).status_code == 405
    assert Signature.objects.count() == 1
    asked = Client().post(withdraw_url)
    assert asked.status_code == 200 and "can't be undone" in asked.content.decode()
    assert Signature.objects.count() == 1  # the first tap only asks
    response = Client().post(withdraw_url, {"confirm": "yes"})
    assert response.status_code == 200
    assert not Signature.objects.exists()
    assert Client().get(location).status_code == 404


def test_the_receipt_lookup_form_finds_a_code_with_dashes(petition):
    code = re.search(r"/r/([A-Z2-7]{26})/", sign(petition)["Location"]).group(1)
    dashed = "-".join(code[i : i + 4] for i in range(0, 26, 4)).lower()
    response = Client().get(reverse("petitions:receipt_lookup", args=[petition.slug]), {"code": dashed})
    assert response.status_code == 302


def test_the_receipt_lookup_takes_the_pasted_receipt_link_and_asks_again_when_blank(petition):
    location = sign(petition)["Location"]
    lookup = reverse("petitions:receipt_lookup", args=[petition.slug])
    code = re.search(r"/r/([A-Z2-7]{26})/", location).group(1)
    for pasted in (f"  http://testserver{location}  ", location, f"/en/p/{petition.slug}/r/{code}", code):
        response = Client().get(lookup, {"code": pasted})
        assert response.status_code == 302 and "/r/" in response["Location"], pasted
    blank = Client().get(lookup, {"code": "   "})
    assert blank.status_code == 200 and 'name="code"' in blank.content.decode()


def test_a_closed_petition_takes_no_signatures(petition):
    petition.status = Petition.Status.CLOSED
    petition.save()
    response = sign(petition)
    assert response.status_code == 200
    assert b"closed" in response.content
    assert not Signature.objects.exists()


def test_a_petition_closed_while_someone_wrote_shows_what_they_wrote(petition):
    petition.status = Petition.Status.CLOSED
    petition.save()
    words = "Two years of keystroke logging is enough.\nWe want a human in the loop."
    response = Client().post(
        reverse("petitions:sign", args=[petition.slug]),
        {"name": "Ada Lovelace", "comment": words},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert "This petition is closed" in html and "Nothing was saved" in html
    assert ">Ada Lovelace</textarea>" in html and words in html
    assert ">Your name</label>" in html  # under the form's labels, not the field names
    assert not Signature.objects.exists()
    # From another site, nothing is shown back (it could choose the words).
    cross = Client().post(reverse("petitions:sign", args=[petition.slug]), {"name": "Ada Lovelace"})
    assert "Ada Lovelace" not in cross.content.decode()


def test_a_short_code_typed_in_capitals_finds_its_page(petition):
    url = reverse("petitions:sign", args=[petition.slug]).replace(petition.slug, petition.slug.upper())
    assert Client().get(url).status_code == 200


def test_a_draft_is_not_public(petition):
    petition.status = Petition.Status.DRAFT
    petition.save()
    assert Client().get(reverse("petitions:sign", args=[petition.slug])).status_code == 404


def test_rows_hold_the_day_and_nothing_else_identifying(petition):
    sign(petition, contact="+49 151 2345 6789")
    fields = {f.name for f in Signature._meta.get_fields()}
    assert fields == {"id", "petition", "sealed", "receipt_hash", "segment", "day", "may_message", "stop_hash"}


def test_public_count_hides_small_numbers(petition):
    for i in range(4):
        sign(petition, name=f"P{i}")
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "Fewer than 5" in html
    sign(petition, name="P5")
    assert releases.force(petition)  # public counts move only at a release
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "5 signatures submitted (may include repeats)" in html


def test_ticking_may_message_without_a_contact_is_said_on_the_form_not_dropped(petition):
    response = sign(petition, name="Ada Lovelace", may_message="on")
    assert response.status_code == 400
    assert (
        "Give a personal email or phone for the committee to write to, or untick the box." in response.content.decode()
    )
    assert 'value="Ada Lovelace"' in response.content.decode()
    assert not Signature.objects.exists()
    assert sign(petition, contact="ada@example.org", may_message="on").status_code == 302
