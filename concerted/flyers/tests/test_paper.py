"""The flyer's paper: the installation's (CONCERTED_PAPER) unless the organizer picks the
other on the form, and on A4 every QR code still scans, the bottom row of cards included."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from concerted.invites.forms import BatchForm

from .qr import read_pdf, zbarimg
from .test_pdf import page_sizes

pytestmark = pytest.mark.django_db
BASE = "https://flyer.example.org"
SIZES = {"a4": (595, 842), "letter": (612, 792)}


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = BASE


def selected(page: str, select_id: str) -> list[str]:
    """The values preselected in the <select> with this id."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select[1])


@pytest.mark.parametrize("installation", ["a4", "letter"])
def test_it_prints_on_the_installations_paper_when_none_is_asked(settings, as_user, petition, installation):
    settings.PAPER = installation
    response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]))
    assert response.status_code == 200
    assert page_sizes(response.content) == [SIZES[installation]]
    assert f"-{installation}.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("installation", ["a4", "letter"])
def test_the_flyer_page_preselects_the_installations_paper(settings, as_user, invite_petition, installation):
    settings.PAPER = installation
    page = as_user("owner").get(reverse("flyers:page", args=["petition", invite_petition.pk])).content.decode()
    assert selected(page, "id_flyer_paper") == [installation]  # the flyer
    assert selected(page, "id_paper") == [installation]  # the invite cards
    assert '<label for="id_flyer_paper">Paper</label>' in page


def test_the_organizers_choice_wins_over_the_installations_paper(settings, as_user, invite_petition):
    """A committee on an A4 installation prints at a copy shop that has only Letter."""
    settings.PAPER = "a4"
    client = as_user("owner")
    flyer = client.get(reverse("flyers:pdf", args=["petition", invite_petition.pk]), {"paper": "letter"})
    assert page_sizes(flyer.content) == [SIZES["letter"]]
    cards = client.post(
        reverse("flyers:batch_new", args=["petition", invite_petition.pk]), {"count": 2, "paper": "letter"}
    )
    assert page_sizes(cards.content) == [SIZES["letter"]]


def test_an_a4_installation_prints_a_flyer_and_cards_whose_qr_codes_scan(settings, as_user, invite_petition, tmp_path):
    settings.PAPER = "a4"
    petition = invite_petition
    public = f"{BASE}/en/p/{petition.slug}/"
    client = as_user("owner")

    poster = client.get(reverse("flyers:pdf", args=["petition", petition.pk]))
    assert page_sizes(poster.content) == [SIZES["a4"]]
    pages = read_pdf(poster.content, tmp_path / "poster")
    assert pages[0].codes == [public]
    assert zbarimg(pages[0].png) == [public]  # the whole A4 page, as printed
    assert 6.5 <= pages[0].sizes_cm[0] <= 8.5  # still 7 cm

    # What the form sends as it comes: the installation's paper, preselected.
    paper = BatchForm()["paper"].value()
    assert paper == "a4"
    cards = client.post(
        reverse("flyers:batch_new", args=["petition", petition.pk]), {"count": 8, "paper": paper, "poster": "on"}
    )
    assert page_sizes(cards.content) == [SIZES["a4"], SIZES["a4"]]
    pages = read_pdf(cards.content, tmp_path / "cards")
    assert pages[0].codes == [public]
    assert len(pages[1].codes) == 8  # every card of the full page, the bottom row too
    assert all(code.startswith(public + "?code=") for code in pages[1].codes)
    assert all(3.0 <= size <= 4.5 for size in pages[1].sizes_cm)


def test_a_reprint_on_the_committees_computer_uses_its_paper_unless_told(settings, petition):
    """`concerted codes print` with no --paper: the paper of the computer it runs on."""
    from concerted.flyers import pdf
    from concerted.flyers.management.commands.codes import Command
    from concerted.flyers.targets import lookup

    settings.PAPER = "a4"
    parser = Command().create_parser("concerted", "codes")
    assert parser.parse_args(["print", "b", "--key", "k"]).paper is None
    assert parser.parse_args(["print", "b", "--key", "k", "--paper", "Letter"]).paper == "letter"
    flyer = lookup("petition", petition.pk)
    assert page_sizes(pdf.build(flyer)) == [SIZES["a4"]]
    assert page_sizes(pdf.build(flyer, "letter")) == [SIZES["letter"]]
