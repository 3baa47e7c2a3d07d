"""Nothing typed is lost when a form is refused before any form saw it: a session that
ended while the organizer wrote, or a participant's form whose CSRF token expired."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from concerted.petitions.models import Petition

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}  # what a browser sends with a form from our own page
BODY = "Three paragraphs about the keystroke tracker, written over forty minutes."


def test_it_shows_back_what_an_organizer_wrote_when_the_session_had_ended(as_user, campaign):
    client = as_user("owner")
    page = client.get(reverse("petitions:new", args=[campaign.pk]))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    Session.objects.all().delete()  # 30 minutes without a page: the server forgot the session
    url = reverse("petitions:new", args=[campaign.pk])
    sent = {"title": "Stop the tracker", "body": BODY, "addressee": "Acme", "password": "x"}
    response = client.post(url, sent, headers=SAME_ORIGIN)
    html = response.content.decode()
    assert response.status_code == 403
    assert "You were signed out" in html and BODY in html and "Stop the tracker" in html
    assert "readonly" in html and "password" not in html.split("<main", 1)[1]
    assert token == "" or token not in html
    assert f"?next={url}" in html  # sign in again, then back to the same form
    assert not Petition.objects.filter(title="Stop the tracker").exists()


def test_a_browser_that_lost_its_session_cookie_gets_the_words_back_too(campaign):
    """A browser restarted with its tabs restored has dropped the session cookie: the
    form from our own page still reaches us with what was typed."""
    url = reverse("petitions:new", args=[campaign.pk])
    response = Client().post(url, {"title": "Stop the tracker", "body": BODY}, headers=SAME_ORIGIN)
    assert response.status_code == 403
    assert "You were signed out" in response.content.decode() and BODY in response.content.decode()


def test_a_signed_in_post_a_get_and_a_stranger_are_untouched(as_user, campaign):
    url = reverse("petitions:new", args=[campaign.pk])
    assert as_user("anonymous").get(url).status_code == 302
    stranger = as_user("anonymous").post(url, {"title": "Stop the tracker", "body": BODY})
    assert stranger.status_code == 302 and "/accounts/login/" in stranger["Location"]
    created = as_user("owner").post(url, {"title": "Stop the tracker", "body": BODY, "addressee": "Acme"})
    assert created.status_code == 302 and Petition.objects.filter(title="Stop the tracker").exists()


def test_a_participant_whose_form_expired_gets_their_words_back(petition):
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:sign", args=[petition.slug])
    sent = {"name": "Ada Walker", "comment": "Please count me in", "csrfmiddlewaretoken": "stale"}
    response = client.post(url, sent, headers=SAME_ORIGIN)
    html = response.content.decode()
    assert response.status_code == 403 and "Please reload the page" in html
    assert "Ada Walker" in html and "Please count me in" in html and "stale" not in html


def test_words_posted_from_another_site_are_not_shown_back(petition):
    """Another site can post to our forms (the CSRF check refuses it): what it sent must
    not appear on our address as the visitor's own words."""
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:sign", args=[petition.slug])
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}):
        response = client.post(url, {"name": "Call 555-0100 to confirm"}, headers=headers)
        assert response.status_code == 403 and "555-0100" not in response.content.decode()
