"""The team (site, shift) a coworker may pick on a petition or card page is the
campaign's own word, in the campaign's language: on a page in another language each
such option says which language it is in, so a screen reader reads it in that voice.
"Prefer not to say" is the page's own words and says nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from concerted.campaigns.models import Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def portuguese(campaign):
    campaign.language = "pt"
    campaign.save(update_fields=["language"])
    Segment.objects.create(campaign=campaign, kind="team", label="Armazém")
    return campaign


def card_page(campaign) -> str:
    from concerted.cards.models import BargainingUnit

    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Armazém", employer="Acme", union="Sindicato", size=10, card_text="Assino.",
        card_segment_kind="team", status=BargainingUnit.Status.OPEN,
    )  # fmt: skip
    return reverse("cards:sign", args=[unit.slug])


def petition_page(campaign) -> str:
    from concerted.petitions.models import Petition

    petition = Petition.objects.get(campaign=campaign)
    return reverse("petitions:sign", args=[petition.slug])


def options(html: str) -> dict[str, str]:
    """Each option of the team select: its text -> its opening tag."""
    select = re.search(r'<select name="segment".*?</select>', html, re.S)
    assert select, "no team select on the page"
    return {text: tag for tag, text in re.findall(r"(<option[^>]*>)([^<]*)</option>", select.group(0))}


@pytest.mark.parametrize("page", [petition_page, card_page], ids=["petition", "card"])
def test_it_marks_the_campaign_s_team_names_with_their_language(portuguese, petition, page):
    with translation.override("en"):
        url = page(portuguese)
    shown = options(Client().get(url).content.decode())
    assert 'lang="pt"' in shown["Armazém"] and 'lang="pt"' in shown["Platform"]
    assert "lang=" not in shown["Prefer not to say"]  # the page's own words

    with translation.override("pt"):
        url = page(portuguese)
    shown = options(Client().get(url).content.decode())
    # A Portuguese page: the names are in the page's language, nothing to mark.
    assert all("lang=" not in tag for tag in shown.values())
