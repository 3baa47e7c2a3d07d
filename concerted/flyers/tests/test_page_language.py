"""The flyer page speaks the organizer's language, though the flyer it describes is made
in the campaign's: the kind of thing it prints for was English on a
Portuguese page ("Acesso livre … (petition)"), because the label was translated as the
flyer was described, in the campaign's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from concerted.petitions.models import Petition

pytestmark = pytest.mark.django_db


def pt_page(as_user, kind: str, target_id) -> str:
    with translation.override("pt"):
        url = reverse("flyers:page", args=[kind, target_id])
    assert url.startswith("/pt/")
    response = as_user("owner").get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_an_open_petition_in_the_organizers_language(as_user, petition):
    assert petition.campaign.language == "en"  # the flyer itself is English
    html = pt_page(as_user, "petition", petition.pk)
    assert "Acesso livre a qualquer pessoa com o link (petição)" in html
    assert "(petition)" not in html


def test_it_names_a_draft_in_the_organizers_language(as_user, petition):
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.DRAFT)
    html = pt_page(as_user, "petition", petition.pk)
    assert "Ainda em rascunho (petição)" in html
    assert "(petition)" not in html
