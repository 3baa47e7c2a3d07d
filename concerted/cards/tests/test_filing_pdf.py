"""The filing PDF (`cards-<slug>.pdf`): a repeated signer's latest card is the one
listed, the PDF says how many repeats were set aside, the signing date stays on one
line, and a one-word "full legal name" is refused with a clear message."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from concerted.cards.deliverable import cards_pdf, keep_latest
from concerted.cards.models import Card
from concerted.core.reveal import open_export

from .conftest import sign_card

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def opened(as_user, unit, private_key):
    export = json.loads(as_user("owner").get(reverse("cards:export_cards", args=[unit.pk])).content)
    return open_export(export, private_key)


def test_a_repeated_signer_is_listed_once_with_the_card_they_signed_last():
    d = datetime.date(2026, 11, 20)
    # keep_latest works on what it is given, whatever order.
    rosa_rows = [
        {"id": "a", "full_name": "Rosa Parks", "phone": "+1 555 0100", "email": "", "signed_on": d.isoformat()},
        {
            "id": "b",
            "full_name": "Rosa Louise McCauley Parks",
            "phone": "+1 (555) 0100",
            "email": "rosa@example.org",
            "signed_on": (d + datetime.timedelta(days=5)).isoformat(),
        },
        {
            "id": "c",
            "full_name": "Rosa Parks",
            "phone": "+1 555-0100",
            "signed_on": (d + datetime.timedelta(days=2)).isoformat(),
        },
        {"id": "d", "full_name": "Ada Lovelace", "phone": "+44 20 0000 0000", "signed_on": d.isoformat()},
    ]
    kept, set_aside = keep_latest(rosa_rows[::-1])
    assert sorted(r["id"] for r in kept) == ["b", "d"] and set_aside == 2
    # The same day: the fuller card stays.
    same_day = [
        {"id": "x", "full_name": "Rosa Parks", "phone": "+1 555 0100", "signed_on": d.isoformat()},
        {
            "id": "y",
            "full_name": "Rosa Parks",
            "phone": "+1 555 0100",
            "email": "r@example.org",
            "signed_on": d.isoformat(),
        },
    ]
    assert [r["id"] for r in keep_latest(same_day)[0]] == ["y"]


def test_the_pdf_lists_the_latest_card_and_says_how_many_repeats_were_set_aside(as_user, unit, private_key, tmp_path):
    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 555 0100")
    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 555 0100")
    sign_card(
        unit,
        full_name="Rosa Louise McCauley Parks",
        signature="Rosa Parks",
        phone="+1 (555) 0100",
        email="rosa@example.org",
    )
    sign_card(unit, full_name="Ada Lovelace", signature="Ada Lovelace", phone="+44 20 0000 0000")
    # All signed today here; as in the report, Rosa's first two cards came days earlier
    # (each card's sealed date must match its row's day, so both are set back).
    revealed = opened(as_user, unit, private_key)
    for row in revealed.rows:
        if row["full_name"] == "Rosa Parks":
            row["signed_on"] = row["day"] = "2026-11-20"
    assert len(revealed.rows) == 4
    text = text_of(cards_pdf(revealed), tmp_path)
    assert "Rosa Louise McCauley" in text
    assert "rosa@example.org" in text
    assert "2 repeated cards were set aside" in text
    assert "2 verified cards in a unit of 10" in text


def test_the_pdf_counts_repeats_reveal_set_aside_before_it(as_user, unit, private_key, tmp_path):
    """`concerted reveal` may hand the PDF only one card per signer (core/dedup.py): the
    export's record count still tells how many were set aside."""
    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 555 0100")
    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 555 0100")
    revealed = opened(as_user, unit, private_key)
    revealed.rows = revealed.rows[:1]
    text = text_of(cards_pdf(revealed), tmp_path)
    assert "1 repeated card was set aside" in text


def test_the_signing_date_stays_on_one_line(as_user, unit, private_key, tmp_path):
    sign_card(
        unit,
        full_name="Anne-Marie d'Arcy-Vandenberghe",
        signature="Anne-Marie d'Arcy-Vandenberghe",
        phone="+32 470 12 34 56",
        email="anne.marie.darcy.vandenberghe@example.org",
    )
    revealed = opened(as_user, unit, private_key)
    day = revealed.rows[0]["signed_on"]
    lines = text_of(cards_pdf(revealed), tmp_path).splitlines()
    signers = lines[lines.index("Signers") :]  # the table, not "Prepared <day> by ..."
    assert day in signers, [line for line in signers if line[:4] == day[:4]]


@pytest.mark.parametrize("name", ["Rosa", "  Rosa  ", "Rosa-"])
def test_a_one_word_full_name_is_refused_with_a_clear_message(unit, name):
    response = sign_card(unit, full_name=name, signature="Rosa")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write your first name and your surname" in page
    assert not Card.objects.exists()


def test_concerted_reveal_files_one_card_per_signer_the_fullest_of_a_day(as_user, unit, private_key, tmp_path):
    """Through `concerted reveal --file`: the PDF gets every opened card and keeps one
    per signer (signed the same day, as here: the fuller card)."""
    from django.core.management import call_command

    from concerted.core import keys

    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 555 0100")
    sign_card(
        unit, full_name="Rosa Louise McCauley Parks", signature="Rosa Parks", phone="+1 555 0100", email="r@example.org"
    )
    sign_card(unit, full_name="Rosa Parks", signature="Rosa Parks", phone="+1 (555) 0100")
    key = tmp_path / "committee.key"
    key.write_text(keys.format_private(private_key) + "\n")
    source = tmp_path / "export.json"
    source.write_text(as_user("owner").get(reverse("cards:export_cards", args=[unit.pk])).content.decode())
    call_command("reveal", key=str(key), file=str(source), out=str(tmp_path / "out"), stdout=io.StringIO())
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "out" / f"cards-{unit.slug}.pdf").pages)
    assert "Rosa Louise McCauley" in text and "r@example.org" in text
    assert "2 repeated cards were set aside" in text
    assert "1 verified cards in a unit of 10" in text
