"""The coworker's side: the pledge page, the receipt in every state, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from concerted.core import releases
from concerted.core.sealing import open_sealed
from concerted.pledges.models import CONFIRM_GRACE_DAYS, PLEDGE_KIND, Commitment, Pledge

from .conftest import move_deadline, pledge_post, receipt_code

pytestmark = pytest.mark.django_db


def page(pledge) -> str:
    response = Client().get(reverse("pledges:pledge", args=[pledge.slug]))
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def receipt_page(pledge, code: str):
    response = Client().get(reverse("pledges:receipt", args=[pledge.slug, code]))
    return response, response.content.decode().replace("&#x27;", "'")


def test_the_page_says_the_threshold_the_deadline_and_what_happens_either_way(make_pledge):
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    pledge = make_pledge(threshold_count=None, threshold_percent=40, days_left=(deadline - datetime.date.today()).days)
    html = page(pledge)
    day = f"{deadline.day} {deadline:%B %Y}"
    assert (
        f"If we reach 40% of us (40 people) by {day}, the committee will tell everyone to act together. "
        "If we don't, every pledge is destroyed and nobody is exposed." in html
    )
    assert "I will decline to install the tracker." in html
    assert "Use your personal phone, not a work device or work Wi-Fi." in html
    assert "Fewer than 5 people have pledged so far" in html
    assert "<script" not in html


def test_it_shows_progress_from_five_pledges_up(pledge, add_pledges, make_pledge):
    big = make_pledge(threshold_count=20)
    add_pledges(big, 5)
    assert "Fewer than 5 people have pledged so far" in page(big)  # until a release
    assert releases.force(big)
    html = page(big)
    assert "5 pledges submitted (may include repeats); 20 people needed." in html
    assert '<progress max="100" value="25"' in html


def test_it_seals_a_pledge_and_gives_a_receipt(pledge, private_key):
    response = pledge_post(pledge, name="Grace Hopper", contact="grace@example.org")
    assert response.status_code == 302
    row = Commitment.objects.get()
    data = open_sealed(
        private_key,
        row.sealed,
        kind=PLEDGE_KIND,
        ids={"campaign": str(pledge.campaign_id), "pledge": str(pledge.pk), "row": str(row.pk)},
    )
    assert data["name"] == "Grace Hopper"
    assert data["contact"] == "grace@example.org"
    receipt = Client().get(response["Location"])
    html = receipt.content.decode()
    assert "You pledged. Thank you." in html
    assert "State of this pledge: <strong>Open</strong>" in html
    assert "Withdraw my pledge" in html


def test_the_receipt_shows_reached_then_active(pledge, add_pledges):
    code = add_pledges(pledge, 5)[0]
    _response, html = receipt_page(pledge, code)
    assert "Enough submissions" not in html  # the crossing shows only at a release
    assert releases.force(pledge)
    _response, html = receipt_page(pledge, code)
    assert "Enough submissions (may include repeats): the committee counts different people" in html
    assert "Nothing is sent or published until a person on the committee does." in html
    assert "Withdraw my pledge" in html  # still possible until confirmed
    assert pledge.confirm(pledge.count())
    _response, html = receipt_page(pledge, code)
    assert "Active: confirmed by the committee" in html
    assert "Withdraw my pledge" not in html
    assert "can no longer be withdrawn here" in html


def test_reaching_the_threshold_sends_and_publishes_nothing(pledge, add_pledges, as_user):
    add_pledges(pledge, 6)
    assert mail.outbox == []
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN
    # The export opens for counting different people only; nothing is sent or published.
    assert as_user("owner").get(reverse("pledges:export", args=[pledge.pk])).json()["parent"]["count_only"] is True


def test_a_lapsed_pledge_says_nobody_was_exposed_on_first_access(pledge, add_pledges):
    code = add_pledges(pledge, 3)[0]
    move_deadline(pledge, -1)
    html = page(pledge)  # no tick ran: the page view itself destroys
    assert "This pledge lapsed. Nobody was exposed." in html
    assert not Commitment.objects.exists()
    assert "Make my pledge" not in html
    response, html = receipt_page(pledge, code)
    assert response.status_code == 200
    assert "Lapsed: every pledge destroyed" in html
    assert "Withdraw my pledge" not in html
    # Withdrawing from a lapsed pledge explains instead of failing.
    response = Client().post(reverse("pledges:withdraw", args=[pledge.slug, code]))
    assert response.status_code == 200
    assert "Nobody was exposed" in response.content.decode()


def test_the_receipt_lapses_the_pledge_too(pledge, add_pledges):
    code = add_pledges(pledge, 1)[0]
    move_deadline(pledge, -1)
    _response, html = receipt_page(pledge, code)
    assert "This pledge lapsed. Nobody was exposed." in html
    assert not Commitment.objects.exists()


def test_pledging_after_the_deadline_is_refused_clearly(pledge, add_pledges):
    add_pledges(pledge, 5)  # reached, so it waits for confirmation instead of lapsing
    move_deadline(pledge, -1)
    response = pledge_post(pledge, name="Late Larry")
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer takes pledges: its deadline has passed" in html
    assert Commitment.objects.count() == 5
    assert "If the committee doesn't confirm by" in page(pledge)


@pytest.mark.parametrize("state", ["lapsed", "active"])
def test_pledging_to_an_ended_pledge_is_refused_clearly(pledge, add_pledges, state):
    add_pledges(pledge, 5)
    if state == "active":
        pledge.confirm(pledge.count())
    else:
        move_deadline(pledge, -CONFIRM_GRACE_DAYS - 1)
    response = pledge_post(pledge, name="Late Larry")
    assert response.status_code == 400
    assert "no longer takes pledges" in response.content.decode()
    assert Commitment.objects.count() == (5 if state == "active" else 0)


def test_an_active_pledge_no_longer_offers_withdrawal(pledge, add_pledges):
    assert "Check or withdraw with your receipt code" in page(pledge)
    add_pledges(pledge, 5)
    pledge.confirm(pledge.count())
    html = page(pledge)
    assert "Check your pledge with your receipt code" in html
    assert "withdraw" not in html.lower()


def test_it_refuses_an_employer_address(pledge):
    response = pledge_post(pledge, contact="me@ACME.com")
    assert response.status_code == 400
    assert "your employer" in response.content.decode()
    assert b"Ada Lovelace" in response.content
    assert pledge_post(pledge, contact="me@mail.acme-corp.example").status_code == 400
    assert not Commitment.objects.exists()


def test_it_takes_a_repeat_contact_like_any_other(pledge):
    assert pledge_post(pledge, contact="Same.Person@Example.org ").status_code == 302
    assert pledge_post(pledge, contact="same.person@example.org").status_code == 302
    assert Commitment.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "   "}, "This field is required"),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"contact": "x" * 250 + "@example.org"}, "at most 254 characters"),
        ({"name": "bad\ufffdbytes"}, "couldn"),
        ({"name": "nul\x00char"}, "Null characters are not allowed"),
        ({"name": "bell\x07"}, "control characters"),
        ({"contact": "not an address@"}, "email address"),
        ({"contact": "12"}, "phone number"),
    ],
)
def test_it_explains_bad_input(pledge, fields, message):
    response = pledge_post(pledge, **fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    "body", [b"name=%FF%FE&contact=", b"name=lone%ED%A0%80surrogate", b"name=A&contact=%C0%AE@x.org"]
)
def test_it_survives_invalid_utf8_bytes(pledge, body):
    response = Client().post(
        reverse("pledges:pledge", args=[pledge.slug]), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "couldn" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_forged_receipt_gets_a_clear_404(pledge, add_pledges):
    add_pledges(pledge, 1)
    for code in ["A" * 26, "garbage", "%00", "x" * 500]:
        response, html = receipt_page(pledge, code)
        assert response.status_code == 404
        assert "We couldn't find that receipt" in html
        response = Client().post(reverse("pledges:withdraw", args=[pledge.slug, code]))
        assert response.status_code == 404
    assert Commitment.objects.count() == 1
    lookup = Client().get(reverse("pledges:receipt_lookup", args=[pledge.slug]), {"code": "B" * 26})
    assert lookup.status_code == 404


def test_a_receipt_from_another_pledge_does_not_work_here(pledge, make_pledge, add_pledges):
    other = make_pledge(title="Other")
    code = add_pledges(other, 1)[0]
    response, _html = receipt_page(pledge, code)
    assert response.status_code == 404


def test_it_withdraws_by_post_only_while_open(pledge):
    location = pledge_post(pledge)["Location"]
    code = receipt_code(pledge_post(pledge, name="Someone Else"))
    url = reverse("pledges:withdraw", args=[pledge.slug, code])
    assert Client().get(url).status_code == 405
    asked = Client().post(url)
    assert "can't be undone" in asked.content.decode() and Commitment.objects.count() == 2
    response = Client().post(url, {"confirm": "yes"})
    assert response.status_code == 200
    assert "Your pledge was withdrawn" in response.content.decode()
    assert Commitment.objects.count() == 1
    assert Client().get(location).status_code == 200  # the other pledge's receipt still works


def test_withdrawing_after_confirmation_is_refused_clearly(pledge, add_pledges):
    code = add_pledges(pledge, 5)[0]
    pledge.confirm(pledge.count())
    response = Client().post(reverse("pledges:withdraw", args=[pledge.slug, code]), {"confirm": "yes"})
    assert response.status_code == 409
    assert "can no longer be withdrawn here" in response.content.decode()
    # Announced and focused, as every other error: a zoomed-in phone shows it.
    assert '<div class="error-box" role="alert" tabindex="-1" autofocus>' in response.content.decode()
    assert Commitment.objects.count() == 5


def test_the_receipt_lookup_form_finds_a_code_with_dashes(pledge):
    code = receipt_code(pledge_post(pledge))
    dashed = "-".join(code[i : i + 4] for i in range(0, 26, 4)).lower()
    response = Client().get(reverse("pledges:receipt_lookup", args=[pledge.slug]), {"code": dashed})
    assert response.status_code == 302
    assert Client().get(reverse("pledges:receipt_lookup", args=[pledge.slug])).status_code == 200


def test_a_draft_is_not_public(make_pledge):
    draft = make_pledge(status="draft")
    assert Client().get(reverse("pledges:pledge", args=[draft.slug])).status_code == 404
    assert pledge_post(draft).status_code == 404


def test_ticking_may_message_without_a_contact_is_said_on_the_form_not_dropped(pledge):
    response = pledge_post(pledge, may_message="on")
    assert response.status_code == 400
    assert (
        "Give a personal email or phone for the committee to write to, or untick the box." in response.content.decode()
    )
    assert not Commitment.objects.exists()
