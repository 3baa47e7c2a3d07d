"""Organizer views: owner and teammate succeed; outsider and anonymous get nothing;
the wrong method gets 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.invites.models import InviteBatch, InviteCode
from concerted.petitions.models import Petition

pytestmark = pytest.mark.django_db


def urls(petition):
    args = ["petition", petition.pk]
    return {
        "page": reverse("flyers:page", args=args),
        "pdf": reverse("flyers:pdf", args=args),
        "batch": reverse("flyers:batch_new", args=args),
    }


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_it_serves_organizers(as_user, invite_petition, who):
    client = as_user(who)
    u = urls(invite_petition)
    page = client.get(u["page"])
    assert page.status_code == 200
    assert "Flyers and invite codes" in page.content.decode()
    pdf = client.get(u["pdf"], {"paper": "a4"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    made = client.post(u["batch"], {"count": 4, "label": "Day shift", "paper": "letter"})
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
    assert made["Content-Disposition"].startswith('attachment; filename="invite-cards-')
    assert InviteBatch.objects.get().size == 4
    assert InviteCode.objects.count() == 4
    page = client.get(u["page"])
    assert "Day shift" in page.content.decode()
    assert "at the next release" in page.content.decode()  # no use is shown before a release


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_gives_others_nothing(as_user, invite_petition, who):
    client = as_user(who)
    u = urls(invite_petition)
    for response in (
        client.get(u["page"]),
        client.get(u["pdf"]),
        client.post(u["batch"], {"count": 4, "label": "x", "paper": "letter"}),
    ):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
        assert not response.content.startswith(b"%PDF")
    assert not InviteBatch.objects.exists()


def test_it_refuses_the_wrong_method(as_user, invite_petition):
    client = as_user("owner")
    u = urls(invite_petition)
    assert client.post(u["page"]).status_code == 405
    assert client.post(u["pdf"]).status_code == 405
    assert client.get(u["batch"]).status_code == 405
    assert client.delete(u["page"]).status_code == 405


def test_it_404s_an_unknown_target(as_user, petition):
    client = as_user("owner")
    assert client.get(reverse("flyers:page", args=["ballot", petition.pk])).status_code == 404
    missing = Petition(campaign=petition.campaign).pk
    assert client.get(reverse("flyers:pdf", args=["petition", missing])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": 0, "paper": "letter"}, "greater than or equal to 1"),
        ({"count": 401, "paper": "letter"}, "less than or equal to 400"),
        ({"count": "many", "paper": "letter"}, "Enter a whole number"),
        ({"count": 5, "paper": "tabloid"}, "Choose the paper you will print on: A4 or US Letter."),
        ({"count": 5, "paper": "a4", "label": "bad\x00label"}, "Null characters are not allowed"),
    ],
)
def test_it_rerenders_a_bad_batch_form(as_user, invite_petition, data, message):
    response = as_user("owner").post(urls(invite_petition)["batch"], data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InviteBatch.objects.exists()


def test_it_shows_used_counts_never_which_code(as_user, invite_petition):
    from concerted.core import releases
    from concerted.invites import codes

    _batch, plain = codes.create_batch(invite_petition.campaign, "petition", invite_petition.pk, 9, "Canteen")
    for code in plain[2:8]:
        codes.consume_now("petition", invite_petition.pk, code)
    releases.release_baseline(invite_petition)  # the use is shown as released
    for url in (urls(invite_petition)["page"], reverse("petitions:dashboard", args=[invite_petition.pk])):
        html = as_user("teammate").get(url).content.decode()
        assert "Canteen" in html and "6 of 9" in html
        for code in plain:
            assert code not in html and codes.display(code) not in html


def test_it_links_flyers_from_the_petition_dashboard(as_user, petition):
    html = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert reverse("flyers:pdf", args=["petition", petition.pk]) + "?paper=letter" in html
    assert reverse("flyers:pdf", args=["petition", petition.pk]) + "?paper=a4" in html
    assert reverse("flyers:page", args=["petition", petition.pk]) in html


def test_it_warns_about_a_draft_and_an_open_petition(as_user, petition):
    petition.status = Petition.Status.DRAFT
    petition.save()
    html = as_user("owner").get(urls(petition)["page"]).content.decode()
    assert "still a draft" in html
    assert "codes aren&#x27;t asked for" in html or "codes aren't asked for" in html


def test_it_warns_when_the_text_will_print_too_small(as_user, petition):
    client = as_user("owner")
    page = urls(petition)["page"]
    assert "The text is long" not in client.get(page).content.decode()
    Petition.objects.filter(pk=petition.pk).update(body="We ask for a human decision. " * 100)
    html = client.get(page).content.decode()
    assert "The text is long (2900 characters)" in html and "up to about 1200 characters" in html
