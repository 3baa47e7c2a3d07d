"""The release mechanism (concerted/core/releases.py): what counts as an action, when a
release happens, the organizer's "release now" and the campaign's schedule."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerted.core import releases
from concerted.core.models import Release
from concerted.petitions import signing
from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(hour: int, minute: int = 0, day: int = 2) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": at(9, 30)}
    monkeypatch.setattr(releases, "now", lambda: state["now"])
    return state


def sign(petition, n: int) -> list[str]:
    return [signing.sign(petition, {"name": f"Signer {i}"}).receipt_code for i in range(n)]


def released(petition) -> int:
    return releases.figures(petition)["total"]


def tick(clock, when: datetime.datetime) -> None:
    clock["now"] = when
    call_command("tick", verbosity=0)


def test_it_takes_the_baseline_before_the_first_action(petition, clock):
    sign(petition, 1)
    row = Release.objects.get(subject_id=petition.pk)
    assert row.figures["total"] == 0
    assert {count for _label, count in row.figures["groups"]} == {None}  # empty groups: hidden
    assert row.pending == 1


def test_it_counts_withdrawals_as_actions(petition, clock):
    sign(petition, 3)
    for signature in Signature.objects.all()[:2]:
        signing.withdraw(signature)
    assert releases.status(petition).pending == 5
    assert releases.status(petition).live == {"total": 1}
    tick(clock, at(11, 59))
    tick(clock, at(12, 1))
    assert released(petition) == 1  # three arrivals, two withdrawals: released together


def test_it_keeps_the_figures_when_fewer_than_five_acted(petition, clock):
    sign(petition, 4)
    tick(clock, at(11, 59))
    tick(clock, at(12, 1))
    assert released(petition) == 0
    assert releases.status(petition).pending == 4


def test_it_releases_only_at_the_first_tick_after_a_scheduled_time(petition, clock):
    tick(clock, at(11, 59))
    sign(petition, 4)
    tick(clock, at(12, 1))  # the 12:00 release: only 4 actions, so nothing
    sign(petition, 1)  # the 5th arrives at 12:30 ...
    tick(clock, at(12, 31))  # ... and no tick releases it before the next scheduled time
    tick(clock, at(15, 59))
    assert released(petition) == 0
    tick(clock, at(16, 0, 30))
    assert released(petition) == 5


def test_the_quick_tick_releases_and_does_nothing_else(petition, clock, monkeypatch):
    """Run every five minutes (deploy's concerted-release.timer) so a 16:30 release comes
    at 16:30; it must not run the hourly jobs or the table rewrite, which holds the write
    lock."""
    from concerted.core import records
    from concerted.core import tick as jobs

    petition.campaign.release_times = "16:30"
    petition.campaign.save()
    tick(clock, at(16, 0))
    sign(petition, 5)

    def not_now() -> None:
        raise AssertionError("the releases-only tick ran more than releases")

    monkeypatch.setattr(records, "scramble_all", not_now)
    monkeypatch.setattr(jobs, "jobs", not_now)
    clock["now"] = at(16, 31)
    call_command("tick", "--quick", verbosity=0)
    assert released(petition) == 5


def test_it_follows_the_campaign_schedule(petition, clock):
    petition.campaign.release_times = "10:15"
    petition.campaign.save()
    tick(clock, at(9, 0))
    sign(petition, 5)
    tick(clock, at(12, 1))
    assert released(petition) == 5  # 10:15 passed; 12:00 is not on this campaign's schedule
    assert releases.figures(petition).next_at == at(10, 15, day=3)


def test_organizers_see_exact_figures_marked_not_for_sharing(as_user, petition, clock):
    sign(petition, 3)
    html = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "(not for sharing)" in html
    assert "Actions since the last release" in html
    assert "Release new figures now" not in html  # 3 actions: too few to release early


def force_url(petition) -> str:
    return reverse("release_now", args=["petitions.petition", petition.pk])


def test_it_releases_now_when_five_acted(as_user, petition, clock):
    sign(petition, 5)
    dashboard = reverse("petitions:dashboard", args=[petition.pk])
    assert "Release new figures now" in as_user("owner").get(dashboard).content.decode()
    response = as_user("teammate").post(force_url(petition), {"next": dashboard}, follow=True)
    assert response.redirect_chain[-1][0] == dashboard
    assert "New figures are released" in response.content.decode()
    assert released(petition) == 5


def test_it_refuses_to_release_now_when_fewer_than_five_acted(as_user, petition, clock):
    sign(petition, 4)
    response = as_user("owner").post(force_url(petition), {"next": "/"}, follow=True)
    assert "Not released: fewer than 5 people have acted since the last release" in response.content.decode()
    assert released(petition) == 0
    assert releases.status(petition).pending == 4


def test_release_now_is_post_only(as_user, petition):
    assert as_user("owner").get(force_url(petition)).status_code == 405


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_release_now_is_for_the_campaigns_organizers(as_user, petition, clock, who):
    sign(petition, 5)
    response = as_user(who).post(force_url(petition))
    if who == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404
    assert released(petition) == 0


def test_release_now_ignores_an_offsite_next(as_user, petition, clock):
    sign(petition, 5)
    response = as_user("owner").post(force_url(petition), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_release_now_404s_for_an_unknown_kind(as_user, petition):
    assert as_user("owner").post(reverse("release_now", args=["nope.nope", petition.pk])).status_code == 404


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ("8 o'clock", "is not a time like 08:00"),
        ("25:00", "is not a time like 08:00"),
        (" ".join(f"{h:02d}:00" for h in range(13)), "At most 12 times a day"),
    ],
)
def test_the_campaign_form_explains_a_bad_schedule(as_user, campaign, times, message):
    data = {
        "name": campaign.name,
        "committee_name": campaign.committee_name,
        "employer_name": campaign.employer_name,
        "employer_domains": campaign.employer_domains,
        "unit_size": "100",
        "release_times": times,
    }
    response = as_user("owner").post(reverse("campaigns:edit", args=[campaign.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    if times:
        assert f'value="{times}"' in response.content.decode().replace("&#x27;", "'")  # kept as typed


def test_the_campaign_form_keeps_a_good_schedule(as_user, campaign):
    data = {
        "name": campaign.name,
        "committee_name": campaign.committee_name,
        "employer_name": "",
        "employer_domains": "",
        "unit_size": "100",
        "release_times": "18:30, 7:00",
    }
    assert as_user("owner").post(reverse("campaigns:edit", args=[campaign.pk]), data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.release_times == "07:00 18:30"


def test_the_public_page_says_when_figures_next_update(petition, clock):
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "Next possible update: 2 March, 12:00 UTC." in html


def test_the_demo_shows_released_figures(settings, tmp_path):
    import io

    from concerted.petitions.models import Petition

    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "public figures released" in out.getvalue()
    petition = Petition.objects.filter(status=Petition.Status.OPEN).first()
    total = Signature.objects.filter(petition=petition).count()
    assert total >= 5
    html = Client().get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert f"{total} signatures submitted (may include repeats)." in html


def test_the_bargaining_brief_prints_released_counts_only(petition, clock):
    from concerted.bargaining import brief
    from concerted.bargaining.models import Kit

    kit = Kit.objects.create(campaign=petition.campaign)
    sign(petition, 6)
    assert ("Petition", petition.title, "fewer than 5") in brief.campaign_counts(kit)
    assert releases.force(petition)
    assert ("Petition", petition.title, "6") in brief.campaign_counts(kit)


def test_an_empty_schedule_means_the_default(as_user, campaign):
    data = {"name": campaign.name, "committee_name": campaign.committee_name, "unit_size": "100", "release_times": ""}
    assert as_user("owner").post(reverse("campaigns:edit", args=[campaign.pk]), data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.release_times == releases.DEFAULT_TIMES
