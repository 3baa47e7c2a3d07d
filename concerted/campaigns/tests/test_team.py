from __future__ import annotations

import datetime

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerted.accounts.models import ExportToken, TwoFactor
from concerted.campaigns.models import Membership, OrganizerInvite, Role
from concerted.core.testing import database_bytes
from concerted.petitions.models import Petition
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and private passphrase 77"


def make_invite(client: Client, campaign, role: str = "organizer") -> str:
    response = client.post(reverse("campaigns:invite", args=[campaign.pk]), {"note": "Sam from Support", "role": role})
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="invite-link">') + len('data-testid="invite-link">')
    return html[start : html.index("</code>", start)]


def test_it_invites_a_co_organizer_with_a_single_use_link(settings, as_user, campaign):
    settings.PUBLIC_BASE_URL = "https://organize.example.org"
    link = make_invite(as_user("owner"), campaign, "read-only")
    assert link.startswith("https://organize.example.org/en/o/campaigns/join/cxi_")
    path = link.removeprefix("https://organize.example.org")
    code = path.rstrip("/").rsplit("/", 1)[1]
    assert code.encode() not in database_bytes()  # only its hash is kept
    guest = Client()
    # Mail scanners follow links: a GET uses nothing up.
    assert guest.get(path).status_code == 200
    assert guest.get(path).status_code == 200
    response = guest.post(path, {"username": "sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.get(campaign=campaign, user__username="sam").role == Role.READ_ONLY
    assert guest.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    # Used once: a second visitor gets nothing.
    again = Client().get(path)
    assert again.status_code == 404 and campaign.name.encode() not in again.content


def test_a_signed_in_organizer_joins_with_one_press(as_user, campaign, outsider):
    path = make_invite(as_user("owner"), campaign).split("://", 1)[1].split("/", 1)[1]
    client = as_user("outsider")
    assert client.post("/" + path).status_code == 302
    assert Membership.objects.get(campaign=campaign, user=outsider).role == Role.ORGANIZER


def test_a_bad_account_form_keeps_the_invite_and_what_was_typed(as_user, campaign):
    path = "/" + make_invite(as_user("owner"), campaign).split("://", 1)[1].split("/", 1)[1]
    response = Client().post(path, {"username": "sam", "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert 'value="sam"' in response.content.decode()
    assert OrganizerInvite.objects.count() == 1


def test_an_expired_invite_does_nothing(as_user, campaign):
    path = "/" + make_invite(as_user("owner"), campaign).split("://", 1)[1].split("/", 1)[1]
    OrganizerInvite.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().post(path, {"username": "sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert not Membership.objects.filter(user__username="sam").exists()


def test_nobody_hands_out_more_power_than_they_hold(as_user, campaign):
    response = as_user("teammate").post(reverse("campaigns:invite", args=[campaign.pk]), {"note": "x", "role": "owner"})
    assert response.status_code == 400
    assert not OrganizerInvite.objects.exists()
    make_invite(as_user("teammate"), campaign, "organizer")


def test_team_views_refuse_strangers_and_wrong_methods(as_user, campaign, teammate):
    urls = [
        reverse("campaigns:invite", args=[campaign.pk]),
        reverse("campaigns:organizer_role", args=[campaign.pk, teammate.pk]),
        reverse("campaigns:organizer_remove", args=[campaign.pk, teammate.pk]),
        reverse("campaigns:two_factor_policy", args=[campaign.pk]),
    ]
    for url in urls:
        assert as_user("outsider").post(url, {"role": "owner", "note": "x"}).status_code == 404, url
        assert as_user("anonymous").post(url, {"role": "owner", "note": "x"}).status_code == 302, url
    for url in urls[:2] + urls[3:]:
        assert as_user("owner").get(url).status_code == 405, url
    assert as_user("owner").post(reverse("campaigns:organizers", args=[campaign.pk])).status_code == 405
    assert Membership.objects.filter(campaign=campaign).count() == 2


def test_read_only_organizers_see_but_change_nothing(as_user, campaign, petition, teammate):
    Membership.objects.filter(user=teammate).update(role=Role.READ_ONLY)
    client = as_user("teammate")
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    dashboard = client.get(reverse("petitions:dashboard", args=[petition.pk]))
    # Told up front, before a button that changes something answers 403.
    assert dashboard.status_code == 200 and "Your role in this campaign is read-only" in dashboard.content.decode()
    assert "read-only" not in as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    edit = client.post(reverse("campaigns:edit", args=[campaign.pk]), {"name": "Changed", "committee_name": "x"})
    assert edit.status_code == 403 and "Read-only" in edit.content.decode()
    assert client.post(reverse("petitions:status", args=[petition.pk]), {"status": "closed"}).status_code == 403
    assert client.post(reverse("petitions:new", args=[campaign.pk]), {"title": "x"}).status_code == 403
    petition.refresh_from_db()
    campaign.refresh_from_db()
    assert petition.status == Petition.Status.OPEN and campaign.name == "Acme privacy"


def test_only_owners_manage_roles_and_the_last_owner_stays(as_user, campaign, owner, teammate):
    role_url = reverse("campaigns:organizer_role", args=[campaign.pk, owner.pk])
    assert as_user("teammate").post(role_url, {"role": "read-only"}).status_code == 403
    remove_owner = reverse("campaigns:organizer_remove", args=[campaign.pk, owner.pk])
    assert as_user("teammate").post(remove_owner).status_code == 403
    # The only owner can't demote or remove themselves.
    as_user("owner").post(role_url, {"role": "organizer"})
    assert Membership.objects.get(user=owner).role == Role.OWNER
    as_user("owner").post(remove_owner)
    assert Membership.objects.filter(user=owner).exists()


def test_setting_the_role_someone_already_has_says_nothing_changed(as_user, campaign, teammate):
    role = Membership.objects.get(user=teammate).role
    url = reverse("campaigns:organizer_role", args=[campaign.pk, teammate.pk])
    page = as_user("owner").post(url, {"role": role}, follow=True).content.decode().replace("&#x27;", "'")
    assert "Nothing changed: that is already their role." in page and "Role changed." not in page


def test_removing_asks_first_then_removes(as_user, campaign, teammate):
    client = as_user("owner")
    url = reverse("campaigns:organizer_remove", args=[campaign.pk, teammate.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "can't be undone" in page.content.decode()
    assert Membership.objects.filter(user=teammate).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(user=teammate).exists()
    assert as_user("teammate").get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_removed_organizer_cant_walk_back_in_through_an_invite_they_kept(as_user, campaign, teammate):
    """The informant makes an invite before being removed, then uses it: the removal
    must end it, or their old session and reveal token work again."""
    informant = as_user("teammate")
    kept = _path(make_invite(informant, campaign))
    _obj, token = ExportToken.issue(teammate, "laptop")
    page = as_user("owner").get(reverse("campaigns:organizer_remove", args=[campaign.pk, teammate.pk]))
    assert "Invite links they made and nobody used yet stop working." in page.content.decode()
    response = as_user("owner").post(
        reverse("campaigns:organizer_remove", args=[campaign.pk, teammate.pk]), follow=True
    )
    assert "The invite link they made no longer works." in response.content.decode()
    assert not OrganizerInvite.objects.exists()
    assert informant.post(kept).status_code == 404
    assert not Membership.objects.filter(user=teammate).exists()
    export = reverse("petitions:export", args=[Petition.objects.create(campaign=campaign, title="T", body="B").pk])
    assert Client().get(export, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_an_invite_whose_maker_is_gone_or_demoted_opens_nothing(as_user, campaign, teammate, outsider):
    """Belt and braces: the door checks its maker too, whatever removed them."""
    link = _path(make_invite(as_user("teammate"), campaign))
    Membership.objects.filter(user=teammate).delete()  # removed some other way (an admin, a script)
    assert as_user("outsider").post(link).status_code == 404
    assert not Membership.objects.filter(campaign=campaign, user=outsider).exists()
    Membership.objects.create(campaign=campaign, user=teammate, role=Role.ORGANIZER)
    link = _path(make_invite(as_user("teammate"), campaign))
    Membership.objects.filter(user=teammate).update(role=Role.READ_ONLY)
    assert as_user("outsider").post(link).status_code == 404


def test_demoting_someone_ends_the_invites_they_could_no_longer_make(as_user, campaign, teammate):
    make_invite(as_user("teammate"), campaign)
    url = reverse("campaigns:organizer_role", args=[campaign.pk, teammate.pk])
    page = as_user("owner").post(url, {"role": "read-only"}, follow=True).content.decode()
    assert "Role changed. The invite link they made no longer works." in page
    assert not OrganizerInvite.objects.exists()


def test_the_team_sees_who_made_each_open_invite(as_user, campaign, teammate):
    make_invite(as_user("teammate"), campaign)
    page = as_user("owner").get(reverse("campaigns:organizers", args=[campaign.pk])).content.decode()
    assert f"made by {teammate.username}" in page


def test_anyone_may_leave(as_user, campaign, teammate):
    client = as_user("teammate")
    assert client.post(reverse("campaigns:organizer_remove", args=[campaign.pk, teammate.pk])).status_code == 302
    assert not Membership.objects.filter(user=teammate).exists()


def test_an_owner_can_require_two_factor(as_user, campaign, teammate):
    owner_client = as_user("owner")
    assert (
        as_user("teammate")
        .post(reverse("campaigns:two_factor_policy", args=[campaign.pk]), {"require_two_factor": "on"})
        .status_code
        == 403
    )
    owner_client.post(reverse("campaigns:two_factor_policy", args=[campaign.pk]), {"require_two_factor": "on"})
    campaign.refresh_from_db()
    assert campaign.require_two_factor
    # A teammate without it is sent to set it up, and sees nothing of the campaign.
    teammate_client = Client()
    teammate_client.post(reverse("accounts:login"), {"username": "teammate", "password": PASSWORD})
    response = teammate_client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor")
    # Turning it on in this session opens the campaign.
    teammate_client.post(reverse("accounts:two_factor"), {"action": "start"})
    secret = TwoFactor.objects.get(user=teammate).secret
    teammate_client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert teammate_client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    # The CLI's reveal token (made in such a session) still fetches exports.
    _obj, token = ExportToken.issue(teammate, "laptop")
    petition = Petition.objects.create(campaign=campaign, title="T", body="B", addressee="A")
    cli = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert cli.get(reverse("petitions:export", args=[petition.pk])).status_code == 200


def test_existing_organizers_become_owners_when_roles_arrive(campaign, owner, teammate):
    """The migration turns every organizer who had full access into an owner; the
    fixture mimics the state after it (owner) and after a later plain add (teammate)."""
    assert Membership.objects.get(user=owner).role == Role.OWNER
    assert Membership.objects.get(user=teammate).role == Role.ORGANIZER


def organizer_views():
    from django.urls import LocalePrefixPattern, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                # Routes are read without the language prefix (/en/) every page has.
                here = "" if isinstance(p.pattern, LocalePrefixPattern) else str(p.pattern)
                yield from walk(p.url_patterns, prefix + here)
            else:
                yield prefix + str(p.pattern), p.callback

    for route, view in walk(get_resolver().url_patterns):
        if route.startswith("o/") and "/join/" not in route:
            yield route, view


def test_every_organizer_view_goes_through_the_access_helper():
    """Roles are enforced in one place (campaigns/access.py); every organizer view must
    reach it, directly or through its app's `*_for_organizer` fetcher."""
    import inspect

    views = list(organizer_views())
    assert len(views) > 40
    for route, view in views:
        source = inspect.getsource(inspect.unwrap(view))
        if "campaign_list" in source.split("(")[0] or "def campaign_new" in source:
            continue  # lists only the user's own campaigns / creates one they own
        if route.startswith("o/elections/api/"):
            # Trustees' CLI steps: authenticated by each trustee's own token, not by an
            # organizer's session or role (a trustee need not organize the campaign).
            assert "trustee" in source, route
            continue
        assert "for_organizer(" in source, route
