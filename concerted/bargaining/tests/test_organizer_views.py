"""Every organizer view: owner and co-organizer succeed; an organizer of another
campaign and an anonymous visitor get nothing; a wrong method gets 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.bargaining import filing
from concerted.bargaining.models import Demand, Kit
from concerted.core.reveal import open_export

pytestmark = pytest.mark.django_db

ORGANIZERS = ["owner", "teammate"]
STRANGERS = ["outsider", "anonymous"]


def get_urls(kit, demand):
    return [
        reverse("bargaining:dashboard", args=[kit.pk]),
        reverse("bargaining:library", args=[kit.pk]),
        reverse("bargaining:demand_new", args=[kit.pk]),
        reverse("bargaining:demand_edit", args=[demand.pk]),
        reverse("bargaining:results", args=[kit.pk]),
        reverse("bargaining:brief_page", args=[kit.pk]),
        reverse("bargaining:brief_page", args=[kit.pk]) + "?picked=1&item=inventory:pressure",
        reverse("bargaining:brief", args=[kit.pk]) + "?picked=1&item=inventory:pressure",
        reverse("bargaining:proposals_export", args=[kit.pk]),
    ]


def post_urls(kit, demand, other):
    return [
        (reverse("bargaining:settings", args=[kit.pk]), {"reports_open": "off"}),
        (reverse("bargaining:demand_new", args=[kit.pk]), {"title": "Hijack", "text": "x", "status": "ballot"}),
        (reverse("bargaining:demand_edit", args=[demand.pk]), {"title": "Hijack", "text": "x", "status": "draft"}),
        (reverse("bargaining:demand_merge", args=[demand.pk]), {"into": str(other.pk)}),
    ]


@pytest.mark.parametrize("who", ORGANIZERS)
def test_it_serves_organizer_pages_to_organizers(as_user, kit, demands, who):
    client = as_user(who)
    for url in get_urls(kit, demands[0]):
        assert client.get(url).status_code == 200, url
    response = client.get(reverse("bargaining:start", args=[kit.campaign_id]))
    assert response.status_code == 302 and response["Location"] == reverse("bargaining:dashboard", args=[kit.pk])


@pytest.mark.parametrize("who", ORGANIZERS)
def test_organizers_can_change_things(as_user, kit, demands, who):
    client = as_user(who)
    a, b, _c = demands
    response = client.post(reverse("bargaining:settings", args=[kit.pk]), {"reports_open": "on"})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.reports_open and not kit.proposals_open and not kit.voting_open
    response = client.post(
        reverse("bargaining:demand_new", args=[kit.pk]),
        {"title": "Delete the recordings", "text": "Delete them.", "status": "ballot", "clause_keys": ["gdpr-art-22"]},
    )
    assert response.status_code == 302
    assert Demand.objects.get(title="Delete the recordings").clause_keys == ["gdpr-art-22"]
    response = client.post(reverse("bargaining:demand_merge", args=[b.pk]), {"into": str(a.pk)})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a


def test_the_new_kit_is_made_once_per_campaign(as_user, campaign):
    client = as_user("owner")
    looked = client.get(reverse("bargaining:start", args=[campaign.pk]))
    assert looked.status_code == 200 and "Start the bargaining kit" in looked.content.decode()
    assert not Kit.objects.filter(campaign=campaign).exists()  # visiting creates nothing
    first = client.post(reverse("bargaining:start", args=[campaign.pk]))
    second = client.post(reverse("bargaining:start", args=[campaign.pk]))
    assert first["Location"] == second["Location"]
    assert client.get(reverse("bargaining:start", args=[campaign.pk]))["Location"] == first["Location"]
    assert Kit.objects.filter(campaign=campaign).count() == 1


def test_the_library_template_prefills_the_human_decision_demand(as_user, kit):
    html = as_user("owner").get(reverse("bargaining:demand_new", args=[kit.pk]) + "?clause=human-final-decision")
    text = html.content.decode()
    assert "A human makes the final decision" in text
    assert 'value="gdpr-art-22" id' in text and "checked" in text


def test_bad_demand_input_is_a_400_with_the_text_kept(as_user, kit):
    response = as_user("owner").post(
        reverse("bargaining:demand_new", args=[kit.pk]), {"title": "", "text": "Kept text", "status": "ballot"}
    )
    assert response.status_code == 400
    assert "Kept text" in response.content.decode()


def test_opening_reports_needs_the_public_key(as_user, kit):
    kit.reports_open = False
    kit.save()
    kit.campaign.public_key = ""
    kit.campaign.save()
    response = as_user("owner").post(reverse("bargaining:settings", args=[kit.pk]), {"reports_open": "on"})
    assert response.status_code == 400  # the dashboard again, with the reason and the switches as ticked
    assert "Add the committee public key first" in response.content.decode()
    kit.refresh_from_db()
    assert not kit.reports_open


@pytest.mark.parametrize("who", STRANGERS)
def test_it_gives_strangers_nothing(as_user, kit, demands, who):
    client = as_user(who)
    a, b, _c = demands
    for url in [*get_urls(kit, a), reverse("bargaining:reports_export", args=[kit.pk])]:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, url
        assert a.title.encode() not in response.content
    response = client.get(reverse("bargaining:start", args=[kit.campaign_id]))
    assert response.status_code in (302, 404)
    for url, data in post_urls(kit, a, b):
        response = client.post(url, data)
        assert response.status_code in (302, 404), url
        if who == "anonymous":
            assert "/accounts/login/" in response["Location"]
    kit.refresh_from_db()
    a.refresh_from_db()
    assert kit.reports_open and a.title == "Human decides" and a.merged_into is None
    assert not Demand.objects.filter(title="Hijack").exists()
    from concerted.invites.models import InviteBatch

    assert not InviteBatch.objects.exists()


def test_wrong_methods_get_405(as_user, kit, demands):
    client = as_user("owner")
    for url in [
        reverse("bargaining:dashboard", args=[kit.pk]),
        reverse("bargaining:results", args=[kit.pk]),
        reverse("bargaining:brief", args=[kit.pk]),
        reverse("bargaining:brief_page", args=[kit.pk]),
        reverse("bargaining:library", args=[kit.pk]),
        reverse("bargaining:reports_export", args=[kit.pk]),
        reverse("bargaining:proposals_export", args=[kit.pk]),
    ]:
        assert client.post(url).status_code == 405, url
    for url in [
        reverse("bargaining:settings", args=[kit.pk]),
        reverse("bargaining:demand_merge", args=[demands[0].pk]),
    ]:
        assert client.get(url).status_code == 405, url
    assert client.put(reverse("bargaining:demand_edit", args=[demands[0].pk])).status_code == 405


def test_free_text_export_waits_for_ten_reports(as_user, kit, private_key):
    client = as_user("owner")
    url = reverse("bargaining:reports_export", args=[kit.pk])
    for _ in range(9):
        filing.file_surveillance(kit, {"tool": 1}, {"type": "surveillance", "tool_other": "", "details": "n"})
    assert client.get(url).status_code == 409
    filing.file_pressure(kit, {"pressure": 2}, {"type": "pressure", "details": "m"})
    response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "bargaining.report" and len(data["records"]) == 10
    # Each report's type is sealed with its day (core/export.py), not in the clear.
    assert all(set(r) == {"id", "sealed"} for r in data["records"]) and data["columns"]
    assert {r["type"] for r in open_export(data, private_key).rows} == {"surveillance", "pressure"}


def test_the_campaign_page_offers_and_lists_the_kit(as_user, campaign):
    client = as_user("owner")
    html = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("bargaining:start", args=[campaign.pk]) in html
    kit = Kit.objects.create(campaign=campaign)
    html = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("bargaining:dashboard", args=[kit.pk]) in html


def test_a_refused_settings_change_keeps_the_other_switches(as_user, kit):
    """Forms keep what was typed: opening the ballot with no demand is refused, and the
    reports/proposals switches ticked in the same submit stay ticked on the page."""
    Kit.objects.filter(pk=kit.pk).update(reports_open=False, proposals_open=False, voting_open=False)
    response = as_user("owner").post(
        reverse("bargaining:settings", args=[kit.pk]),
        {"reports_open": "on", "proposals_open": "on", "voting_open": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Put at least one demand on the ballot" in html
    assert 'name="reports_open" checked' in html and 'name="proposals_open" checked' in html
    kit.refresh_from_db()
    assert not kit.reports_open and not kit.proposals_open  # nothing saved


def test_a_demand_from_the_library_gets_a_short_title_of_its_own(as_user, kit):
    html = (
        as_user("owner").get(reverse("bargaining:demand_new", args=[kit.pk]) + "?clause=gdpr-art-22").content.decode()
    )
    assert 'value="No decision about us by automated means alone"' in html
    assert "GDPR, Article 22" not in html.split('name="title"')[1].split(">")[0]
