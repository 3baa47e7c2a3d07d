"""Voting cards (the Spanish strike vote's fresh-eyes pass, 2026-12-02): `concerted election
credentials` prints the codes it makes as voting-cards.pdf, one card per code, whose QR
code leads to the vote page and never holds the code; the CSV's headings and the cards
speak the tool's language; the dashboard gives the vote page's whole public address and
the whole command."""

from __future__ import annotations

import csv
import io
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, trans_real
from pypdf import PdfReader

from concerted.elections.models import Election
from concerted.elections.voting_cards import public_vote_url
from concerted.flyers.tests.qr import read_pdf

from .test_own_machine import concerted, holds

ELECTION = "0f8e3c2a-5b1d-4e6f-9a7b-2c4d6e8f0a1b"
VOTE_URL = "https://vote.example.org/es/e/n2a3245/"
SIZES = {"a4": (595, 842), "letter": (612, 792)}
CARD_LINES = (
    "Keep it secret: whoever holds it can vote in your name.",
    "Vote at:",
    "The committee keeps no list of who got which card.",
)


def credentials(out: Path, *args: str, count: int = 10) -> str:
    stdout = io.StringIO()
    call_command(
        "election", "credentials", "--election", ELECTION, "--count", str(count), "--out", str(out), *args,
        stdout=stdout,
    )  # fmt: skip
    return stdout.getvalue()


def csv_rows(out: Path) -> list[list[str]]:
    with (out / "private-codes.csv").open(newline="") as f:
        return list(csv.reader(f))


def pdf_text(pdf: Path) -> str:
    """The text in the order it was drawn: card after card (-layout would interleave
    the lines of cards side by side)."""
    done = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(pdf).pages]


@pytest.fixture
def spanish(monkeypatch):
    """Spanish for the card's and the CSV's new lines, as the catalog will hold them once
    translated (concerted/locale is translated after the code is written): a line the
    tool forgets to translate, or translates in the terminal's language instead of
    --language, then shows in English."""
    catalog = trans_real.translation("es")._catalog._catalogs[0]
    words = {
        "private-codes.csv\x04card": "tarjeta",
        "private-codes.csv\x04voting code": "código de votación",
        CARD_LINES[0]: "Guárdalo en secreto: quien lo tenga puede votar en tu nombre.",
        CARD_LINES[1]: "Vota en:",
        CARD_LINES[2]: "El comité no guarda ninguna lista de quién recibió qué tarjeta.",
    }
    for msgid, msgstr in words.items():
        monkeypatch.setitem(catalog, msgid, msgstr)
    return words


def test_it_prints_one_card_per_code_whose_qr_code_leads_to_the_vote_page_only(tmp_path):
    out = tmp_path / "cards"
    said = credentials(out, "--vote-url", VOTE_URL, "--title", "Huelga: 2 de diciembre", "--paper", "a4", count=10)
    pdf = out / "voting-cards.pdf"
    assert "voting-cards.pdf" in said
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600  # it holds every code, like the CSV

    header, *rows = csv_rows(out)
    assert header == ["card", "voting code"]
    codes = [code for _card, code in rows]
    assert len(codes) == 10

    # The codes on the cards are the CSV's, in its order, each on one line as the CSV
    # groups it (ABCDE-FGHJK-LMNPQ-RSTUV), in the large monospace font.
    text = pdf_text(pdf)
    assert [word for word in text.split() if word in codes] == codes
    assert text.count("Huelga: 2 de diciembre") == 10
    assert text.count("Your voting code") == 10
    flat = " ".join(text.split())
    for line in CARD_LINES:
        assert flat.count(line) == 10
    assert "".join(text.split()).count("vote.example.org/es/e/n2a3245/") == 10

    # Eight cards a page, each QR code read alone as a phone reads it: the vote page,
    # exactly, and never a code (the code is typed; a photo of the QR code votes nothing).
    assert page_sizes(pdf) == [SIZES["a4"]] * 2
    pages = read_pdf(pdf.read_bytes(), tmp_path / "png")
    assert [len(page.codes) for page in pages] == [8, 2]
    scanned = [data for page in pages for data in page.codes]
    assert scanned == [VOTE_URL] * 10
    for code in codes:
        assert not any(code in data or code.replace("-", "") in data for data in scanned)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_it_prints_on_the_paper_asked_for_or_the_installations(settings, tmp_path, paper):
    other = "letter" if paper == "a4" else "a4"
    settings.PAPER = other
    credentials(tmp_path / "asked", "--paper", paper.upper(), "--vote-url", VOTE_URL, count=9)
    assert page_sizes(tmp_path / "asked" / "voting-cards.pdf") == [SIZES[paper]] * 2
    settings.PAPER = paper
    credentials(tmp_path / "installation", "--vote-url", VOTE_URL, count=3)
    pdf = tmp_path / "installation" / "voting-cards.pdf"
    assert page_sizes(pdf) == [SIZES[paper]]
    # The bottom row of cards still scans on either paper.
    assert [page.codes for page in read_pdf(pdf.read_bytes(), tmp_path / "png")] == [[VOTE_URL] * 3]


