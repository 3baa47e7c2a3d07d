"""A threshold no campaign can reach is refused on the setup form, before the pledge
opens and locks it onto every page and flyer ("If we reach 9223372036854775807 of
us..."): a number of people above the campaign's unit size, and an absurd number when
the campaign has no unit size. What was typed is kept."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from concerted.core.days import today
from concerted.pledges.forms import MAX_THRESHOLD
from concerted.pledges.models import Pledge

from .conftest import setup_data, text

pytestmark = pytest.mark.django_db


def post(as_user, campaign, **overrides):
    return as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), setup_data(**overrides))


@pytest.mark.parametrize("count", ["61", "500", "9223372036854775807"])
def test_it_refuses_a_threshold_above_the_unit_size(as_user, campaign, count):
    campaign.unit_size = 60
    campaign.save()
    response = post(as_user, campaign, threshold_count=count)
    assert response.status_code == 400
    assert f"The campaign's unit has 60 coworkers, so a threshold of {count} people can never be reached." in text(
        response
    )
    assert f'value="{count}"' in text(response)  # what was typed is kept
    assert 'value="Refuse the tracker"' in text(response)
    assert not Pledge.objects.exists()


def test_it_takes_the_whole_unit(as_user, campaign):
    campaign.unit_size = 60
    campaign.save()
    response = post(as_user, campaign, threshold_count="60")
    assert response.status_code == 302
    assert Pledge.objects.get().threshold() == 60


@pytest.mark.parametrize("count", [str(MAX_THRESHOLD + 1), "9223372036854775807"])
def test_without_a_unit_size_it_refuses_an_absurd_threshold(as_user, campaign, count):
    campaign.unit_size = None
    campaign.save()
    response = post(as_user, campaign, threshold_count=count)
    assert response.status_code == 400
    assert f"A threshold of {count} people can never be reached. Give at most {MAX_THRESHOLD}." in text(response)
    assert not Pledge.objects.exists()


def test_without_a_unit_size_a_large_threshold_is_fine(as_user, campaign):
    campaign.unit_size = None
    campaign.save()
    assert post(as_user, campaign, threshold_count=str(MAX_THRESHOLD)).status_code == 302
    assert Pledge.objects.get().threshold() == MAX_THRESHOLD


def test_editing_a_draft_refuses_it_too(as_user, campaign):
    draft = Pledge.objects.create(
        campaign=campaign, title="T", promise="P", threshold_count=10, deadline=today() + datetime.timedelta(days=5)
    )
    response = as_user("owner").post(reverse("pledges:edit", args=[draft.pk]), setup_data(threshold_count="101"))
    assert response.status_code == 400
    assert "so a threshold of 101 people can never be reached" in text(response)
    draft.refresh_from_db()
    assert draft.threshold_count == 10
