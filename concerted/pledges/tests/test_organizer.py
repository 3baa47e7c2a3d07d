"""Organizer pages: every view as owner, teammate, outsider and anonymous; confirming;
the sealed export locked until the threshold is reached and confirmed."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from concerted.accounts.models import ExportToken
from concerted.pledges.models import Commitment, Pledge

from .conftest import move_deadline, setup_data

pytestmark = pytest.mark.django_db

ORGANIZERS = ["owner", "teammate"]
NOBODY = ["outsider", "anonymous"]


def nothing_for(response, who: str) -> None:
    if who == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


# --- GET views -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_new_pledge_page(as_user, campaign, who):
    response = as_user(who).get(reverse("pledges:new", args=[campaign.pk]))
    if who in NOBODY:
        return nothing_for(response, who)
    assert response.status_code == 200
    assert "New pledge" in response.content.decode()


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_dashboard(as_user, pledge, add_pledges, who):
    add_pledges(pledge, 3)
    response = as_user(who).get(reverse("pledges:dashboard", args=[pledge.pk]))
    if who in NOBODY:
        return nothing_for(response, who)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="big">3 / 5</p>' in html
    assert "Confirm the pledge" not in html


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_edit_a_draft(as_user, make_pledge, who):
    draft = make_pledge(status="draft")
    response = as_user(who).get(reverse("pledges:edit", args=[draft.pk]))
    if who in NOBODY:
        return nothing_for(response, who)
    assert response.status_code == 200


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_preview(as_user, make_pledge, who):
    draft = make_pledge(status="draft")
    response = as_user(who).get(reverse("pledges:preview", args=[draft.pk]))
    if who in NOBODY:
        return nothing_for(response, who)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pledging is disabled here" in html
    assert "disabled>" in html


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_export_once_active(as_user, pledge, add_pledges, who):
    add_pledges(pledge, 5)
    assert pledge.confirm(pledge.count())
    response = as_user(who).get(reverse("pledges:export", args=[pledge.pk]))
    if who in NOBODY:
        return nothing_for(response, who)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["kind"] == "pledges.pledge"
    assert data["parent_field"] == "pledge"
    assert data["parent"]["status"] == "active"
    assert len(data["records"]) == 5


# --- POST views ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_create(as_user, campaign, who):
    response = as_user(who).post(reverse("pledges:new", args=[campaign.pk]), setup_data())
    if who in NOBODY:
        nothing_for(response, who)
        assert not Pledge.objects.exists()
        return
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pledges:dashboard", args=[pledge.pk])
    assert pledge.status == Pledge.Status.DRAFT
    assert pledge.campaign == campaign


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_save_a_draft(as_user, make_pledge, who):
    draft = make_pledge(status="draft")
    response = as_user(who).post(reverse("pledges:edit", args=[draft.pk]), setup_data(title="New title"))
    draft.refresh_from_db()
    if who in NOBODY:
        nothing_for(response, who)
        assert draft.title == "Refuse the tracker"
        return
    assert response.status_code == 302
    assert draft.title == "New title"


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_open(as_user, make_pledge, who):
    draft = make_pledge(status="draft")
    response = as_user(who).post(reverse("pledges:open", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Pledge.Status.DRAFT
    if who in NOBODY:
        nothing_for(response, who)
        return
    # Opening fixes the terms for good: it asks once, with the phone preview at hand.
    html = response.content.decode()
    assert response.status_code == 200 and "Open this pledge?" in html
    assert reverse("pledges:preview", args=[draft.pk]) in html
    response = as_user(who).post(reverse("pledges:open", args=[draft.pk]), {"confirm": "yes"})
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Pledge.Status.OPEN
    assert draft.threshold_fixed == 5


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_confirm(as_user, pledge, add_pledges, who):
    add_pledges(pledge, 5)
    response = as_user(who).post(reverse("pledges:confirm", args=[pledge.pk]), {"confirm": "yes", "people": "5"})
    pledge.refresh_from_db()
    if who in NOBODY:
        nothing_for(response, who)
        assert pledge.status == Pledge.Status.OPEN
        return
    assert response.status_code == 302
    assert pledge.status == Pledge.Status.ACTIVE


@pytest.mark.parametrize("who", ORGANIZERS + NOBODY)
def test_call_off(as_user, pledge, add_pledges, who):
    add_pledges(pledge, 2)
    response = as_user(who).post(reverse("pledges:call_off", args=[pledge.pk]), {"confirm": "yes"})
    pledge.refresh_from_db()
    if who in NOBODY:
        nothing_for(response, who)
        assert Commitment.objects.count() == 2
        return
    assert response.status_code == 302
    assert pledge.status == Pledge.Status.LAPSED
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("dashboard", "post"),
        ("preview", "post"),
        ("export", "post"),
        ("open", "get"),
        ("confirm", "get"),
        ("call_off", "get"),
        ("edit", "put"),
    ],
)
def test_wrong_method(as_user, pledge, name, method):
    response = getattr(as_user("owner"), method)(reverse(f"pledges:{name}", args=[pledge.pk]))
    assert response.status_code == 405


def test_wrong_method_on_new(as_user, campaign):
    assert as_user("owner").delete(reverse("pledges:new", args=[campaign.pk])).status_code == 405


# --- Rules -----------------------------------------------------------------------------


def test_both_paths_through_the_dashboard(as_user, make_pledge, add_pledges):
    """reached → confirmed → active, and lapsed → rows gone, as an organizer sees them."""
    client = as_user("teammate")
    reached = make_pledge(title="Walk out")
    add_pledges(reached, 5)
    html = client.get(reverse("pledges:dashboard", args=[reached.pk])).content.decode()
    assert "Enough submissions: count the different people, then confirm" in html
    assert "Nothing has been sent or published." in html
    # Without the tick box nothing happens.
    client.post(reverse("pledges:confirm", args=[reached.pk]))
    reached.refresh_from_db()
    assert reached.status == Pledge.Status.OPEN
    # Without the committee's count of different people nothing happens either.
    response = client.post(reverse("pledges:confirm", args=[reached.pk]), {"confirm": "yes"}, follow=True)
    assert "Enter how many different people pledged" in response.content.decode()
    reached.refresh_from_db()
    assert reached.status == Pledge.Status.OPEN
    response = client.post(
        reverse("pledges:confirm", args=[reached.pk]), {"confirm": "yes", "people": "5"}, follow=True
    )
    assert "Confirmed: the pledge is active. Nothing has been sent." in response.content.decode()
    assert "concerted reveal --server URL --token TOKEN --pledge" in response.content.decode()

    lapsing = make_pledge(title="Refuse")
    add_pledges(lapsing, 4)
    move_deadline(lapsing, -1)
    html = client.get(reverse("pledges:dashboard", args=[lapsing.pk])).content.decode()
    assert "every sealed pledge was destroyed. Nobody was exposed." in html
    assert Commitment.objects.filter(pledge=lapsing).count() == 0
    assert Commitment.objects.filter(pledge=reached).count() == 5


def test_it_confirms_only_on_the_committees_count_of_different_people(as_user, pledge, add_pledges):
    """Seven submissions, but the committee's machine found only four different people:
    the threshold of five is not met, whatever the server counted."""
    add_pledges(pledge, 7)
    client = as_user("owner")
    response = client.post(reverse("pledges:confirm", args=[pledge.pk]), {"confirm": "yes", "people": "4"}, follow=True)
    assert "4 different people is below the threshold of 5" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN and pledge.confirmed_count is None
    # More people than submissions is not a count: refused too.
    assert not pledge.confirm(8)
    client.post(reverse("pledges:confirm", args=[pledge.pk]), {"confirm": "yes", "people": "6"})
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.confirmed_count == 6


def test_confirming_below_the_threshold_is_refused(as_user, pledge, add_pledges):
    add_pledges(pledge, 4)
    response = as_user("owner").post(
        reverse("pledges:confirm", args=[pledge.pk]), {"confirm": "yes", "people": "4"}, follow=True
    )
    assert "4 different people is below the threshold of 5" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_a_reached_pledge_exports_for_counting_only(as_user, pledge, add_pledges):
    """Enough submissions: the committee opens them to count different people; the
    export says so, and concerted reveal writes no names from it."""
    add_pledges(pledge, 5)
    response = as_user("owner").get(reverse("pledges:export", args=[pledge.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["parent"]["count_only"] is True and len(data["records"]) == 5


@pytest.mark.parametrize("pledged", [0, 4])
def test_the_export_stays_locked_until_confirmed(as_user, pledge, add_pledges, owner, pledged):
    add_pledges(pledge, pledged)
    response = as_user("owner").get(reverse("pledges:export", args=[pledge.pk]))
    assert response.status_code == 403
    assert "only after the threshold is reached and an organizer confirms" in response.content.decode()
    _token, raw = ExportToken.issue(owner, "laptop")
    response = as_user("anonymous").get(reverse("pledges:export", args=[pledge.pk]), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


def test_a_lapsed_pledge_exports_nothing(as_user, pledge, add_pledges):
    add_pledges(pledge, 5)
    pledge.call_off()
    assert as_user("owner").get(reverse("pledges:export", args=[pledge.pk])).status_code == 403


def test_the_terms_are_fixed_once_open(as_user, pledge):
    response = as_user("owner").post(reverse("pledges:edit", args=[pledge.pk]), setup_data(threshold_count="1"))
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.threshold() == 5
    assert as_user("owner").post(reverse("pledges:open", args=[pledge.pk]), {"confirm": "yes"}).status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_it_wont_open_without_a_key(as_user, make_pledge, campaign):
    draft = make_pledge(status="draft")
    campaign.public_key = ""
    campaign.save()
    response = as_user("owner").post(reverse("pledges:open", args=[draft.pk]), follow=True)
    assert "Add the committee public key" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Pledge.Status.DRAFT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"threshold_count": ""}, "Give a threshold"),
        ({"threshold_percent": "40"}, "not both"),
        ({"threshold_count": "", "threshold_percent": "140"}, "between 1 and 100"),
        ({"threshold_count": "0"}, "at least 5 people"),
        ({"threshold_count": "-3"}, "greater than or equal to 0"),
        ({"deadline": "2001-01-01"}, "The deadline is in the past"),
        ({"deadline": "3001-01-01"}, "within a year"),
        ({"deadline": "not a date"}, "Enter a valid date"),
        ({"title": ""}, "This field is required"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"promise": "y" * 501}, "at most 500 characters"),
    ],
)
def test_setup_form_explains_bad_input(as_user, campaign, overrides, message):
    response = as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), setup_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Pledge.objects.exists()


def test_a_percentage_needs_a_unit_size(as_user, campaign):
    campaign.unit_size = None
    campaign.save()
    data = setup_data(threshold_count="", threshold_percent="40")
    response = as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), data)
    assert response.status_code == 400
    assert "no unit size yet" in response.content.decode()


def test_the_campaign_page_lists_pledges_and_offers_to_start_one(as_user, campaign, pledge, add_pledges):
    add_pledges(pledge, 2)
    html = as_user("teammate").get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("pledges:dashboard", args=[pledge.pk]) in html
    assert "Start a pledge" in html
    assert reverse("pledges:new", args=[campaign.pk]) in html


# --- confirming from `concerted reveal --confirm` (confirm.json) -----------------------------


def confirm_json(client, pledge, token: str | None, body: object, method: str = "post"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    url = reverse("pledges:confirm_json", args=[pledge.pk])
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("who", [*ORGANIZERS, "outsider"])
def test_confirm_json_confirms_on_the_reported_count(client, django_user_model, pledge, add_pledges, who):
    add_pledges(pledge, 7)
    _obj, token = ExportToken.issue(django_user_model.objects.get(username=who), "laptop")
    response = confirm_json(client, pledge, token, {"people": 6, "records": 7})
    pledge.refresh_from_db()
    if who == "outsider":
        assert response.status_code == 404 and pledge.status == Pledge.Status.OPEN
        return
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active" and response.json()["confirmed_count"] == 6
    assert pledge.status == Pledge.Status.ACTIVE and pledge.confirmed_count == 6


def test_confirm_json_wants_post(client, owner, pledge, add_pledges):
    add_pledges(pledge, 5)
    _obj, token = ExportToken.issue(owner, "laptop")
    assert confirm_json(client, pledge, token, None, method="get").status_code == 405


def test_confirm_json_takes_no_session_cookie(as_user, pledge, add_pledges):
    """csrf_exempt, so only the token header may authenticate: another site can make a
    signed-in browser send its cookie, never the header."""
    add_pledges(pledge, 5)
    response = confirm_json(as_user("owner"), pledge, None, {"people": 5, "records": 5})
    assert response.status_code == 401
    assert confirm_json(as_user("owner"), pledge, "cxt_wrong", {"people": 5, "records": 5}).status_code == 401
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_confirm_json_keeps_the_forms_rules(client, owner, pledge, add_pledges):
    add_pledges(pledge, 7)
    _obj, token = ExportToken.issue(owner, "laptop")
    below = confirm_json(client, pledge, token, {"people": 4, "records": 7})
    assert below.status_code == 409 and "4 different people is below the threshold of 5" in below.content.decode()
    assert confirm_json(client, pledge, token, {"people": 8, "records": 7}).status_code == 409  # more than submitted
    stale = confirm_json(client, pledge, token, {"people": 5, "records": 6})
    assert stale.status_code == 409 and "Run concerted reveal again" in stale.content.decode()
    for body in ("nonsense", {"people": "5", "records": 7}, {"people": 5}, {"people": -1, "records": 7}, [5, 7]):
        assert confirm_json(client, pledge, token, body).status_code == 400, body
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN and pledge.confirmed_count is None


def test_confirm_json_needs_the_organizer_role(client, owner, teammate, campaign, pledge, add_pledges):
    from concerted.campaigns.models import Membership

    add_pledges(pledge, 5)
    Membership.objects.filter(campaign=campaign, user=teammate).update(role="read-only")
    _obj, token = ExportToken.issue(teammate, "laptop")
    assert confirm_json(client, pledge, token, {"people": 5, "records": 5}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN
