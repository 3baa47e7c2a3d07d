"""Two demands on one kit's board never share a title: the ballot, the results and the
brief name demands by title, so a twin would split one demand's support in two."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.bargaining import filing
from concerted.bargaining.models import Demand, Kit
from concerted.core.text import same_words_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "title",
    [
        "No keyloggers",
        "no KEYLOGGERS",
        "  No   keyloggers ",
        "No\u00a0keyloggers",  # a no-break space
        "No\tkeyloggers",
        "\uff2eo keyloggers",  # a full-width N
    ],
)
def test_it_refuses_a_second_demand_with_the_same_title_keeping_what_was_typed(as_user, kit, demands, title):
    before = Demand.objects.count()
    response = as_user("owner").post(
        reverse("bargaining:demand_new", args=[kit.pk]),
        {"title": title, "text": "Uninstall every keylogger.", "status": "ballot"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The board already has a demand called “No keyloggers”" in page
    assert "Uninstall every keylogger." in page  # nothing typed is lost
    assert Demand.objects.count() == before


def test_it_refuses_renaming_a_demand_to_another_ones_title(as_user, kit, demands):
    _human, _keyloggers, leaderboards = demands
    response = as_user("owner").post(
        reverse("bargaining:demand_edit", args=[leaderboards.pk]),
        {"title": "HUMAN decides", "text": "Kept text", "status": "ballot"},
    )
    assert response.status_code == 400
    assert "already has a demand called “Human decides”" in response.content.decode()
    leaderboards.refresh_from_db()
    assert leaderboards.title == "No leaderboards"


def test_a_demand_keeps_its_own_title_and_other_kits_are_not_compared(as_user, kit, demands, campaign):
    human = demands[0]
    client = as_user("owner")
    saved = client.post(
        reverse("bargaining:demand_edit", args=[human.pk]),
        {"title": "Human  DECIDES", "text": "A human decides.", "status": "ballot"},
    )
    assert saved.status_code == 302
    other_campaign = type(campaign).objects.create(name="Elsewhere too", committee_name="C")
    other_campaign.organizers.add(campaign.organizers.first(), through_defaults={"role": "owner"})
    other_kit = Kit.objects.create(campaign=other_campaign)
    elsewhere = client.post(
        reverse("bargaining:demand_new", args=[other_kit.pk]),
        {"title": "No keyloggers", "text": "x", "status": "draft"},
    )
    assert elsewhere.status_code == 302


def test_a_merged_duplicate_is_off_the_board_and_frees_its_title(as_user, kit, demands):
    human, keyloggers, _leaderboards = demands
    filing.merge(keyloggers, human)
    response = as_user("owner").post(
        reverse("bargaining:demand_new", args=[kit.pk]), {"title": "No keyloggers", "text": "x", "status": "draft"}
    )
    assert response.status_code == 302


def test_titles_compare_after_nfkc_case_folding_and_whitespace():
    assert same_words_key("  Stra\u00dfe\u00a0 ohne   Kameras ") == same_words_key("STRASSE OHNE KAMERAS")
    assert same_words_key("\ufb01nal say") == same_words_key("Final say")  # the "fi" ligature
    assert same_words_key("Caf\u00e9") == same_words_key("Cafe\u0301")
    assert same_words_key("No keyloggers") != same_words_key("No key loggers")
    # A zero-width space or joiner is invisible on the board: the same title to a reader.
    assert same_words_key("No key\u200bloggers") == same_words_key("No \u2060keyloggers")
