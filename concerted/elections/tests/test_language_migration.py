"""Migration elections 0003: an election made before it gets its campaign's language, so
a later change of the campaign's main language doesn't relabel its wording."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from concerted.campaigns.models import Campaign
from concerted.elections.models import Election

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_an_older_election_its_campaigns_language(campaign):
    from django.db.migrations.executor import MigrationExecutor

    Campaign.objects.filter(pk=campaign.pk).update(language="es")
    call_command("migrate", "elections", "0002", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(("elections", "0002_election_pass_rule")).apps
        made = old.get_model("elections", "Election").objects.create(
            campaign_id=campaign.pk, title="Huelga", question="¿Huelga?", slug="huelga1"
        )
    finally:
        call_command("migrate", "elections", verbosity=0)
    Campaign.objects.filter(pk=campaign.pk).update(language="en")
    election = Election.objects.get(pk=made.pk)
    assert election.language == "es" and election.content_language == "es"
