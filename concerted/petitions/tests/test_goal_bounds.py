"""A petition's goal: 0 is not silently read as "no goal" (Petition.goal() treats a
zero count as no number), and a goal above the campaign's unit size, or an absurd one
without a unit size, is refused on the form with what was typed kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from concerted.petitions.models import Petition

pytestmark = pytest.mark.django_db


def data(**overrides) -> dict[str, str]:
    return {"title": "Stop the leaderboard", "body": "No token-count rankings.", "addressee": "Acme", **overrides}


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def post(as_user, campaign, **overrides):
    return as_user("owner").post(reverse("petitions:new", args=[campaign.pk]), data(**overrides))


def test_a_goal_of_zero_is_explained_not_dropped(as_user, campaign):
    response = post(as_user, campaign, goal_count="0", goal_percent="30")
    assert response.status_code == 400
    assert "A goal of 0 is no goal. Leave the number empty for no goal." in text(response)
    assert 'value="Stop the leaderboard"' in text(response)
    assert not Petition.objects.exists()


def test_an_empty_goal_is_no_goal(as_user, campaign):
    assert post(as_user, campaign, goal_count="").status_code == 302
    assert Petition.objects.get().goal() is None


@pytest.mark.parametrize("goal", ["61", "1000", "9223372036854775807"])
def test_it_refuses_a_goal_above_the_unit_size(as_user, campaign, goal):
    campaign.unit_size = 60
    campaign.save()
    response = post(as_user, campaign, goal_count=goal)
    assert response.status_code == 400
    assert f"The campaign's unit has 60 coworkers, so a goal of {goal} signatures can never be reached." in text(
        response
    )
    assert f'value="{goal}"' in text(response)
    assert not Petition.objects.exists()


def test_it_takes_the_whole_unit(as_user, campaign):
    campaign.unit_size = 60
    campaign.save()
    assert post(as_user, campaign, goal_count="60").status_code == 302
    assert Petition.objects.get().goal() == 60


@pytest.mark.parametrize("goal", ["1000001", "9223372036854775807"])
def test_without_a_unit_size_it_refuses_an_absurd_goal(as_user, campaign, goal):
    campaign.unit_size = None
    campaign.save()
    response = post(as_user, campaign, goal_count=goal)
    assert response.status_code == 400
    assert f"A goal of {goal} signatures can never be reached. Give at most 1000000." in text(response)
    assert not Petition.objects.exists()


def test_without_a_unit_size_a_large_goal_is_fine(as_user, campaign):
    campaign.unit_size = None
    campaign.save()
    assert post(as_user, campaign, goal_count="5000").status_code == 302
    assert Petition.objects.get().goal() == 5000


def test_editing_refuses_it_too(as_user, petition):
    response = as_user("owner").post(reverse("petitions:edit", args=[petition.pk]), data(goal_count="101"))
    assert response.status_code == 400
    assert "so a goal of 101 signatures can never be reached" in text(response)
