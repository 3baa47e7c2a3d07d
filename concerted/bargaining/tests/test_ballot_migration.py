"""Migration bargaining 0004: an existing installation's ranks move onto their ballots,
and the old rank rows are gone (table dropped), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from concerted.bargaining import filing
from concerted.bargaining.models import Ballot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_migration_moves_ranks_onto_their_ballots(kit, demands):
    from django.db.migrations.executor import MigrationExecutor

    a, b, c = demands
    call_command("migrate", "bargaining", "0003", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(("bargaining", "0003_ballot_without_day")).apps
        OldBallot, OldRank = old.get_model("bargaining", "Ballot"), old.get_model("bargaining", "BallotRank")
        first, second = OldBallot.objects.create(kit_id=kit.pk), OldBallot.objects.create(kit_id=kit.pk)
        empty = OldBallot.objects.create(kit_id=kit.pk)  # every choice withdrawn: still cast
        for ballot, ranks in ((first, {a: 1, b: 2}), (second, {c: 1, a: 1})):
            for demand, rank in ranks.items():
                OldRank.objects.create(ballot_id=ballot.pk, demand_id=demand.pk, rank=rank)
    finally:
        call_command("migrate", "bargaining", verbosity=0)
    ranks = {str(b.pk): b.ranks for b in Ballot.objects.all()}
    assert ranks == {
        str(first.pk): {str(a.pk): 1, str(b.pk): 2},
        str(second.pk): {str(c.pk): 1, str(a.pk): 1},
        str(empty.pk): {},
    }
    assert "bargaining_ballotrank" not in connection.introspection.table_names()
    assert filing.results(kit).ballots == 3
