"""The vote page's address on a voting card is typed by hand: it stays on one line,
shrunk to the card's text width down to 7 points, and only a longer one is broken, after
a "/", never inside a path segment ("…/en/e/hnhpv" over "22/" reads as two addresses)."""

from __future__ import annotations

import subprocess

import pytest

from concerted.core.qrprint import short_address
from concerted.elections import voting_cards

CODES = ["ABCDEFGHJKLMNPQRSTUV", "BCDEFGHJKLMNPQRSTUVW"]


def lines_of(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return [line.strip() for line in done.stdout.splitlines()]


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:8715/en/e/hnhpv22/", "https://vote.example.org/es/e/n2a3245/"])
def test_it_prints_the_vote_address_unbroken_on_one_line(tmp_path, paper, url):
    lines = lines_of(voting_cards.build(CODES, paper=paper, vote_url=url), tmp_path)
    assert lines.count(short_address(url)) == len(CODES), lines


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_it_breaks_an_address_too_long_for_one_line_only_after_a_slash(tmp_path, paper):
    url = "https://organizing.workers-united-local-1234.example.org/pt/e/hnhpv22/"
    lines = lines_of(voting_cards.build(CODES[:1], paper=paper, vote_url=url), tmp_path)
    start = next(i for i, line in enumerate(lines) if line.startswith("organizing."))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith("hnhpv22/"))
    printed = lines[start : end + 1]
    assert "".join(printed) == short_address(url)
    assert len(printed) > 1 and all(line.endswith("/") for line in printed), printed


def test_it_keeps_the_address_at_a_legible_size(tmp_path):
    """Shrunk to fit, but never below 7 points while a break after a "/" can keep it there."""
    narrow = voting_cards._url_paragraph("http://127.0.0.1:8715/en/e/hnhpv22/", 100)
    assert narrow.style.fontSize >= voting_cards.URL_MIN_POINTS
    assert "<br/>" in narrow.text
    wide = voting_cards._url_paragraph("vote.example.org/es/e/n2a3245/", 400)
    assert wide.style.fontSize == voting_cards.URL_POINTS and "<br/>" not in wide.text
