"""The installation's paper (CONCERTED_PAPER, settings.PAPER): A4 or US Letter, by
default the paper of the time zone's country, and every PDF made on this computer is laid
out on it: a Letter PDF printed on A4 is shrunk or clipped."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from concerted.cards.deliverable import cards_pdf, roster_pdf
from concerted.core import paper
from concerted.core.reveal import Revealed
from concerted.ops import deploy
from concerted.petitions.deliverable import petition_pdf
from concerted.pledges.deliverable import pledge_pdf
from concerted.settings import env_choice

from .test_operator_mistakes import ROOT, concerted

A4 = (595, 842)
LETTER = (612, 792)


def sizes(data: bytes) -> set[tuple[int, int]]:
    """Every page's (width, height) in PDF points."""
    return {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(data)).pages
    }


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Lisbon", "a4"),
        ("Europe/Berlin", "a4"),
        ("Europe/Madrid", "a4"),
        ("Europe/London", "a4"),
        ("America/Sao_Paulo", "a4"),
        ("America/Argentina/Buenos_Aires", "a4"),
        ("Asia/Tokyo", "a4"),
        ("America/Chicago", "letter"),
        ("America/Indiana/Knox", "letter"),
        ("US/Eastern", "letter"),
        ("Pacific/Honolulu", "letter"),
        ("America/Puerto_Rico", "letter"),
        ("America/Toronto", "letter"),
        ("America/Mexico_City", "letter"),
        ("America/Santiago", "letter"),
        ("America/Bogota", "letter"),
        ("America/Caracas", "letter"),
        ("Asia/Manila", "letter"),
        ("UTC", "letter"),  # no place said: what every PDF was before the setting
        ("Etc/UTC", "letter"),
        ("", "letter"),
    ],
)
def test_it_defaults_to_the_paper_of_the_time_zones_country(zone, expected):
    assert paper.for_zone(zone) == expected


def test_every_letter_zone_is_a_time_zone_this_machine_knows():
    """A typo in the list would leave that place on A4 without anyone noticing."""
    import zoneinfo

    assert paper.LETTER_ZONES <= zoneinfo.available_timezones()


def test_it_reads_the_setting_in_any_case_and_refuses_any_other_word(monkeypatch):
    monkeypatch.delenv("CONCERTED_PAPER", raising=False)
    assert env_choice("CONCERTED_PAPER", paper.NAMES, "a4") == "a4"
    monkeypatch.setenv("CONCERTED_PAPER", " Letter ")
    assert env_choice("CONCERTED_PAPER", paper.NAMES, "a4") == "letter"
    for bad in ("A3", "tabloid", "us letter"):
        monkeypatch.setenv("CONCERTED_PAPER", bad)
        with pytest.raises(ImproperlyConfigured, match=rf"CONCERTED_PAPER must be one of a4, letter, got '{bad}'"):
            env_choice("CONCERTED_PAPER", paper.NAMES, "a4")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "letter"),
        ({"CONCERTED_TIME_ZONE": "Europe/Lisbon"}, "a4"),
        ({"CONCERTED_TIME_ZONE": "America/Chicago"}, "letter"),
        ({"CONCERTED_TIME_ZONE": "Europe/Berlin", "CONCERTED_PAPER": "letter"}, "letter"),
        ({"CONCERTED_TIME_ZONE": "America/Toronto", "CONCERTED_PAPER": "A4"}, "a4"),
    ],
)
def test_the_settings_follow_the_time_zone_unless_told(tmp_path, env, expected):
    code = "import django; django.setup(); from django.conf import settings; print(settings.PAPER)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "CONCERTED_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "concerted.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_bad_paper_stops_a_command_with_one_line(tmp_path):
    result = concerted(tmp_path, "tick", CONCERTED_PAPER="A3")
    out = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in out, out
    assert "CONCERTED_PAPER must be one of a4, letter, got 'A3'" in out


