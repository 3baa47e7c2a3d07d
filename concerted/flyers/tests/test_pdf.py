"""Done means: each flyer PDF, rendered to PNG and read by zbarimg, gives back the exact
URL (and code); the code then works once and is refused the second time."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from concerted.flyers import pdf
from concerted.flyers.targets import lookup
from concerted.invites import codes
from concerted.invites.models import InviteBatch
from concerted.petitions.models import Signature

from .qr import read_pdf, zbarimg

pytestmark = pytest.mark.django_db
BASE = "https://flyer.example.org"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_it_prints_the_public_url_in_a_readable_qr_code(as_user, petition, paper, tmp_path):
    response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]), {"paper": paper})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    pages = read_pdf(response.content, tmp_path)
    assert len(pages) == 1
    expected = f"{BASE}/en/p/{petition.slug}/"
    assert pages[0].codes == [expected]
    assert zbarimg(pages[0].png) == [expected]  # the whole page, as is
    assert 6.5 <= pages[0].sizes_cm[0] <= 8.5  # 7 cm, at least 3
    text = _pdf_text(response.content)
    assert "flyer.example.org/en/p/" + petition.slug in text.replace("\n", "")
    assert "Use your personal phone, not a work device or work Wi-Fi." in text
    assert petition.title in text
    assert "Acme Workers Committee" in text


def test_it_uses_the_paper_size_asked_for(as_user, petition):
    sizes = {}
    for paper in ("letter", "a4"):
        response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]), {"paper": paper})
        sizes[paper] = page_sizes(response.content)[0]
    assert sizes["letter"] == (612, 792)
    assert sizes["a4"] == (595, 842)


def test_it_says_so_on_the_form_when_asked_for_a_paper_it_never_offered(as_user, petition):
    """Not a 500, and not quietly the other paper: a hand-edited address gets the page
    with the message on the paper choice, the installation's paper offered again."""
    response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]), {"paper": "tabloid"})
    assert response.status_code == 400
    assert not response.content.startswith(b"%PDF")
    page = response.content.decode()
    assert "Choose the paper you will print on: A4 or US Letter." in page
    assert 'id="id_flyer_paper" aria-describedby="id_flyer_paper_helptext id_flyer_paper_error"' in page


def page_sizes(data: bytes) -> list[tuple[int, int]]:
    """Each page's (width, height) in PDF points: Letter (612, 792), A4 (595, 842)."""
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(data)).pages
    ]


def test_it_uses_error_correction_m_or_better():
    qr = pdf.make_qr(f"{BASE}/p/abcdefg/?code=abcdefghjkm")
    assert qr.error in ("M", "Q", "H")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_it_prints_tear_off_cards_whose_codes_work_once(as_user, invite_petition, paper, tmp_path):
    petition = invite_petition
    response = as_user("owner").post(
        reverse("flyers:batch_new", args=["petition", petition.pk]),
        {"count": 10, "label": "Night shift", "paper": paper, "poster": "on"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    pages = read_pdf(response.content, tmp_path)
    assert len(pages) == 3  # poster, 8 cards, 2 cards
    public = f"{BASE}/en/p/{petition.slug}/"
    assert pages[0].codes == [public]
    card_urls = pages[1].codes + pages[2].codes
    assert len(pages[1].codes) == 8 and len(pages[2].codes) == 2
    assert all(3.0 <= size <= 4.5 for page in pages[1:] for size in page.sizes_cm)
    found = [re.fullmatch(re.escape(public) + r"\?code=([a-z2-9]{11})", url) for url in card_urls]
    assert all(found), card_urls
    plain = [m.group(1) for m in found]
    assert len(set(plain)) == 10
    assert all(codes.parse(c).result == codes.Result.VALID for c in plain)
    text = _pdf_text(response.content)
    for code in plain:
        assert codes.display(code) in text  # printed for typing, too

    batch = InviteBatch.objects.get()
    assert (batch.size, batch.used, batch.label) == (10, 0, "Night shift")

    # The decoded code works once, from the decoded URL, and the second time is refused.
    path = card_urls[3].removeprefix(BASE)
    assert Client().get(path).status_code == 200
    first = Client().post(path, {"invite_code": plain[3], "name": "Card Holder"})
    assert first.status_code == 302
    second = Client().post(path, {"invite_code": plain[3], "name": "Someone Else"})
    assert second.status_code == 400
    assert "That invite code doesn&#x27;t work here" in second.content.decode()
    assert "it may already have been used" in second.content.decode()
    assert Signature.objects.filter(petition=petition).count() == 1
    batch.refresh_from_db()
    assert batch.used == 1


def test_it_can_print_cards_without_the_poster(as_user, invite_petition, tmp_path):
    response = as_user("teammate").post(
        reverse("flyers:batch_new", args=["petition", invite_petition.pk]), {"count": 3, "paper": "a4"}
    )
    pages = read_pdf(response.content, tmp_path)
    assert len(pages) == 1
    assert len(pages[0].codes) == 3
    assert all("?code=" in url for url in pages[0].codes)


def test_it_keeps_a_long_headline_and_pitch_on_one_page(as_user, petition, tmp_path):
    petition.title = "Stop " + "the keystroke tracker and the screenshot agent " * 4
    petition.body = ("We want a human to decide. " * 60) + "\n\nThe second paragraph is on the flyer too."
    petition.save()
    response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]))
    pages = read_pdf(response.content, tmp_path)
    assert len(pages) == 1
    assert pages[0].codes == [f"{BASE}/en/p/{petition.slug}/"]
    assert pages[0].sizes_cm[0] >= 6.5
    assert "The second paragraph is on the flyer too." in " ".join(_pdf_text(response.content).split())


def test_it_prints_an_onion_address(settings, petition, tmp_path):
    onion = "http://" + "a" * 56 + ".onion"
    settings.PUBLIC_BASE_URL = onion
    flyer = lookup("petition", petition.pk)
    _batch, plain = codes.create_batch(petition.campaign, "petition", petition.pk, 2, "")
    pages = read_pdf(pdf.build(flyer, "letter", codes=plain), tmp_path)
    assert pages[0].codes == [f"{onion}/en/p/{petition.slug}/"]
    assert sorted(pages[1].codes) == sorted(f"{onion}/en/p/{petition.slug}/?code={c}" for c in plain)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
