"""Cards, roster and notes through `concerted reveal` on the organizer's machine."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from concerted.cards import signing
from concerted.cards.models import Card
from concerted.core import keys
from concerted.core.days import today
from concerted.core.reveal import open_export
from concerted.core.testing import export_columns, reseal_columns

from .conftest import sign_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(tmp_path, private_key):
    path = tmp_path / "committee.key"
    path.write_text(keys.format_private(private_key) + "\n")
    return path


def download(as_user, name, unit):
    response = as_user("owner").get(reverse(name, args=[unit.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def reveal(export, key_file, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    failed = None
    try:
        call_command("reveal", key=str(key_file), file=str(source), out=str(tmp_path / "out"), stdout=out, stderr=err)
    except CommandError as exc:
        failed = str(exc)
    return out.getvalue(), err.getvalue(), failed


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_cards_round_trip_through_reveal_into_csv_and_pdf(as_user, unit, key_file, tmp_path):
    sign_card(unit, full_name="Zoë Ångström-Okafor", signature="zoe angstrom okafor", phone="+49 151 1111 1111")
    sign_card(unit, full_name="Ada Lovelace", signature="Ada Lovelace", phone="+49 151 2222 2222")
    out, err, failed = reveal(download(as_user, "cards:export_cards", unit), key_file, tmp_path)
    assert failed is None, err
    assert "Opened 2 records:" in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / f"cards-{unit.slug}.csv").read_text(encoding="utf-8"))))
    assert {r["full_name"] for r in rows} == {"Zoë Ångström-Okafor", "Ada Lovelace"}
    assert {r["typed_signature"] for r in rows} == {"zoe angstrom okafor", "Ada Lovelace"}
    assert all(r["consent"] == "True" and r["card_text"] == unit.rendered_card_text() for r in rows)
    text = pdf_text(tmp_path / "out" / f"cards-{unit.slug}.pdf")
    assert "Zoë Ångström-Okafor" in text
    assert "Support agent II" in text
    assert "authorize Acme Workers United" in text
    assert "2 verified cards in a unit of 10" in text
    assert "None: every card verified" in text


def test_reveal_refuses_swapped_and_moved_cards_and_names_them(as_user, unit, other_unit, key_file, tmp_path):
    for i in range(4):
        sign_card(unit, phone=f"+49 151 3333 000{i}")
    foreign_fields = {"full_name": "Eve Mallory", "employer": "Other", "job_classification": "Clerk"}
    signing.sign_card(
        other_unit, {**foreign_fields, "phone": "+1 555 0100", "signature": "Eve Mallory", "consent": True}
    )
    a, b, c, _good = Card.objects.filter(unit=unit).order_by("id")
    foreign = Card.objects.get(unit=other_unit)
    # The server swaps two cards' blobs and moves a card from another unit into this one.
    a.sealed, b.sealed = bytes(b.sealed), bytes(a.sealed)
    a.save()
    b.save()
    c.sealed = bytes(foreign.sealed)
    c.save()
    export = download(as_user, "cards:export_cards", unit)
    _out, err, failed = reveal(export, key_file, tmp_path)
    assert failed == "3 records could not be verified; see above."
    for card in (a, b, c):
        assert f"REFUSED record {card.pk}" in err
    assert "does not match the row" in err
    text = pdf_text(tmp_path / "out" / f"cards-{unit.slug}.pdf")
    assert "FAILED verification" in text
    assert "Do not file them" in text


def test_reveal_refuses_a_card_whose_text_record_was_altered(as_user, unit, key_file, tmp_path):
    sign_card(unit, phone="+49 151 5555 0000")
    sign_card(unit, phone="+49 151 5555 0001")
    Card.objects.filter(pk=Card.objects.order_by("id").first().pk).update(text_hash="0" * 64)
    out, err, failed = reveal(download(as_user, "cards:export_cards", unit), key_file, tmp_path)
    assert "Opened 1 record:" in out
    assert "card text differs" in err
    assert failed


def test_reveal_refuses_a_card_tampered_in_the_export_file(as_user, unit, key_file, tmp_path):
    sign_card(unit)
    sign_card(unit, phone="+49 151 6666 0000")
    export = download(as_user, "cards:export_cards", unit)
    blob = bytearray(base64.b64decode(export["records"][0]["sealed"]))
    blob[-1] ^= 1
    export["records"][0]["sealed"] = base64.b64encode(bytes(blob)).decode()
    _out, err, failed = reveal(export, key_file, tmp_path)
    assert "cannot decrypt" in err
    assert failed


def wallchart(as_user, unit, key_file, tmp_path):
    files = {}
    for kind in ("roster", "notes", "cards"):
        files[f"{kind}_file"] = tmp_path / f"{kind}.json"
        files[f"{kind}_file"].write_text(json.dumps(download(as_user, f"cards:export_{kind}", unit)), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    failed = None
    try:
        call_command(
            "wallchart",
            key=str(key_file),
            out=str(tmp_path / "out"),
            stdout=out,
            stderr=err,
            **{k: str(v) for k, v in files.items()},
        )
    except CommandError as exc:
        failed = str(exc)
    return out.getvalue(), err.getvalue(), failed


def test_the_wall_chart_opens_on_the_organizers_machine(as_user, unit, key_file, tmp_path):
    dorothy = signing.add_person(
        unit, {"name": "Dorothy Vaughan", "contact": "+1 555 0101", "department": "Support", "assessment": 3}
    )
    signing.add_person(unit, {"name": "Mary Jackson", "contact": "", "assessment": None})
    day = today()  # the day she was added (with a 3): a conversation logged after it wins
    signing.add_note(dorothy, {"day": day, "who": "Rosa", "note": "Ready.", "next_step": "Card", "assessment": 1})
    signing.update_person(dorothy, {"shift": "Night", "assessment": None})
    sign_card(unit, full_name="Dorothy Vaughan", signature="Dorothy Vaughan", phone="+1 (555) 0101")
    sign_card(unit, full_name="Zelda Unknown", signature="Zelda Unknown", phone="+1 555 9999")
    out, err, failed = wallchart(as_user, unit, key_file, tmp_path)
    assert failed is None, err
    assert "Opened 2 people, 2 log entries and 2 cards (1 not matched to the roster)" in out
    path = tmp_path / "out" / f"wallchart-{unit.slug}.csv"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}
    dorothy_row = rows["Dorothy Vaughan"]
    assert (dorothy_row["department"], dorothy_row["shift"]) == ("Support", "Night")
    assert (dorothy_row["assessment"], dorothy_row["assessed_on"]) == ("1", day.isoformat())
    assert dorothy_row["card"] == "signed"
    assert dorothy_row["last_one_on_one"] == f"{day.isoformat()} (Rosa): Ready."
    assert rows["Mary Jackson"]["assessment"] == "" and rows["Mary Jackson"]["card"] == ""
    text = pdf_text(tmp_path / "out" / f"wallchart-{unit.slug}.pdf")
    assert "Dorothy Vaughan" in text and "1 · Leader /\ncommitted" in text


def test_the_wall_chart_refuses_exports_of_different_drives(as_user, unit, other_unit, key_file, tmp_path):
    signing.add_person(unit, {"name": "Dorothy Vaughan", "contact": ""})
    signing.add_person(other_unit, {"name": "Not Here", "contact": ""})
    _out, _err, failed = wallchart(as_user, unit, key_file, tmp_path)
    assert failed is None
    (tmp_path / "roster.json").write_text(
        json.dumps(json.loads(as_user("outsider").get(reverse("cards:export_roster", args=[other_unit.pk])).content))
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="not from the same card drive"):
        call_command(
            "wallchart",
            key=str(key_file),
            out=str(tmp_path / "out"),
            roster_file=str(tmp_path / "roster.json"),
            notes_file=str(tmp_path / "notes.json"),
            cards_file=str(tmp_path / "cards.json"),
            stdout=out,
            stderr=err,
        )


def test_notes_reveal_and_refuse_a_note_moved_to_another_person(as_user, unit, person, key_file, tmp_path, private_key):
    import datetime

    other = signing.add_person(unit, {"name": "Someone Else", "contact": "", "assessment": None})
    cleaned = {"day": datetime.date(2026, 1, 5), "who": "Rosa", "note": "Asked about dues.", "next_step": "Call back"}
    signing.add_note(person, cleaned)
    export = download(as_user, "cards:export_notes", unit)
    revealed = open_export(export, private_key)
    assert revealed.rows[0]["note"] == "Asked about dues."
    assert revealed.rows[0]["person"] == str(person.pk)
    # The server claims the note is about someone else (it can seal any columns).
    first = export["records"][0]
    reseal_columns(export, private_key, first, {**export_columns(export, private_key, first), "person": str(other.pk)})
    second = signing.add_note(other, {**cleaned, "note": "Second note."})
    fresh = download(as_user, "cards:export_notes", unit)
    added = next(r for r in fresh["records"] if r["id"] == str(second.pk))
    export["records"].append(added)
    reseal_columns(export, private_key, added, export_columns(fresh, private_key, added))
    revealed = open_export(export, private_key)
    assert [r["note"] for r in revealed.rows] == ["Second note."]
    assert revealed.failures and "person does not match" in revealed.failures[0][1]


def test_the_cli_wires_the_cards_option(tmp_path):
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "reveal", "--help"], capture_output=True, text=True, check=True, timeout=120
    )
    for option in ("--cards", "--roster", "--notes"):
        assert option in result.stdout
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "wallchart", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for option in ("--unit", "--roster-file", "--notes-file", "--cards-file"):
        assert option in result.stdout
