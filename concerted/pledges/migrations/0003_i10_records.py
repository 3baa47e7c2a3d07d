from django.db import migrations, models

from concerted.core.records import rewrite_operation


class Migration(migrations.Migration):
    # Contact hashes go: the server no longer keeps anything a known contact can be
    # tested against. The table is then rewritten so the dropped values leave the
    # PostgreSQL heap too (SQLite: secure_delete zeroes them, the WAL is emptied).
    atomic = False

    dependencies = [
        ("pledges", "0002_requires_invite"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="commitment",
            name="one_pledge_per_contact",
        ),
        migrations.RemoveField(
            model_name="commitment",
            name="contact_hash",
        ),
        migrations.AddField(
            model_name="pledge",
            name="confirmed_count",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        rewrite_operation("pledges", "commitment"),
    ]
