from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.core.days import local_today


@pytest.fixture
def make_pledge(campaign):
    from concerted.pledges.models import Pledge

    def make(*, status: str = "open", days_left: int = 10, **fields):
        values = {
            "campaign": campaign,
            "title": "Refuse the tracker",
            "promise": "I will decline to install the tracker.",
            "threshold_count": 5,
            "deadline": local_today() + datetime.timedelta(days=days_left),
            **fields,
        }
        pledge = Pledge.objects.create(**values)
        if status != "draft":
            pledge.open()
        return pledge

    return make


@pytest.fixture
def pledge(make_pledge):
    return make_pledge()


def pledge_post(pledge, **fields) -> object:
    data = {"name": "Ada Lovelace", "contact": "", **fields}
    return Client().post(reverse("pledges:pledge", args=[pledge.slug]), data)


def receipt_code(response) -> str:
    return re.search(r"/r/([A-Z2-7]{26})/", response["Location"]).group(1)


@pytest.fixture
def add_pledges():
    """add_pledges(pledge, n) -> receipt codes; through the real form."""

    def add(pledge, n: int, prefix: str = "Pledger") -> list[str]:
        codes = []
        for i in range(n):
            response = pledge_post(pledge, name=f"{prefix} {i}")
            assert response.status_code == 302, response.content.decode()[:2000]
            codes.append(receipt_code(response))
        return codes

    return add


def move_deadline(pledge, days_from_today: int) -> None:
    """Time passes: move the deadline instead of the clock (the form refuses past days)."""
    from concerted.pledges.models import Pledge

    Pledge.objects.filter(pk=pledge.pk).update(deadline=local_today() + datetime.timedelta(days=days_from_today))
    pledge.refresh_from_db()


def setup_data(**overrides) -> dict[str, str]:
    """The organizer's pledge form, filled in: a count of 10, 20 days to go."""
    return {
        "title": "Refuse the tracker",
        "promise": "I will decline to install the tracker.",
        "body": "",
        "threshold_count": "10",
        "threshold_percent": "",
        "deadline": (local_today() + datetime.timedelta(days=20)).isoformat(),
        **overrides,
    }


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")
