"""Invariants 1 and 11 for the roster: a seized server holds nothing about a roster
person in the clear (name, contact, groups, the 1-5 assessment or when it was made),
and the order rows sit in says nothing about the order of the list they came from."""

from __future__ import annotations

import datetime
import math

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from concerted.cards import signing
from concerted.cards.models import ASSESSMENTS, NOTE_KIND, ROSTER_KIND, OneOnOne, RosterPerson
from concerted.cards.roster import current
from concerted.core.sealing import open_sealed
from concerted.core.testing import assert_absent, database_bytes

NAMES = ["Quetzalcoatl Wintermute-Okonkwo", "Þórdís Ñúñez-Łukasiewicz", "Zebediah Marchbanks", "Ottoline Farquharson"]
CONTACTS = ["quetzal.wintermute@example.org", "+44 7700 900 431"]
GROUPS = ["Glockenspiel Annex", "Umbrafield Nightcrew", "Vortigern Lisbon Hub", "Senior Cartographer III"]
NOTE = "Ottoline fears the badge scanner logs bathroom breaks"
# Every assessment label ("1 · Leader / committed", "Leader / committed", "Supporter", ...)
# and the sealed records' field names. ("leader" alone is in another app's schema.)
ASSESSMENT_WORDS = [text for _v, label in ASSESSMENTS for text in (str(label), str(label).split(" · ")[1])]
PATTERNS = ['"assessment"', '"assessed_on"', '"department"', "assessment", "assessed_on"]


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


# The record core's two messaging columns are on every record; a roster person never
# ticks consent, so they stay False / NULL for everyone (checked below) and say nothing.
MESSAGING = {"may_message", "stop_hash"}


def test_it_keeps_only_ids_and_sealed_blobs_in_roster_rows(db):
    assert columns(RosterPerson._meta.db_table) == {"id", "unit_id", "sealed"} | MESSAGING
    assert columns(OneOnOne._meta.db_table) == {"id", "person_id", "sealed"}


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_roster_name_group_or_assessment_in_the_database_files(as_user, unit, private_key):
    client = as_user("owner")
    roster = reverse("cards:roster", args=[unit.pk])
    response = client.post(
        roster,
        {"name": NAMES[0], "contact": CONTACTS[0], "department": GROUPS[0], "shift": GROUPS[1], "assessment": "1"},
    )
    assert response.status_code == 302
    lines = f"{NAMES[1]}; {CONTACTS[1]}; {GROUPS[0]}; {GROUPS[1]}; {GROUPS[2]}; {GROUPS[3]}\n{NAMES[2]}\n{NAMES[3]}"
    assert client.post(reverse("cards:roster_import", args=[unit.pk]), {"lines": lines}).status_code == 302
    people = {
        open_sealed(private_key, p.sealed, kind=ROSTER_KIND, ids=p.envelope_ids())["name"]: p
        for p in RosterPerson.objects.select_related("unit")
    }
    for value, name in enumerate(NAMES[1:], start=3):
        person = people[name]
        assert client.post(reverse("cards:person", args=[person.pk]), {"assessment": str(value)}).status_code == 302
    today = datetime.date.today().isoformat()  # after the correction of the same day
    note = {"day": today, "who": NAMES[2], "note": NOTE, "next_step": "Call", "assessment": "2"}
    assert client.post(reverse("cards:person_note", args=[people[NAMES[3]].pk]), note).status_code == 302
    seen = current(
        open_sealed(private_key, people[NAMES[3]].sealed, kind=ROSTER_KIND, ids=people[NAMES[3]].envelope_ids()),
        [
            open_sealed(private_key, n.sealed, kind=NOTE_KIND, ids=n.envelope_ids())
            for n in OneOnOne.objects.filter(person=people[NAMES[3]])
        ],
    )
    assert (seen["assessment"], seen["assessed_on"]) == (2, today)  # it was all stored, sealed
    connection.close()
    data = database_bytes()
    assert unit.name.encode() in data  # control: a clear value we did store is found
    assert_absent(data, *NAMES, *CONTACTS, *GROUPS, NOTE, *ASSESSMENT_WORDS, *PATTERNS)


def spearman(xs: list[int], ys: list[int]) -> float:
    n = len(xs)
    rank_x = {x: i for i, x in enumerate(sorted(xs))}
    rank_y = {y: i for i, y in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_it_stores_a_pasted_roster_in_an_order_unrelated_to_the_paste(unit, private_key):
    n = 1000
    signing.import_people(unit, [{"name": f"Person {i:04d}", "contact": ""} for i in range(n)])
    # Storage order: PostgreSQL's heap position; SQLite's B-tree key, the random id once
    # the table is WITHOUT ROWID (the record core's layout), else the rowid.
    order = "ctid"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [RosterPerson._meta.db_table])
            order = "id" if "WITHOUT ROWID" in cursor.fetchone()[0].upper() else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {RosterPerson._meta.db_table} ORDER BY {order}")
        stored = [row[0] for row in cursor.fetchall()]
    people = {str(p.pk).replace("-", ""): p for p in RosterPerson.objects.select_related("unit__campaign")}
    pasted = []
    for ident in stored:
        person = people[str(ident).replace("-", "")]
        name = open_sealed(private_key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())["name"]
        pasted.append(int(name.split()[1]))
    assert len(pasted) == n
    rho = spearman(list(range(n)), pasted)
    # Under independence rho ~ N(0, 1/(n-1)); 4 sigma: a false alarm once in ~16,000 runs.
    assert abs(rho) < 4 / math.sqrt(n - 1), rho


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_clear_columns_and_drops_them(unit, private_key):
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "cards", "0001", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(("cards", "0001_initial")).apps
        Person, Note, Segment = (
            old.get_model("cards", "RosterPerson"),
            old.get_model("cards", "OneOnOne"),
            old.get_model("campaigns", "Segment"),
        )
        night = Segment.objects.create(campaign_id=unit.campaign_id, kind="shift", label="Night")
        person = Person(unit_id=unit.pk, shift=night, assessment=4)
        person.assessed_on = person.added = datetime.date(2026, 2, 3)
        fresh = RosterPerson(pk=person.pk, unit=unit)
        fresh.seal_data({"name": "Hedy Lamarr", "contact": ""})
        person.sealed = fresh.sealed
        person.save(force_insert=True)
        note = Note(person=person, day=datetime.date(2026, 2, 1))
        entry = OneOnOne(pk=note.pk, person=fresh)
        entry.seal_data({"date": "2026-02-01", "who": "Rosa", "note": "Asked about dues.", "next_step": ""})
        note.sealed = entry.sealed
        note.save(force_insert=True)
    finally:
        call_command("migrate", "cards", verbosity=0)
    assert columns(RosterPerson._meta.db_table) == {"id", "unit_id", "sealed"} | MESSAGING
    assert not RosterPerson.objects.filter(may_message=True).exists()
    assert not RosterPerson.objects.exclude(stop_hash=None).exists()
    person = RosterPerson.objects.select_related("unit").get()
    record = open_sealed(private_key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())
    log = [open_sealed(private_key, n.sealed, kind=NOTE_KIND, ids=n.envelope_ids()) for n in person.notes.all()]
    assert len(log) == 2
    seen = current(record, log)
    assert (seen["name"], seen["shift"], seen["assessment"]) == ("Hedy Lamarr", "Night", 4)
    assert (seen["assessed_on"], seen["added"]) == ("2026-02-03", "2026-02-03")
    assert seen["last_one_on_one"] == "2026-02-01 (Rosa): Asked about dues."
