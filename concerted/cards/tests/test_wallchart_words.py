"""The wall chart reads right: counts of one and of many each take their own plural
(`concerted wallchart`'s first line, the PDF), the people with no department recorded
are named as such in the browser's chart, and the PDF holds the CSV's story (the day
of each assessment, the last one-on-one and its next step), read back with poppler's
pdftotext and kept inside the page."""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.units import cm

from concerted.cards import signing
from concerted.cards.management.commands.wallchart import opened_summary
from concerted.core.days import today

from .conftest import sign_card
from .test_reveal import key_file, wallchart  # noqa: F401 (key_file is a fixture)

pytestmark = pytest.mark.django_db


def pdftotext(path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_it_says_one_person_one_log_entry_and_one_card(as_user, unit, key_file, tmp_path):  # noqa: F811
    dorothy = signing.add_person(unit, {"name": "Dorothy Vaughan", "contact": "+1 555 0101", "assessment": 3})
    signing.add_note(dorothy, {"day": today(), "who": "Rosa", "note": "Ready.", "next_step": "Card"})
    sign_card(unit, full_name="Zelda Unknown", signature="Zelda Unknown", phone="+1 555 9999")
    out, err, failed = wallchart(as_user, unit, key_file, tmp_path)
    assert failed is None, err
    assert out.startswith("Opened 1 person, 1 log entry and 1 card (1 not matched to the roster): ")
    assert "1 person on the roster" in pdftotext(tmp_path / "out" / f"wallchart-{unit.slug}.pdf")


def test_it_gives_each_count_its_own_plural():
    assert opened_summary(1, 5, 0, 2) == "Opened 1 person, 5 log entries and 0 cards (2 not matched to the roster)"
    assert opened_summary(3, 1, 2, 0) == "Opened 3 people, 1 log entry and 2 cards (0 not matched to the roster)"


def test_the_pdf_shows_the_day_of_each_assessment_and_the_last_one_on_one(as_user, unit, key_file, tmp_path):  # noqa: F811
    day = today().isoformat()
    dorothy = signing.add_person(
        unit,
        {"name": "Dorothy Vaughan", "contact": "dorothy.vaughan@example.org", "department": "Support", "assessment": 3},
    )
    signing.add_note(
        dorothy, {"day": today(), "who": "Rosa", "note": "Wants schedule bargaining.", "next_step": "Card"}
    )
    signing.add_person(unit, {"name": "Mary Jackson", "contact": "", "assessment": None})
    out, err, failed = wallchart(as_user, unit, key_file, tmp_path)
    assert failed is None, err
    assert "Opened 2 people, 1 log entry and 0 cards" in out
    pdf = tmp_path / "out" / f"wallchart-{unit.slug}.pdf"
    text = pdftotext(pdf, "-layout")
    assert "Assessed on" in text and "Last one-on-one" in text and "2 people on the roster" in text
    dorothy_line = next(line for line in text.splitlines() if "Dorothy Vaughan" in line)
    # The whole date on her row's first line, then the conversation and what comes next.
    assert day in dorothy_line, dorothy_line
    assert re.search(rf"{day} \(Rosa\): Wants", dorothy_line), dorothy_line
    assert "→ Card" in " ".join(text.split())
    # Nobody's department recorded: after the named groups, as on the browser's chart.
    assert text.index("Dorothy Vaughan") < text.index("Mary Jackson")
    # Ten columns on a landscape page, every word inside its margins (1.5 cm).
    page = PdfReader(pdf).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', pdftotext(pdf, "-bbox")
    )
    assert boxes
    assert max(float(x_max) for _x, x_max, _w in boxes) <= width - 1.5 * cm + 1
    assert min(float(x_min) for x_min, _x, _w in boxes) >= 1.5 * cm - 1
    # A long email wraps inside its cell (split where it must).
    assert "dorothy.vaughan@e" in {unescape(w)[:17] for _a, _b, w in boxes}


def test_the_browser_chart_names_the_group_nobody_recorded(as_user, unit):
    page = as_user("owner").get(reverse("cards:wall_chart", args=[unit.pk])).content.decode()
    labels = json.loads(re.search(r'<script id="roster-labels" type="application/json">(.*?)</script>', page)[1])
    assert labels["no_group"] == {
        "department": "No department recorded",
        "shift": "No shift recorded",
        "site": "No site recorded",
        "classification": "No job classification recorded",
    }
    # Sentences with a count are built by roster.js with the JavaScript catalog's ngettext.
    assert not any("%(people)s" in str(value) for value in labels.values())
