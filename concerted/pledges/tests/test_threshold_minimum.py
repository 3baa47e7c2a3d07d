"""No pledge below 5 people (DESIGN invariants 4 and 5): with fewer, anyone who learns
that the pledge went ahead can guess who pledged. The setup form refuses it with a
clear message (keeping what was typed), and a draft that would open below 5 -- say the
unit shrank under a percentage -- doesn't open."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from concerted.core.days import today
from concerted.pledges.models import MIN_THRESHOLD, Pledge

from .conftest import setup_data, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("small", ["1", "2", "4"])
def test_it_refuses_a_threshold_below_five(as_user, campaign, small):
    response = as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), setup_data(threshold_count=small))
    assert response.status_code == 400
    assert "A threshold must be at least 5 people." in text(response)
    assert 'value="Refuse the tracker"' in text(response)  # nothing typed is lost
    assert not Pledge.objects.exists()


def test_it_refuses_a_percentage_that_makes_fewer_than_five(as_user, campaign):
    data = setup_data(threshold_count="", threshold_percent="4")  # 4% of 100 = 4 people
    response = as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), data)
    assert response.status_code == 400
    assert "4% of 100 coworkers is fewer than 5 people." in text(response)
    assert not Pledge.objects.exists()


def test_it_takes_five(as_user, campaign):
    response = as_user("owner").post(reverse("pledges:new", args=[campaign.pk]), setup_data(threshold_count="5"))
    assert response.status_code == 302
    assert Pledge.objects.get().threshold() == MIN_THRESHOLD == 5


def test_a_draft_below_five_does_not_open(as_user, campaign):
    draft = Pledge.objects.create(
        campaign=campaign, title="T", promise="P", threshold_percent=10, deadline=today() + datetime.timedelta(days=5)
    )
    campaign.unit_size = 30  # the unit shrank: 10% is now 3 people
    campaign.save()
    response = as_user("owner").post(reverse("pledges:open", args=[draft.pk]), follow=True)
    assert "it must be at least 5" in text(response)
    draft.refresh_from_db()
    assert draft.status == Pledge.Status.DRAFT
