"""The bargaining brief's paper: the installation's (CONCERTED_PAPER) unless the
organizer picks the other at download, a paper the page never offered gets a message on
the page (the ticked items kept), and on A4 a table stays inside the margins."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.units import cm

from concerted.bargaining import brief

pytestmark = pytest.mark.django_db
A4 = (595, 842)
LETTER = (612, 792)


def sizes(data: bytes) -> set[tuple[int, int]]:
    assert data.startswith(b"%PDF-")
    return {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(data)).pages
    }


def urls(kit) -> tuple[str, str]:
    """The brief page and the download, with the items ticked by default."""
    items = "&".join(f"item={key}" for key in sorted(brief.default_selection(kit)))
    query = "?picked=1" + (f"&{items}" if items else "")
    return (
        reverse("bargaining:brief_page", args=[kit.pk]) + query,
        reverse("bargaining:brief", args=[kit.pk]) + query,
    )


@pytest.mark.parametrize(("installation", "expected"), [("a4", A4), ("letter", LETTER)])
def test_the_brief_is_laid_out_on_the_installations_paper(settings, as_user, kit, demands, installation, expected):
    settings.PAPER = installation
    assert sizes(brief.build(kit)) == {expected}
    _page, download = urls(kit)
    assert sizes(as_user("owner").get(download).content) == {expected}  # asked for no paper: an older link


@pytest.mark.parametrize("installation", ["a4", "letter"])
def test_the_download_offers_both_papers_the_installations_preselected(settings, as_user, kit, demands, installation):
    settings.PAPER = installation
    page, _download = urls(kit)
    html = as_user("owner").get(page).content.decode()
    select = re.search(r'<select name="paper" id="id_paper"[^>]*>(.*?)</select>', html, re.S)
    assert select, html
    assert re.findall(r'<option value="([^"]*)"', select[1]) == ["letter", "a4"]
    assert re.findall(r'<option value="([^"]*)" selected', select[1]) == [installation]
    assert '<label for="id_paper">Paper</label>' in html


def test_the_organizers_choice_wins_over_the_installations_paper(settings, as_user, kit, demands):
    """A committee on an A4 installation prints at a copy shop that has only Letter."""
    settings.PAPER = "a4"
    _page, download = urls(kit)
    response = as_user("owner").get(download + "&paper=letter")
    assert response.status_code == 200
    assert sizes(response.content) == {LETTER}


def test_a_paper_the_page_never_offered_gets_a_message_and_keeps_the_ticks(as_user, kit, demands):
    _page, download = urls(kit)
    response = as_user("owner").get(download + "&paper=tabloid")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the paper you will print on: A4 or US Letter." in html
    assert 'aria-invalid="true"' in html
    for key in brief.default_selection(kit):  # what was ticked is still ticked, ready to download
        assert f'<input type="hidden" name="item" value="{key}">' in html


def test_a_wide_table_stays_inside_the_margins_on_a4(settings, kit, monkeypatch, tmp_path):
    """A weighted survey's table is 17.6 cm wide; A4's text is 17 cm."""
    settings.PAPER = "a4"
    # Every cell long enough to wrap, so its words reach the cell's right edge.
    row = ["Should a human make the final decision on discipline?"] * 7
    wide = brief.Block("table", rows=[row, row], widths=[4.5, 3, 2, 2.3, 2.3, 2, 1.5])
    monkeypatch.setattr(brief, "blocks", lambda *args, **kwargs: [wide])
    path = tmp_path / "brief.pdf"
    path.write_bytes(brief.build(kit))
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    right = max(float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', bbox))
    assert right <= A4[0] - 2 * cm + 1
