"""A roster person's current state as the committee's machine builds it (cards/roster.py),
and the person page's forms: the latest assessment by date wins, consent recorded later
needs the contact they agreed to be written at, an empty correction says so, and a
comma-separated paste line is refused rather than stored as one name."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from concerted.cards import signing
from concerted.cards.models import NOTE_KIND, ROSTER_KIND, OneOnOne, RosterPerson
from concerted.cards.roster import current
from concerted.core import keys
from concerted.core.days import today
from concerted.core.sealing import open_sealed

pytestmark = pytest.mark.django_db


def state(private_key, person: RosterPerson) -> dict:
    record = open_sealed(private_key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())
    log = [open_sealed(private_key, n.sealed, kind=NOTE_KIND, ids=n.envelope_ids()) for n in person.notes.all()]
    return current(record, log)


def one_on_one(person: RosterPerson, day: datetime.date, assessment: int, note: str = "Talked.") -> None:
    signing.add_note(person, {"day": day, "who": "Rosa", "note": note, "next_step": "", "assessment": assessment})


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def test_a_one_on_one_dated_before_the_assessment_does_not_replace_it(unit, private_key, as_user, tmp_path):
    # Emma is added today as a 2; conversations from the past weeks are logged afterwards,
    # out of order. The assessment made today is the newest information.
    emma = signing.add_person(unit, {"name": "Emma Goldman", "contact": "", "assessment": 2})
    one_on_one(emma, days_ago(12), 1, "First talk.")
    one_on_one(emma, days_ago(7), 3, "Worried.")
    one_on_one(emma, days_ago(10), 2, "Second talk.")
    seen = state(private_key, emma)
    assert (seen["assessment"], seen["assessed_on"]) == (2, today().isoformat())
    # The log still reads in date order: the last conversation is the latest dated.
    assert seen["last_one_on_one"] == f"{days_ago(7).isoformat()} (Rosa): Worried."

    # The same day as the record's assessment: the later-recorded wins.
    one_on_one(emma, today(), 4, "Today.")
    assert (state(private_key, emma)["assessment"], state(private_key, emma)["assessed_on"]) == (
        4,
        today().isoformat(),
    )

    # The wall chart from `concerted wallchart` says the same.
    key = tmp_path / "committee.key"
    key.write_text(keys.format_private(private_key) + "\n")
    files = {}
    for kind in ("roster", "notes", "cards"):
        path = tmp_path / f"{kind}.json"
        path.write_text(as_user("owner").get(reverse(f"cards:export_{kind}", args=[unit.pk])).content.decode())
        files[f"{kind}_file"] = str(path)
    call_command("wallchart", key=str(key), out=str(tmp_path / "out"), stdout=io.StringIO(), **files)
    text = (tmp_path / "out" / f"wallchart-{unit.slug}.csv").read_text(encoding="utf-8")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["assessment"], row["assessed_on"]) == ("4", today().isoformat())


def test_without_an_assessment_on_the_record_the_latest_dated_entry_wins(unit, private_key):
    ida = signing.add_person(unit, {"name": "Ida Wells", "contact": "", "assessment": None})
    one_on_one(ida, days_ago(3), 4)
    one_on_one(ida, days_ago(9), 1)  # older, logged later
    assert (state(private_key, ida)["assessment"], state(private_key, ida)["assessed_on"]) == (
        4,
        days_ago(3).isoformat(),
    )


def test_consent_recorded_later_needs_the_contact_they_agreed_to(as_user, unit, private_key):
    lucy = signing.add_person(unit, {"name": "Lucy Parsons", "contact": "", "assessment": None})
    url = reverse("cards:person_consent", args=[lucy.pk])
    organizer = as_user("owner")
    page = organizer.get(reverse("cards:person", args=[lucy.pk])).content.decode()
    assert "The personal contact they agreed to be written at" in page

    response = organizer.post(url, {"agreed": "on"})
    assert response.status_code == 400
    assert "without one nobody can write to them" in response.content.decode()
    lucy.refresh_from_db()
    assert not lucy.may_message and lucy.stop_hash is None and not OneOnOne.objects.filter(person=lucy).exists()

    response = organizer.post(url, {"agreed": "on", "contact": "lucy@acme.com"})  # the employer's domain
    assert response.status_code == 400 and "acme.com" in response.content.decode()
    lucy.refresh_from_db()
    assert not lucy.may_message

    response = organizer.post(url, {"agreed": "on", "contact": "lucy@example.net"}, follow=True)
    assert "they can be written to there" in response.content.decode()
    lucy.refresh_from_db()
    assert lucy.may_message and lucy.stop_hash
    seen = state(private_key, lucy)
    assert (seen["contact"], seen["may_message"]) == ("lucy@example.net", True)


@pytest.mark.parametrize(
    "data",
    [{"department": "", "shift": "", "site": "", "classification": "", "assessment": ""}, {}],
    ids=["blank fields", "nothing sent"],
)
def test_an_empty_correction_says_nothing_changed(as_user, person, data):
    response = as_user("owner").post(reverse("cards:person", args=[person.pk]), data, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "Nothing changed" in response.content.decode()
    assert not OneOnOne.objects.exists()


@pytest.mark.parametrize(
    "line",
    [
        "Anne-Marie d'Arcy, anne@example.org, Ovens",
        "Anne-Marie d'Arcy, +1 (555) 010-0199, Ovens",
    ],
)
def test_a_comma_separated_paste_line_is_refused_with_the_text_kept(as_user, unit, line):
    lines = f"Ann Lee; ann@example.org\n{line}"
    response = as_user("owner").post(reverse("cards:roster_import", args=[unit.pk]), {"lines": lines})
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert "Line 2: the name “Anne-Marie d'Arcy," in page
    assert "semicolons or tabs, not commas" in page
    assert line in page  # what was pasted is kept in the box
    assert not RosterPerson.objects.exists()


def test_a_name_with_a_comma_and_no_contact_in_it_is_still_one_name(as_user, unit, private_key):
    response = as_user("owner").post(
        reverse("cards:roster_import", args=[unit.pk]), {"lines": "Lovelace, Ada; ada@example.org; Ovens"}
    )
    assert response.status_code == 302
    seen = state(private_key, RosterPerson.objects.get())
    assert (seen["name"], seen["contact"], seen["department"]) == ("Lovelace, Ada", "ada@example.org", "Ovens")


def test_the_consent_entry_is_sealed_with_the_contact(as_user, unit, private_key):
    bo = signing.add_person(unit, {"name": "Bo Berg", "contact": "old@example.net", "assessment": None})
    as_user("owner").post(reverse("cards:person_consent", args=[bo.pk]), {"agreed": "on", "contact": "+1 555 0100"})
    entry = OneOnOne.objects.get(person=bo)
    sealed = open_sealed(private_key, bytes(entry.sealed), kind=NOTE_KIND, ids=entry.envelope_ids())
    assert (sealed["event"], sealed["contact"], sealed["may_message"]) == ("consent", "+1 555 0100", True)
    assert state(private_key, bo)["contact"] == "+1 555 0100"  # replaces the one recorded
