"""Small things a careful user notices (issue 14, finding 8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from concerted.petitions.models import Petition

pytestmark = pytest.mark.django_db


def test_the_home_page_opens_a_petition_by_its_short_code(client, petition):
    home = client.get("/").content.decode()
    assert 'action="/en/open/"' in home and 'name="code"' in home
    response = client.get(reverse("open"), {"code": f"  {petition.slug.upper()} "})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:sign", args=[petition.slug])
    pasted = client.get(reverse("open"), {"code": f"https://organize.example.org/p/{petition.slug}/"})
    assert pasted["Location"] == reverse("petitions:sign", args=[petition.slug])


def test_a_wrong_code_and_a_draft_get_the_same_answer(client, petition):
    wrong = client.get(reverse("open"), {"code": "zzzzzzz"})
    petition.status = Petition.Status.DRAFT
    petition.save()
    draft = client.get(reverse("open"), {"code": petition.slug})
    assert wrong.status_code == draft.status_code == 404
    assert "Nothing open has that code" in wrong.content.decode()
    assert wrong.content.decode().replace("zzzzzzz", petition.slug) == draft.content.decode()
    assert client.post(reverse("open"), {"code": petition.slug}).status_code == 405


def test_favicon_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_organizer_pages_configure_htmx_so_nothing_inline_is_needed(as_user, campaign):
    html = as_user("owner").get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html
    assert "<style" not in html and " style=" not in html
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/concerted.css")).read_text()
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css


def test_progress_bars_use_the_app_colours():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/concerted.css")).read_text()
    assert "progress::-webkit-progress-value { background: var(--accent)" in css
    assert "progress::-moz-progress-bar { background: var(--accent)" in css


def test_selects_say_words_not_dashes(as_user, campaign):
    html = as_user("owner").get(reverse("petitions:new", args=[campaign.pk])).content.decode()
    assert "<select" in html
    assert "---------" not in html
    assert "(none)" in html


def test_the_safety_box_says_name_only_where_a_name_is_asked(client, petition):
    from concerted.surveys.models import Survey

    survey = Survey.objects.create(campaign=petition.campaign, title="Pulse", status=Survey.Status.PUBLISHED)
    assert "Your name is sealed" in client.get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    answer = client.get(reverse("surveys:answer", args=[survey.slug])).content.decode()
    assert "Your name is sealed" not in answer and "doesn't ask for your name" in answer
    assert "Your name is sealed" not in client.get("/").content.decode()


def test_the_petition_form_says_which_goal_wins(as_user, campaign, petition):
    form = as_user("owner").get(reverse("petitions:new", args=[campaign.pk])).content.decode()
    assert "If you set both a number and a share, the number is the goal." in form
    petition.goal_count, petition.goal_percent = 10, 30
    petition.save()
    dashboard = as_user("owner").get(reverse("petitions:dashboard", args=[petition.pk])).content.decode()
    assert "the share of the unit is not used while a number is set" in dashboard
    assert petition.goal() == 10


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "concerted.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_cli_offers_only_concerted_commands():
    listing = run_cli("help")
    assert listing.returncode == 0
    listed = {line.split()[0]: line for line in listing.stdout.splitlines() if line.startswith("  ")}
    for name in ("reveal", "keys", "backup", "restore", "organizer", "notify", "migrate", "deploy"):
        assert name in listed
    # Each says in a line what it is for (a new operator read a bare list of names).
    assert "Make the committee keypair on this computer" in listed["keys"]
    assert "Create an organizer account" in listed["organizer"]
    assert all(len(line.split()) > 2 for line in listed.values()), listing.stdout
    for dangerous in ("flush", "dbshell", "sqlflush", "shell"):
        assert dangerous not in listed
        refused = run_cli(dangerous)
        assert refused.returncode == 2 and "unknown command" in refused.stderr


def test_cli_help_has_no_typos():
    help_text = run_cli("reveal", "--help").stdout
    assert "s's" not in help_text
    assert "--cards" in help_text


def test_it_speaks_the_terminals_language_on_the_command_line(monkeypatch):
    from concerted.cli import terminal_language

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert terminal_language() == "en"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert terminal_language() == "de"
    monkeypatch.setenv("LANGUAGE", "fr:pt_BR")
    assert terminal_language() == "pt"  # French isn't offered; the next choice is
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert terminal_language() == "pt"
