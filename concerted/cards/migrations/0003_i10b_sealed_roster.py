"""Seal what roster rows kept in the clear (groups, the 1-5 assessment, when it was
made and when the person was added), then drop those columns and the one-on-ones' day.

The server can't re-seal a person's record (it can't read the name in it), but sealing
needs only the campaign's public key: each person gets one sealed log entry holding the
old clear values, which the committee's device applies like any other correction
(cards.roster.current). One-on-one notes already hold their date sealed.

Afterwards the dropped values must not linger on disk: SQLite rebuilt the table
(secure_delete zeroes the old pages) and the WAL is truncated; PostgreSQL's DROP COLUMN
only hides the values, so both tables are rewritten with VACUUM FULL. Backups taken
before this migration still hold them: destroy those."""

import uuid

from django.db import connection, migrations

ROSTER_COLUMNS = ["department", "site", "shift", "classification", "assessment", "assessed_on", "added"]


def seal_clear_columns(apps, schema_editor):
    from concerted.core import keys, sealing

    RosterPerson = apps.get_model("cards", "RosterPerson")
    OneOnOne = apps.get_model("cards", "OneOnOne")
    people = RosterPerson.objects.select_related(
        "unit__campaign", "department", "site", "shift", "classification"
    ).order_by("id")  # random ids: the new rows say nothing about the old order
    for person in people.iterator():
        campaign = person.unit.campaign
        if not campaign.public_key:
            continue  # nobody could be added without a key; nothing here can be sealed
        groups = {}
        for field in ("department", "shift", "site", "classification"):
            segment = getattr(person, field)
            if segment is not None:
                groups[field] = segment.label
        day = person.assessed_on if person.assessment and person.assessed_on else person.added
        entry_id = uuid.uuid4()
        ids = {
            "campaign": str(campaign.pk),
            "unit": str(person.unit_id),
            "person": str(person.pk),
            "row": str(entry_id),
        }
        data = {
            "event": "update",
            "date": day.isoformat(),
            "groups": groups,
            "assessment": person.assessment,
            "added": person.added.isoformat(),
            "saved": "",
        }
        blob = sealing.seal(keys.parse_public(campaign.public_key), kind="cards.note", ids=ids, data=data)
        OneOnOne.objects.create(id=entry_id, person=person, sealed=blob)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new rows' foreign keys now: PostgreSQL won't alter a table (below)
        # with deferred checks pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def purge_dropped_values(apps, schema_editor):
    def purge():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif connection.vendor == "postgresql":
                cursor.execute('VACUUM FULL "cards_rosterperson"')
                cursor.execute('VACUUM FULL "cards_oneonone"')

    connection.on_commit(purge) if connection.in_atomic_block else purge()


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0002_i10_records"),
    ]

    operations = [
        migrations.RunPython(seal_clear_columns, migrations.RunPython.noop, elidable=False),
        *[migrations.RemoveField(model_name="rosterperson", name=name) for name in ROSTER_COLUMNS],
        migrations.RemoveField(model_name="oneonone", name="day"),
        migrations.AlterModelOptions(name="rosterperson", options={"ordering": ["id"]}),
        migrations.AlterModelOptions(name="oneonone", options={"ordering": ["id"]}),
        migrations.RunPython(purge_dropped_values, migrations.RunPython.noop, elidable=False),
    ]
