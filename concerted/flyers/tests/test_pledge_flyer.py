"""Flyers for pledges come from the same registry as petitions."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from concerted.core.days import today
from concerted.pledges.models import Pledge

from .qr import read_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(campaign):
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the keystroke tracker",
        promise="I will decline to install the new tracker on my work laptop.",
        threshold_count=40,
        deadline=today() + datetime.timedelta(days=14),
    )
    pledge.open()
    return pledge


@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_it_prints_a_pledge_flyer(as_user, pledge, settings, tmp_path, who):
    settings.PUBLIC_BASE_URL = "https://pledge.example.org"
    response = as_user(who).get(reverse("flyers:pdf", args=["pledge", pledge.pk]), {"paper": "a4"})
    assert response.status_code == 200
    (page,) = read_pdf(response.content, tmp_path)
    assert page.codes == [f"https://pledge.example.org/en/k/{pledge.slug}/"]
    assert page.sizes_cm[0] >= 6.5
    html = as_user(who).get(reverse("flyers:page", args=["pledge", pledge.pk])).content.decode()
    assert "Refuse the keystroke tracker" in html


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_keeps_pledge_flyers_from_others(as_user, pledge, who):
    for url in (reverse("flyers:pdf", args=["pledge", pledge.pk]), reverse("flyers:page", args=["pledge", pledge.pk])):
        response = as_user(who).get(url)
        assert response.status_code in (302, 404)
        assert not response.content.startswith(b"%PDF")
