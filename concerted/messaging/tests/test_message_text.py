"""What a recipient reads: the plain-text part keeps link addresses, list markers and
paragraphs; the words around the message (footer, stop sentence, the HTML's language)
are in the campaign's main language, not the sending organizer's terminal's. And
`--where` on the sending machine: an unknown field is an error, group values match
regardless of case."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError
from django.utils import translation
from django.utils.translation import ngettext

from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
from concerted.core.markdown import to_text
from concerted.messaging.models import Message

from .conftest import smtp_args
from .test_roster import add
from .test_send import run

BODY = """Hello,

Read [Our FAQ](https://example.org/faq) before Monday, or write to [us](mailto:committee@example.org).

What we ask:

- a human decides
- no keystroke logging

1. Sign the card
2. Talk to a coworker

> We are stronger together."""


def test_plain_text_keeps_links_lists_and_paragraphs():
    assert to_text(BODY) == (
        "Hello,\n\n"
        "Read Our FAQ <https://example.org/faq> before Monday, or write to us <committee@example.org>.\n\n"
        "What we ask:\n\n"
        "- a human decides\n- no keystroke logging\n\n"
        "1. Sign the card\n2. Talk to a coworker\n\n"
        "> We are stronger together."
    )


def test_plain_text_nests_lists_and_refuses_what_the_html_refuses():
    text = "- one\n  - inner <https://example.org/x>\n- two\n\n---\n\n[click](javascript:alert(1))\n\n    code\n"
    assert to_text(text) == (
        "- one\n  - inner https://example.org/x\n- two\n\n* * *\n\n[click](javascript:alert(1))\n\n    code"
    )
    assert to_text("**Act** on *Monday*.\nMeet at 9.") == "Act on Monday.\nMeet at 9."


@pytest.mark.django_db(transaction=True)
def test_the_sent_plain_text_part_keeps_the_link_address(petition, sign, download, key_file, smtp, tmp_path):
    sign("ana@example.net")
    message = Message.objects.create(
        campaign=petition.campaign,
        audience="petitions.signers",
        audience_parent=str(petition.pk),
        subject="Before Monday",
        body=BODY,
    )
    run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        *smtp_args(smtp),
    )  # fmt: skip
    _rcpts, mail = smtp.received[0]
    plain = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "Our FAQ <https://example.org/faq>" in plain
    assert "- a human decides\n- no keystroke logging" in plain and "1. Sign the card\n2. Talk" in plain
    assert "Hello,\n\nRead Our FAQ" in plain


# --- the words around the message ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("campaign_language", "footer", "not_there"),
    [
        ("en", "You get this because you agreed", "Du bekommst diese Nachricht"),
        ("de", "Diese Nachrichten abbestellen", "Stop these messages"),
    ],
)
def test_recipients_read_the_campaigns_language_not_the_organizers_terminals(
    monkeypatch, petition, sign, message, download, key_file, smtp, tmp_path, campaign_language, footer, not_there
):
    petition.campaign.language = campaign_language
    petition.campaign.save(update_fields=["language"])
    sign("ana@example.net")
    path = download(message)
    # The organizer who sends reads German in their terminal; the campaign is English (or German).
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    out, _err = run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"), *smtp_args(smtp)
    )
    # What the organizer reads is in their language: the line as the German catalog has it.
    sent = ("Sent %(n)d message in this run; %(total)d in all.", "Sent %(n)d messages in this run; %(total)d in all.")
    with translation.override("de"):
        german = ngettext(*sent, 1) % {"n": 1, "total": 1}
    assert german != sent[0] % {"n": 1, "total": 1}, "the German catalog lacks this line (make messages)"
    assert german in out
    _rcpts, mail = smtp.received[0]
    html = mail.get_body(preferencelist=("html",)).get_content()
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    assert footer in html and not_there not in html
    assert re.search(rf'<html lang="{campaign_language}">', html)
    if campaign_language == "en":
        assert "You get this because you agreed" in plain


@pytest.mark.django_db
def test_the_preview_is_in_the_campaigns_language(as_user, petition, message):
    from django.urls import reverse

    petition.campaign.language = "de"
    petition.campaign.save(update_fields=["language"])
    page = as_user("owner").get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert "Diese Nachrichten abbestellen" in page and 'lang="de"' in page


# --- --where ---------------------------------------------------------------------------------


@pytest.fixture
def unit(campaign) -> BargainingUnit:
    return BargainingUnit.objects.create(
        campaign=campaign, name="Bakers", employer="Acme", union="U", size=40, card_text=DEFAULT_CARD_TEXT
    )


def roster_with_departments(as_user, unit: BargainingUnit) -> Message:
    from django.urls import reverse

    organizer = as_user("owner")
    for name, department in (("Ana", "Ovens"), ("Bo", "Ovens"), ("Cy", "Packing")):
        response = organizer.post(
            reverse("cards:roster", args=[unit.pk]),
            {"name": name, "contact": f"{name.lower()}@example.net", "department": department, "may_message": "on"},
        )
        assert response.status_code == 302
    return Message.objects.create(
        campaign=unit.campaign, audience="cards.roster", audience_parent=str(unit.pk), subject="S", body="B"
    )


@pytest.mark.django_db(transaction=True)
def test_where_refuses_a_field_the_records_dont_have(as_user, unit, download, key_file, tmp_path):
    add(as_user("owner"), unit, "Ana", "ana@example.net", assessment="1", agreed=True)
    message = Message.objects.create(
        campaign=unit.campaign, audience="cards.roster", audience_parent=str(unit.pk), subject="S", body="B"
    )
    with pytest.raises(CommandError, match=r"no field assesment\. The fields they have: .*assessment.*department"):
        run(
            "--file", str(download(message)), "--key", str(key_file), "--where", "assesment=1",
            "--journal", str(tmp_path / "j"),
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_where_matches_group_values_regardless_of_case(as_user, unit, download, key_file, smtp, tmp_path):
    path = download(roster_with_departments(as_user, unit))
    out, _err = run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        "--where", "department=ovens", *smtp_args(smtp),
    )  # fmt: skip
    assert sorted(smtp.to()) == ["ana@example.net", "bo@example.net"]
    assert "Left out by --where: 1 record." in out
