"""Ballot codes for the bargaining kit print as tear-off cards whose QR codes lead to
the vote page with the code filled in."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from concerted.bargaining.models import Demand, Kit

pytestmark = pytest.mark.django_db


def test_it_prints_ballot_cards_whose_codes_vote_once(as_user, campaign, tmp_path, settings):
    kit = Kit.objects.create(campaign=campaign, voting_open=True)
    Demand.objects.create(kit=kit, title="A human decides", text="A human makes the final decision.", status="ballot")
    client = as_user("owner")
    page = client.get(reverse("flyers:page", args=["ballot", kit.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("flyers:batch_new", args=["ballot", kit.pk]), {"count": 1, "label": "floor 3", "paper": "a4"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", *sorted(str(p) for p in tmp_path.glob("page*.png"))],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    vote_url = settings.PUBLIC_BASE_URL + reverse("bargaining:vote", args=[kit.slug])
    assert decoded and all(url.startswith(vote_url + "?code=") for url in decoded)
    code = re.search(r"\?code=(.+)$", decoded[0]).group(1)
    voter = Client()
    form = voter.get(reverse("bargaining:vote", args=[kit.slug]), {"code": code})
    assert form.status_code == 200
    assert code in form.content.decode()


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_strangers_get_no_ballot_cards(as_user, campaign, who):
    kit = Kit.objects.create(campaign=campaign, voting_open=True)
    response = as_user(who).post(reverse("flyers:batch_new", args=["ballot", kit.pk]), {"count": 1, "label": "x"})
    assert response.status_code in (302, 404)
    assert response.get("Content-Type") != "application/pdf"