def test_doctor_names_the_paper_and_why(tmp_path):
    result = concerted(tmp_path, "doctor", CONCERTED_TIME_ZONE="Europe/Lisbon")
    assert "note    paper: PDFs are laid out on A4 paper" in result.stdout, result.stdout
    assert "the default for the time zone Europe/Lisbon; CONCERTED_PAPER=a4 or letter changes it" in result.stdout
    assert "PROBLEM paper" not in result.stdout
    told = concerted(tmp_path, "doctor", CONCERTED_TIME_ZONE="Europe/Lisbon", CONCERTED_PAPER="letter")
    assert "note    paper: PDFs are laid out on US Letter paper" in told.stdout, told.stdout
    assert "CONCERTED_PAPER says so" in told.stdout


def test_deploy_knows_the_same_papers_as_the_app():
    # Deploy runs before Django is installed, so it keeps its own copy of the words.
    assert deploy.PAPER_NAMES == paper.NAMES


# --- the PDFs made on this computer ---------------------------------------------------
# Each maker takes paper="a4"/"letter" as `concerted reveal --paper` passes it.

CAMPAIGN = {"id": "c", "committee": "Acme workers committee"}
NAMED = [
    {"id": f"r{i}", "name": f"Signer {i}", "day": "2026-03-01", "consent_named": True, "contact": "", "comment": ""}
    for i in range(6)
]
MAKERS = {
    "petition for management": lambda **told: petition_pdf(
        Revealed(
            export={
                "kind": "petitions.signature",
                "parent": {"id": "p", "title": "End keystroke tracking", "addressee": "Acme", "body": "Stop it."},
                "campaign": CAMPAIGN,
            },
            rows=NAMED,
        ),
        **told,
    ),
    "pledge list": lambda **told: pledge_pdf(
        Revealed(
            export={
                "kind": "pledges.pledge",
                "parent": {"id": "p", "title": "We walk out", "promise": "If 5 of us do.", "threshold": 5},
                "campaign": CAMPAIGN,
            },
            rows=NAMED,
        ),
        **told,
    ),
}
LANDSCAPE_MAKERS = {
    "card filing": lambda **told: cards_pdf(
        Revealed(
            export={
                "kind": "cards.card",
                "parent": {"id": "u", "name": "Warehouse", "employer": "Acme", "union": "Local 1", "size": 40},
                "campaign": CAMPAIGN,
            }
        ),
        **told,
    ),
    "wall chart": lambda **told: roster_pdf(
        Revealed(export={"kind": "cards.roster", "parent": {"id": "u", "name": "Warehouse"}, "campaign": CAMPAIGN}),
        **told,
    ),
}


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize(("installation", "expected"), [("a4", A4), ("letter", LETTER)])
def test_an_installation_lays_its_deliverables_out_on_its_paper(settings, maker, installation, expected):
    settings.PAPER = installation
    assert sizes(MAKERS[maker]()) == {expected}


@pytest.mark.parametrize("maker", sorted(LANDSCAPE_MAKERS))
@pytest.mark.parametrize(("installation", "expected"), [("a4", A4), ("letter", LETTER)])
def test_the_landscape_rosters_turn_the_installations_paper(settings, maker, installation, expected):
    settings.PAPER = installation
    assert sizes(LANDSCAPE_MAKERS[maker]()) == {expected[::-1]}


@pytest.mark.parametrize("maker", sorted(MAKERS) + sorted(LANDSCAPE_MAKERS))
@pytest.mark.parametrize(("installation", "told", "expected"), [("letter", "a4", A4), ("a4", "letter", LETTER)])
def test_it_lays_a_deliverable_out_on_the_paper_it_is_told_whatever_this_computers(
    settings, maker, installation, told, expected
):
    """`concerted reveal --paper` on a laptop without the server's setting."""
    settings.PAPER = installation
    if maker in MAKERS:
        assert sizes(MAKERS[maker](paper=told)) == {expected}
    else:
        assert sizes(LANDSCAPE_MAKERS[maker](paper=told)) == {expected[::-1]}
