from django.db import migrations

from concerted.core.records import rewrite_operation


class Migration(migrations.Migration):
    # Contact hashes go: the server no longer keeps anything a known contact can be
    # tested against. The table is then rewritten so the dropped values leave the
    # PostgreSQL heap too (SQLite: secure_delete zeroes them, the WAL is emptied).
    atomic = False

    dependencies = [
        ("petitions", "0002_requires_invite"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="signature",
            name="one_signature_per_contact",
        ),
        migrations.RemoveField(
            model_name="signature",
            name="contact_hash",
        ),
        rewrite_operation("petitions", "signature"),
    ]
