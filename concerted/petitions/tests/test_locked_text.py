"""What people signed stays what they signed.

Once a petition has been open (or has any signature), its title, text, addressee, the
group it asks for and who may sign are fixed, and it never goes back to draft: the
public page, every receipt and the deliverable PDF print the text above the names of
the people who signed it. The goal is the committee's progress target, not the demand,
so it can still change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.petitions.models import Petition
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db

ORGANIZERS = ["owner", "teammate"]
FIXED = "people signed it as it is. Nothing was saved."
LOCKED_NOTE = "This petition has been open for signatures, so what people sign is fixed"


def _edit(petition):
    return reverse("petitions:edit", args=[petition.pk])


def _status(petition):
    return reverse("petitions:status", args=[petition.pk])


def _rewrite(petition):
    return {
        "title": "Something else entirely",
        "body": "We now ask for the opposite.",
        "addressee": "Nobody",
        "goal_count": 10,
        "segment_kind": "",
        "requires_invite": "on",
    }


def _draft(campaign):
    return Petition.objects.create(campaign=campaign, title="Draft ask", body="First words.", addressee="Acme")


def test_a_draft_without_signatures_is_not_locked(campaign):
    petition = _draft(campaign)
    assert not petition.content_locked()
    assert not Petition(campaign=campaign, title="x", body="y", addressee="z").content_locked()


@pytest.mark.parametrize("status", ["open", "closed"])
def test_it_is_locked_once_open_or_closed(campaign, status):
    petition = _draft(campaign)
    petition.status = status
    petition.save()
    assert petition.content_locked()


def test_a_signature_locks_even_a_draft(campaign):
    """A draft that somehow holds a signature (one made before these rules) is locked too."""
    petition = _draft(campaign)
    petition.status = Petition.Status.OPEN
    petition.save()
    sign(petition, {"name": "Ana"})
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.DRAFT)
    petition.refresh_from_db()
    assert petition.content_locked()


@pytest.mark.parametrize("who", ORGANIZERS)
def test_it_refuses_to_rewrite_an_open_petition_with_signatures(as_user, petition, who):
    sign(petition, {"name": "Ana", "segment": petition.segments().first().pk})
    before = Petition.objects.values().get(pk=petition.pk)
    response = as_user(who).post(_edit(petition), _rewrite(petition))
    assert response.status_code == 400
    html = response.content.decode()
    assert FIXED in html
    assert LOCKED_NOTE in html
    assert "Petition saved." not in html
    assert Petition.objects.values().get(pk=petition.pk) == before
    # The public page still shows the text people signed.
    page = as_user("anonymous").get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "End keystroke tracking" in page and "Something else entirely" not in page


@pytest.mark.parametrize("field", Petition.SIGNED_FIELDS)
def test_it_refuses_each_fixed_field_on_its_own(as_user, petition, field):
    before = Petition.objects.values().get(pk=petition.pk)
    response = as_user("owner").post(_edit(petition), {field: _rewrite(petition)[field], "goal_count": 10})
    assert response.status_code == 400
    assert FIXED in response.content.decode()
    assert Petition.objects.values().get(pk=petition.pk) == before


def test_the_edit_page_of_an_open_petition_offers_only_the_goal(as_user, petition):
    response = as_user("owner").get(_edit(petition))
    assert response.status_code == 200
    html = response.content.decode()
    assert LOCKED_NOTE in html
    assert "What people sign" in html and "Switch the tracker off." in html
    for name in Petition.SIGNED_FIELDS:
        assert f'name="{name}"' not in html
    assert 'name="goal_count"' in html and 'name="goal_percent"' in html
    assert 'name="preview"' not in html
    # The other-language versions are shown but not offered for editing.
    assert "/o/translations/" not in html
    assert "Other languages" in html
    dashboard = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "Change the goal" in dashboard


def test_the_goal_can_still_change(as_user, petition):
    sign(petition, {"name": "Ana"})
    response = as_user("teammate").post(_edit(petition), {"goal_count": 40, "goal_percent": ""})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.goal() == 40
    assert petition.title == "End keystroke tracking"


def test_a_stranger_still_gets_nothing(as_user, petition):
    assert as_user("outsider").post(_edit(petition), {"goal_count": 99}).status_code == 404
    petition.refresh_from_db()
    assert petition.goal_count == 10


def test_a_draft_is_still_edited_in_full(as_user, campaign):
    petition = _draft(campaign)
    html = as_user("owner").get(_edit(petition)).content.decode()
    assert 'name="title"' in html and 'name="preview"' in html and LOCKED_NOTE not in html
    assert "/o/translations/" in html
    response = as_user("owner").post(_edit(petition), {**_rewrite(petition), "requires_invite": ""})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.title == "Something else entirely"


def test_a_preview_of_an_open_petition_shows_nothing_new(as_user, petition):
    response = as_user("owner").post(_edit(petition), {"body": "**Rewritten**", "preview": "1"})
    html = response.content.decode()
    assert "<strong>Rewritten</strong>" not in html
    petition.refresh_from_db()
    assert petition.body == "Switch the tracker off."


@pytest.mark.parametrize("who", ORGANIZERS)
def test_an_open_petition_with_signatures_never_goes_back_to_draft(as_user, petition, who):
    sign(petition, {"name": "Ana"})
    client = as_user(who)
    response = client.post(_status(petition), {"status": "draft"}, follow=True)
    assert "open for signatures can&#x27;t go back to draft" in response.content.decode()
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN
    assert as_user("anonymous").get(reverse("petitions:sign", args=[petition.slug])).status_code == 200


@pytest.mark.parametrize("status", ["open", "closed"])
def test_a_petition_that_has_been_open_never_goes_back_to_draft(as_user, petition, status):
    """Even without signatures: its page may be on flyers, and someone may be signing."""
    Petition.objects.filter(pk=petition.pk).update(status=status)
    as_user("owner").post(_status(petition), {"status": "draft"})
    petition.refresh_from_db()
    assert petition.status == status


def test_it_still_closes_and_reopens(as_user, petition):
    sign(petition, {"name": "Ana"})
    client = as_user("owner")
    client.post(_status(petition), {"status": "closed"})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED
    client.post(_status(petition), {"status": "open"})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN


def test_the_sealed_export_keeps_the_signed_text(as_user, petition):
    """What `concerted reveal` prints above the names comes from the export's parent."""
    sign(petition, {"name": "Ana"})
    as_user("owner").post(_edit(petition), _rewrite(petition))
    parent = as_user("owner").get(reverse("petitions:export", args=[petition.pk])).json()["parent"]
    assert (parent["title"], parent["body"], parent["addressee"]) == (
        "End keystroke tracking",
        "Switch the tracker off.",
        "Acme management",
    )