def test_it_prints_the_cards_and_the_csv_headings_in_the_language_asked_for(spanish, tmp_path):
    credentials(tmp_path / "es", "--language", "es", "--vote-url", VOTE_URL, count=2)
    assert csv_rows(tmp_path / "es")[0] == ["tarjeta", "código de votación"]
    text = " ".join(pdf_text(tmp_path / "es" / "voting-cards.pdf").split())
    with translation.override("es"):
        assert text.count(gettext("Your voting code")) == 2  # "Tu código de votación"
    for line in CARD_LINES:
        assert text.count(spanish[line]) == 2
        assert line not in text
    assert "Your voting code" not in text

    # Without --language: the terminal's (English under the test runner).
    credentials(tmp_path / "en", "--vote-url", VOTE_URL, count=2)
    assert csv_rows(tmp_path / "en")[0] == ["card", "voting code"]
    assert "Your voting code" in pdf_text(tmp_path / "en" / "voting-cards.pdf")


def test_it_prints_cards_without_an_address_when_none_is_given(tmp_path):
    said = credentials(tmp_path / "c", count=3)
    pdf = tmp_path / "c" / "voting-cards.pdf"
    text = " ".join(pdf_text(pdf).split())
    assert text.count("Your voting code") == 3
    assert text.count(CARD_LINES[2]) == 3
    assert "Vote at:" not in text
    assert read_pdf(pdf.read_bytes(), tmp_path / "png")[0].codes == []
    assert "--vote-url" in said  # says how to put the address on the cards


@pytest.mark.parametrize(
    "url",
    [
        "vote.example.org/es/e/n2a3245/",
        "ftp://vote.example.org/es/e/n2a3245/",
        "javascript:alert(1)",
        "https:///es/e/n2a3245/",
        "https://vote.example.org/es/e/n2a3245/?code=ABCDE-FGHJK-LMNPQ-RSTUV",
        "https://vote.example.org/es/e/n2a3245/?",
        "https://vote.example.org/es/e/n2a3245/#code",
        "https://vote.example.org/es/e/ n2a3245/",
    ],
)
def test_it_refuses_a_vote_url_that_is_not_the_vote_page_s_plain_address(tmp_path, url):
    with pytest.raises(CommandError, match="--vote-url must be the vote page's"):
        credentials(tmp_path / "cards", "--vote-url", url)
    assert not (tmp_path / "cards").exists()  # refused before any code was made


def test_it_refuses_to_overwrite_cards_or_codes(tmp_path):
    out = tmp_path / "cards"
    credentials(out, "--vote-url", VOTE_URL, count=2)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(
        CommandError, match=r"^private-codes\.csv, voting-cards\.pdf, public-credentials\.txt are already in"
    ):
        credentials(out, "--vote-url", VOTE_URL, count=2)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    # Cards left from an earlier run alone are enough to refuse: two sets of cards for
    # one election, and nobody can tell which are on the server.
    (out / "private-codes.csv").unlink()
    (out / "public-credentials.txt").unlink()
    with pytest.raises(CommandError, match=r"^voting-cards\.pdf is already in .*refusing to overwrite it"):
        credentials(out, "--vote-url", VOTE_URL, count=2)
    assert sorted(p.name for p in out.iterdir()) == ["voting-cards.pdf"]


def test_it_still_writes_nothing_on_the_committee_s_laptop_but_what_was_asked(tmp_path):
    said = concerted(
        tmp_path, "election", "credentials", "--election", ELECTION, "--count", "3", "--out", "cards",
        "--vote-url", VOTE_URL, "--language", "es",
    )  # fmt: skip
    assert holds(tmp_path) == [
        "cards",
        "cards/private-codes.csv",
        "cards/public-credentials.txt",
        "cards/voting-cards.pdf",
    ]
    assert "cards/voting-cards.pdf" in said


@pytest.mark.django_db
def test_the_dashboard_gives_the_vote_page_s_public_address_and_the_whole_command(settings, as_user, campaign):
    settings.PUBLIC_BASE_URL = "https://vote.example.org"
    settings.PAPER = "a4"  # the server's; a laptop without CONCERTED_PAPER would print on Letter
    election = Election.objects.create(
        campaign=campaign, title="Huelga 'indefinida' $(rm)", question="¿Huelga?", language="es"
    )
    url = f"https://vote.example.org/es/e/{election.slug}/"
    assert public_vote_url(election) == url  # in the vote's language, whatever the page's
    page = as_user("owner").get(reverse("elections:dashboard", args=[election.pk])).content.decode()
    assert (
        f"--election {election.pk} --count N --out DIR --vote-url {url} "
        "--title &#x27;Huelga &#x27;&quot;&#x27;&quot;&#x27;indefinida&#x27;&quot;&#x27;&quot;&#x27; $(rm)&#x27; "
        "--language es --paper a4</code>"
    ) in page
    assert "voting-cards.pdf" in page

    election.status = Election.Status.OPEN
    election.save()
    page = as_user("owner").get(reverse("elections:dashboard", args=[election.pk])).content.decode()
    assert f'<a href="{url}">{url}</a>' in page
