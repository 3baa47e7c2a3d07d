"""Every organizer view: the owner and a co-organizer succeed; an organizer of another
campaign and an anonymous visitor get nothing; a wrong method gets 405."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from concerted.accounts.models import ExportToken
from concerted.core import releases
from concerted.petitions.models import Petition
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db

ORGANIZERS = ["owner", "teammate"]
STRANGERS = ["outsider", "anonymous"]


def get_urls(petition):
    return [
        reverse("petitions:dashboard", args=[petition.pk]),
        reverse("petitions:edit", args=[petition.pk]),
        reverse("petitions:preview", args=[petition.pk]),
        reverse("petitions:export", args=[petition.pk]),
        reverse("petitions:signers", args=[petition.pk]),
        reverse("petitions:new", args=[petition.campaign_id]),
    ]


@pytest.mark.parametrize("who", ORGANIZERS)
def test_it_serves_organizer_pages_to_organizers(as_user, petition, who):
    client = as_user(who)
    for url in get_urls(petition):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", STRANGERS)
def test_it_gives_strangers_nothing(as_user, petition, who):
    client = as_user(who)
    for url in get_urls(petition):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, url
        assert petition.title.encode() not in response.content
    response = client.post(reverse("petitions:status", args=[petition.pk]), {"status": "closed"})
    assert response.status_code in (302, 404)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN
    response = client.post(reverse("petitions:edit", args=[petition.pk]), {"title": "Hijacked"})
    petition.refresh_from_db()
    assert petition.title != "Hijacked"


def test_wrong_methods_get_405(as_user, petition):
    client = as_user("owner")
    assert client.post(reverse("petitions:dashboard", args=[petition.pk])).status_code == 405
    assert client.get(reverse("petitions:status", args=[petition.pk])).status_code == 405
    assert client.post(reverse("petitions:export", args=[petition.pk])).status_code == 405


@pytest.mark.parametrize("who", ORGANIZERS)
def test_organizers_create_edit_and_open_a_petition(as_user, campaign, who):
    client = as_user(who)
    response = client.post(
        reverse("petitions:new", args=[campaign.pk]),
        {"title": "Stop the leaderboard", "body": "No token-count rankings.", "addressee": "Acme", "goal_percent": 30},
    )
    assert response.status_code == 302
    petition = Petition.objects.get(title="Stop the leaderboard")
    assert petition.status == Petition.Status.DRAFT
    assert petition.goal() == 30  # 30% of a unit of 100
    # Opening fixes the text for good, so it asks once, with the phone preview at hand.
    response = client.post(reverse("petitions:status", args=[petition.pk]), {"status": "open"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open this petition for signatures?" in html
    assert reverse("petitions:preview", args=[petition.pk]) in html
    assert 'name="status" value="open"' in html and 'name="confirm" value="yes"' in html
    petition.refresh_from_db()
    assert petition.status == Petition.Status.DRAFT
    response = client.post(reverse("petitions:status", args=[petition.pk]), {"status": "open", "confirm": "yes"})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN


def test_it_explains_bad_petition_input(as_user, campaign):
    response = as_user("owner").post(
        reverse("petitions:new", args=[campaign.pk]), {"title": "", "body": "x", "addressee": "", "goal_percent": 250}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html
    assert "between 1 and 100 percent" in html


def test_a_text_too_long_is_kept_whole_with_a_message_never_cut_by_the_browser(as_user, campaign):
    """A maxlength on a text area makes the browser cut a pasted text silently."""
    client = as_user("owner")
    page = client.get(reverse("petitions:new", args=[campaign.pk])).content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page)
    assert textarea and "maxlength" not in textarea.group(0)
    long_text = "We ask for a human decision. " * 700  # 20,300 characters
    response = client.post(
        reverse("petitions:new", args=[campaign.pk]), {"title": "Long", "body": long_text, "addressee": "Acme"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 10000 characters" in html
    assert long_text.strip() in html  # all of it is still in the form


def test_it_refuses_to_open_without_a_key(as_user, petition):
    campaign = petition.campaign
    campaign.public_key = ""
    campaign.save()
    petition.status = Petition.Status.DRAFT
    petition.save()
    as_user("owner").post(reverse("petitions:status", args=[petition.pk]), {"status": "open", "confirm": "yes"})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.DRAFT


def test_the_dashboard_hides_small_groups(as_user, petition):
    support = petition.segments().get(label="Support")
    platform = petition.segments().get(label="Platform")
    for i in range(7):
        sign(petition, {"name": f"P{i}", "segment": platform.pk})
    for i in range(2):
        sign(petition, {"name": f"S{i}", "segment": support.pk})
    for i in range(6):
        sign(petition, {"name": f"N{i}"})
    releases.release_baseline(petition)
    html = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "<td>Support</td><td><span" in html  # hidden
    assert "15" in html
    cells = {c.label: c.count for c in releases.status(petition).breakdown}
    assert cells["Support"] is None
    assert cells["Data"] is None  # empty, and hidden like a small group
    assert sum(1 for v in cells.values() if v is None) >= 2


def test_export_with_token_and_without(petition, owner, outsider, client):
    _obj, token = ExportToken.issue(owner, "laptop")
    url = reverse("petitions:export", args=[petition.pk])
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["format"] == "concerted-export/3"
    assert data["parent"]["id"] == str(petition.pk)
    assert client.get(url, HTTP_AUTHORIZATION="Bearer cxt_wrong").status_code == 401
    _obj, other_token = ExportToken.issue(outsider, "theirs")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 404


def test_the_dashboard_links_flyers_and_invite_codes(as_user, petition):
    html = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert reverse("flyers:pdf", args=["petition", petition.pk]) + "?paper=a4" in html
    assert reverse("flyers:page", args=["petition", petition.pk]) in html
