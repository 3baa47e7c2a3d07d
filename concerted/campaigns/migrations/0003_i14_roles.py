"""Roles for organizers, two-factor requirement, invite links.

The plain many-to-many table becomes the `Membership` model without moving a row
(state only), then gains a role: every organizer who already had access becomes an
owner, since they could do everything before; people added later default to organizer."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_i12_release_times"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="campaigns.campaign",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "campaigns_campaign_organizers",
                        "unique_together": {("campaign", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="organizers",
                    field=models.ManyToManyField(
                        related_name="campaigns", through="campaigns.Membership", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "Owner"), ("organizer", "Organizer"), ("read-only", "Read-only")],
                default="owner",
                max_length=10,
                verbose_name="role",
            ),
        ),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "Owner"), ("organizer", "Organizer"), ("read-only", "Read-only")],
                default="organizer",
                max_length=10,
                verbose_name="role",
            ),
        ),
        # Existing campaigns get neutral wording until an organizer says they are in the US:
        # the software shouldn't claim a law protects people it may not protect.
        migrations.AddField(
            model_name="campaign",
            name="jurisdiction",
            field=models.CharField(
                blank=True,
                choices=[("us", "United States (private sector, NLRA)"), ("", "Elsewhere, or several countries")],
                default="",
                help_text=(
                    "Only for the US does Concerted name a labor board or say what the law protects (see "
                    "docs/CARDS.md). Elsewhere it uses neutral wording: check your own law with your union."
                ),
                max_length=10,
                verbose_name="where the workers are",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="require_two_factor",
            field=models.BooleanField(
                default=False,
                help_text="Every organizer of this campaign must sign in with a one-time code from an app.",
                verbose_name="require two-factor sign-in",
            ),
        ),
        migrations.CreateModel(
            name="OrganizerInvite",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[("owner", "Owner"), ("organizer", "Organizer"), ("read-only", "Read-only")],
                        default="organizer",
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        help_text="Who it is for, e.g. “Sam from Support”.",
                        max_length=100,
                        verbose_name="note for yourselves",
                    ),
                ),
                ("code_hash", models.CharField(max_length=64, unique=True)),
                ("expires", models.DateTimeField()),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="invites", to="campaigns.campaign"
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["expires"]},
        ),
    ]
