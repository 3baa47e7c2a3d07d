"""One public address: everything printed uses CONCERTED_PUBLIC_BASE_URL; printing for
an address coworkers can't reach needs an explicit yes and is stamped TEST."""

from __future__ import annotations

import html
import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from concerted.core.public import is_test_address

from .qr import read_pdf

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("url", "test"),
    [
        ("http://127.0.0.1:8102", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://192.168.1.20:8000", True),
        ("http://10.0.0.5", True),
        ("http://172.16.3.4", True),
        ("http://169.254.1.1", True),
        ("http://organizing.local", True),
        ("http://nas", True),
        ("https://organize.example.org", False),
        ("http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab.onion", False),
        ("https://93.184.215.14", False),
    ],
)
def test_it_knows_which_addresses_coworkers_cant_reach(url, test):
    assert is_test_address(url) is test


def test_it_asks_before_printing_a_flyer_for_a_loopback_address(settings, as_user, petition, tmp_path):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8102"
    client = as_user("owner")
    url = reverse("flyers:pdf", args=["petition", petition.pk])
    refused = client.get(url, {"paper": "a4"})
    assert refused.status_code == 400
    assert not refused.content.startswith(b"%PDF")
    assert "Coworkers' phones can't reach this address" in html.unescape(refused.content.decode())
    printed = client.get(url, {"paper": "a4", "test": "yes"})
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert "TEST" in printed["Content-Disposition"]
    assert "TEST PRINT" in pdf_text(printed.content)
    assert read_pdf(printed.content, tmp_path)[0].codes == [f"http://127.0.0.1:8102/en/p/{petition.slug}/"]


def test_it_asks_before_printing_invite_cards_for_a_private_address(settings, as_user, invite_petition):
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    client = as_user("owner")
    url = reverse("flyers:batch_new", args=["petition", invite_petition.pk])
    refused = client.post(url, {"count": 4, "label": "Night shift", "paper": "letter"})
    assert refused.status_code == 400
    assert 'value="Night shift"' in refused.content.decode()  # what was typed is kept
    made = client.post(url, {"count": 4, "label": "Night shift", "paper": "letter", "test": "yes"})
    assert made.content.startswith(b"%PDF")
    assert "TEST PRINT" in pdf_text(made.content)


def test_a_reachable_address_prints_without_a_stamp(as_user, petition):
    response = as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk]))
    assert response.status_code == 200
    assert "TEST" not in pdf_text(response.content)


def test_the_flyer_prints_the_whole_ask(as_user, petition):
    petition.body = (
        "Acme installed a keystroke tracker on every laptop.\n\n"
        "Nobody was asked, and nobody knows what it records.\n\n"
        "We ask management to switch it off by 1 March."
    )
    petition.save()
    text = " ".join(pdf_text(as_user("owner").get(reverse("flyers:pdf", args=["petition", petition.pk])).content).split())
    assert "switch it off by 1 March" in text
    assert "nobody knows what it records" in text


def test_ballot_cards_use_the_public_address_not_the_request(settings, as_user, campaign, tmp_path):
    from concerted.bargaining.models import Kit

    settings.PUBLIC_BASE_URL = "https://organize.example.org"
    kit = Kit.objects.create(campaign=campaign)
    response = as_user("owner").post(
        reverse("flyers:batch_new", args=["ballot", kit.pk]),
        {"count": 2, "label": "x", "paper": "letter"},
        HTTP_HOST="127.0.0.1:9999",
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    decoded = [c for page in read_pdf(response.content, tmp_path) for c in page.codes]
    vote = "https://organize.example.org" + reverse("bargaining:vote", args=[kit.slug])
    assert decoded and all(url.startswith(vote) for url in decoded)
    assert "127.0.0.1:9999" not in pdf_text(response.content)


def test_make_run_serves_and_prints_the_port_it_was_given():
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=8102", "HOST=127.0.0.1"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    ).stdout
    assert "CONCERTED_PUBLIC_BASE_URL=http://127.0.0.1:8102" in out
    assert "--bind 127.0.0.1:8102" in out
    assert ":8000" not in out
