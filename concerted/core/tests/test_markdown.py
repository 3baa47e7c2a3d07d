"""Organizer texts are Markdown, rendered safely: formatting shows on pages and in every
PDF; script, event handlers, javascript: and data: URLs never come through."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from pypdf import PdfReader

from concerted.core.markdown import to_flowables, to_html, to_plain
from concerted.core.pdf import styles

pytestmark = pytest.mark.django_db

PAYLOADS = "\n\n".join(
    [
        "**Switch the tracker off.**",
        "- one\n- two",
        "<script>alert('s')</script>",
        "<img src=x onerror=alert('e')>",
        '<a href="javascript:alert(1)">click</a>',
        "[click me](javascript:alert('j'))",
        "[JaVaScRiPt](JAVASCRIPT:alert('J'))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![pixel](https://tracker.example/p.png)",
        "![data image](data:image/png;base64,iVBORw0KGgo=)",
        '<svg onload="alert(1)"></svg>',
        "<iframe src='https://evil.example'></iframe>",
        "[ok](https://example.org/why)",
    ]
)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def dangers(html: str) -> list[str]:
    parser = Elements()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.found:
        if tag in ("iframe", "svg", "object", "embed", "img"):
            bad.append(tag)
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            bad.append("inline script")
        for name, value in attrs:
            if name.startswith("on"):
                bad.append(f"{tag} {name}")
            if name in ("href", "src", "action") and re.match(r"\s*(javascript|data|vbscript):", value or "", re.I):
                bad.append(f"{tag} {name}={value}")
    return bad


def pdf_dangers(data: bytes) -> list[str]:
    bad = [m.decode() for m in re.findall(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b", data)]
    bad += [m.decode() for m in re.findall(rb"/URI\s*\((?:javascript|data|vbscript):", data, re.I)]
    return bad


def test_it_formats_and_refuses_active_content():
    html = to_html(PAYLOADS)
    assert "<strong>Switch the tracker off.</strong>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org/why" rel="nofollow noopener noreferrer">ok</a>' in html
    assert dangers(html) == []
    assert "<img" not in html  # no image requests to anyone; a link at most
    assert "Switch the tracker off." in to_plain(PAYLOADS)
    assert len(to_flowables(PAYLOADS, styles()["BodyText"])) > 5


def test_no_payload_reaches_the_sign_page_or_the_flyer(as_user, client, petition):
    petition.body = PAYLOADS
    petition.save()
    page = client.get(reverse("petitions:sign", args=[petition.slug])).content.decode()
    assert "<strong>Switch the tracker off.</strong>" in page
    assert dangers(page) == []
    owner = as_user("owner")
    # The editor's preview (of a new petition: an open one's text is fixed).
    preview = owner.post(
        reverse("petitions:new", args=[petition.campaign_id]),
        {"title": petition.title, "body": PAYLOADS, "addressee": "x", "preview": "1"},
    ).content.decode()
    assert "<strong>Switch the tracker off.</strong>" in preview
    assert dangers(preview) == []
    flyer = owner.get(reverse("flyers:pdf", args=["petition", petition.pk]), {"test": "yes"}).content
    assert flyer.startswith(b"%PDF")
    assert pdf_dangers(flyer) == []
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(flyer)).pages).split())
    assert "**" not in text and "Switch the tracker off." in text


def test_no_payload_reaches_the_pledge_page(client, campaign):
    import datetime

    from concerted.pledges.models import Pledge

    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the tracker",
        promise=PAYLOADS[:190],
        body=PAYLOADS,
        threshold_count=10,
        deadline=datetime.date.today() + datetime.timedelta(days=30),
        status=Pledge.Status.OPEN,
    )
    page = client.get(reverse("pledges:pledge", args=[pledge.slug])).content.decode()
    assert "<strong>Switch the tracker off.</strong>" in page
    assert dangers(page) == []


def test_no_payload_reaches_the_delivery_pdf(petition, private_key):
    from concerted.core.reveal import Revealed
    from concerted.petitions import deliverable

    export = {
        "parent": {"title": "T", "addressee": "A", "body": PAYLOADS},
        "campaign": {"committee": "C"},
    }
    data = deliverable.petition_pdf(Revealed(export=export))
    assert pdf_dangers(data) == []
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Switch the tracker off." in text and "**" not in text


def test_the_pledge_editor_previews_without_saving(as_user, campaign):
    from concerted.pledges.models import Pledge

    response = as_user("owner").post(
        reverse("pledges:new", args=[campaign.pk]),
        {"title": "Refuse", "promise": "I will **refuse** the tracker.", "body": PAYLOADS, "preview": "1"},
    )
    html = response.content.decode()
    assert "<strong>refuse</strong>" in html and dangers(html) == []
    assert not Pledge.objects.exists()
