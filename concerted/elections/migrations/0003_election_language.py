"""The language an election's text is written in. Elections made before it were read
as in the campaign's main language: they get that language now, so a later change of
the campaign's language doesn't relabel a ballot's wording."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_campaign(apps: Any, schema_editor: Any) -> None:
    Election = apps.get_model("elections", "Election")
    Campaign = apps.get_model("campaigns", "Campaign")
    Election.objects.filter(language="").update(
        language=Subquery(Campaign.objects.filter(pk=OuterRef("campaign_id")).values("language")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_i17_language"),
        ("elections", "0002_election_pass_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("es", "Español"), ("de", "Deutsch"), ("pt", "Português")],
                default="",
                help_text="The language you write them in. A voter reading the page in another language is told so, and screen readers read them in this one.",
                max_length=10,
                verbose_name="language of the title, question and options",
            ),
        ),
        migrations.RunPython(from_campaign, migrations.RunPython.noop),
    ]
