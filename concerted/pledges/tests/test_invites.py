"""A pledge for verified coworkers: an invite link fills the code in on GET (never
using it up), the POST that pledges uses it up in the same transaction, and a second
use is refused with a clear message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.invites import codes
from concerted.invites.models import InviteBatch, InviteCode
from concerted.pledges.models import Commitment, Pledge

from .conftest import move_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_pledge(make_pledge):
    return make_pledge(requires_invite=True)


@pytest.fixture
def plain(invite_pledge):
    _batch, plain = codes.create_batch(invite_pledge.campaign, Pledge.INVITE_KIND, invite_pledge.pk, 3, "Night shift")
    return plain


def url(pledge) -> str:
    return reverse("pledges:pledge", args=[pledge.slug])


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_a_get_with_a_code_fills_it_in_and_uses_nothing(invite_pledge, plain):
    for _ in range(3):  # a mail scanner, a link preview, the coworker
        response = Client().get(f"{url(invite_pledge)}?code={plain[0]}")
        assert response.status_code == 200
        assert f'value="{codes.display(plain[0])}"' in response.content.decode()
        assert "doesn't work here" not in text(response)
    assert InviteCode.objects.count() == 3
    assert InviteBatch.objects.get().used == 0


def test_a_post_uses_the_code_once(invite_pledge, plain):
    response = Client().post(url(invite_pledge), {"invite_code": codes.display(plain[0]).upper(), "name": "Ada"})
    assert response.status_code == 302
    assert InviteCode.objects.count() == 2
    assert InviteBatch.objects.get().used == 1
    again = Client().post(url(invite_pledge), {"invite_code": plain[0], "name": "Bob"})
    assert again.status_code == 400
    assert "That invite code doesn't work here" in text(again)
    assert 'value="Bob"' in again.content.decode()
    assert Commitment.objects.count() == 1
    looked = Client().get(f"{url(invite_pledge)}?code={plain[0]}")
    assert looked.status_code == 200
    assert "may already have been used" not in text(looked)  # a GET never tells


def test_a_code_is_required_and_typos_are_named(invite_pledge, plain):
    response = Client().post(url(invite_pledge), {"name": "Ada"})
    assert response.status_code == 400
    assert "Enter the invite code from your card." in text(response)
    typo = plain[0][:3] + ("x" if plain[0][3] != "x" else "y") + plain[0][4:]
    response = Client().post(url(invite_pledge), {"name": "Ada", "invite_code": typo})
    assert response.status_code == 400
    assert "That code has a typo" in text(response)
    assert not Commitment.objects.exists()
    assert InviteCode.objects.count() == 3


def test_a_repeat_contact_uses_its_own_code(invite_pledge, plain):
    first = {"invite_code": plain[0], "name": "Ada", "contact": "ada@example.org"}
    assert Client().post(url(invite_pledge), first).status_code == 302
    second = {"invite_code": plain[1], "name": "Ada again", "contact": "ADA@example.org"}
    assert Client().post(url(invite_pledge), second).status_code == 302
    assert InviteCode.objects.count() == 1


def test_a_code_is_not_used_after_the_deadline(invite_pledge, plain, add_pledges):
    invite_pledge.requires_invite = False
    invite_pledge.save()
    add_pledges(invite_pledge, 5)  # reached, so it doesn't lapse at the deadline
    Pledge.objects.filter(pk=invite_pledge.pk).update(requires_invite=True)
    move_deadline(invite_pledge, -1)
    response = Client().post(url(invite_pledge), {"invite_code": plain[0], "name": "Late"})
    assert response.status_code == 400
    assert "no longer takes pledges" in text(response)
    assert InviteCode.objects.count() == 3


def test_a_code_for_another_target_does_not_work(invite_pledge, plain, petition):
    _batch, petition_codes = codes.create_batch(petition.campaign, "petition", petition.pk, 1)
    response = Client().post(url(invite_pledge), {"invite_code": petition_codes[0], "name": "Ada"})
    assert response.status_code == 400
    assert "doesn't work here" in text(response)


def test_pledges_without_invites_show_no_code_field(pledge):
    html = Client().get(url(pledge)).content.decode()
    assert "invite_code" not in html
    html = Client().get(f"{url(pledge)}?code=abcd").content.decode()
    assert "invite_code" not in html
