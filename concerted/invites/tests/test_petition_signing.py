"""A petition for verified coworkers: the invite code is filled in from the link on GET
(never used up by it), used up by the POST that signs, and refused the second time."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from concerted.invites import codes
from concerted.invites.models import InviteBatch, InviteCode
from concerted.petitions.forms import PetitionForm
from concerted.petitions.models import Signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite_petition(petition):
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    return petition


@pytest.fixture
def plain(invite_petition):
    _batch, plain = codes.create_batch(invite_petition.campaign, "petition", invite_petition.pk, 3, "Floor 2")
    return plain


def url(petition):
    return reverse("petitions:sign", args=[petition.slug])


def test_it_does_not_use_a_code_up_on_get(invite_petition, plain):
    link = f"{url(invite_petition)}?code={plain[0]}"
    for _ in range(3):  # a mail scanner, a link preview, the coworker
        response = Client().get(link)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'value="{codes.display(plain[0])}"' in html
        assert "doesn&#x27;t work here" not in html
    assert InviteCode.objects.count() == 3
    assert InviteBatch.objects.get().used == 0


def test_it_uses_the_code_on_post_once(invite_petition, plain):
    signed = Client().post(url(invite_petition), {"invite_code": codes.display(plain[0]).upper(), "name": "Ada"})
    assert signed.status_code == 302
    assert InviteCode.objects.count() == 2
    assert InviteBatch.objects.get().used == 1
    again = Client().post(url(invite_petition), {"invite_code": plain[0], "name": "Bob"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "That invite code doesn&#x27;t work here" in html
    assert 'value="Bob"' in html  # nothing typed is lost
    assert Signature.objects.count() == 1
    # A GET of the used link says nothing about it: only the form tells, on submit.
    looked = Client().get(f"{url(invite_petition)}?code={plain[0]}")
    assert looked.status_code == 200
    assert "may already have been used" not in looked.content.decode()


def test_it_requires_a_code(invite_petition, plain):
    response = Client().post(url(invite_petition), {"name": "Ada"})
    assert response.status_code == 400
    assert "Enter the invite code from your card." in response.content.decode()
    assert not Signature.objects.exists()


def test_it_says_typo_for_a_typo(invite_petition, plain):
    typo = plain[0][:3] + ("x" if plain[0][3] != "x" else "y") + plain[0][4:]
    response = Client().post(url(invite_petition), {"invite_code": typo, "name": "Ada"})
    assert response.status_code == 400
    assert "That code has a typo" in response.content.decode()
    assert InviteCode.objects.count() == 3
    shown = Client().get(f"{url(invite_petition)}?code={typo}")
    assert shown.status_code == 200 and "That code has a typo" in shown.content.decode()


def test_it_keeps_the_code_when_the_signature_is_refused(invite_petition, plain):
    assert (
        Client()
        .post(url(invite_petition), {"invite_code": plain[0], "name": "A", "contact": "a@example.org"})
        .status_code
        == 302
    )
    employer = Client().post(url(invite_petition), {"invite_code": plain[1], "name": "B", "contact": "b@acme.com"})
    assert employer.status_code == 400
    assert codes.check("petition", invite_petition.pk, plain[1]) == codes.Result.VALID


def test_it_asks_no_code_when_not_required(petition):
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 1, "")
    html = Client().get(f"{url(petition)}?code={plain[0]}").content.decode()
    assert "invite_code" not in html
    assert Client().post(url(petition), {"name": "Ada"}).status_code == 302
    assert InviteCode.objects.count() == 1


def test_it_lets_organizers_require_invites(petition):
    # Before it opens: once open, who may sign is part of what people signed (locked).
    petition.status = petition.Status.DRAFT
    petition.save()
    form = PetitionForm({"title": "T", "body": "B", "addressee": "A", "requires_invite": "on"}, instance=petition)
    assert form.is_valid(), form.errors
    assert form.save().requires_invite is True
