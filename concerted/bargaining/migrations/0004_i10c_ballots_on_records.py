"""A ballot's ranking moves into its own row (Ballot.ranks) and BallotRank goes.

Rank rows were written in the ballot's transaction: on PostgreSQL they shared its xmin
and sat beside it in the heap, and on SQLite their rowids counted up in arrival order.
One row per ballot, on the record core (random order, see core/records.py), leaves
nothing to pair. The table is then rewritten so the old tuples don't stay in its files."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from concerted.core import records


def ranks_into_ballots(apps: Any, schema_editor: Any) -> None:
    Ballot = apps.get_model("bargaining", "Ballot")
    BallotRank = apps.get_model("bargaining", "BallotRank")
    ranks: dict[Any, dict[str, int]] = {}
    for ballot_id, demand_id, rank in BallotRank.objects.values_list("ballot_id", "demand_id", "rank"):
        ranks.setdefault(ballot_id, {})[str(demand_id)] = rank
    for ballot in Ballot.objects.all():
        ballot.ranks = ranks.get(ballot.pk, {})
        ballot.save(update_fields=["ranks"])


def ballots_into_ranks(apps: Any, schema_editor: Any) -> None:
    Ballot = apps.get_model("bargaining", "Ballot")
    BallotRank = apps.get_model("bargaining", "BallotRank")
    BallotRank.objects.bulk_create(
        BallotRank(ballot_id=ballot.pk, demand_id=demand_id, rank=rank)
        for ballot in Ballot.objects.all()
        for demand_id, rank in ballot.ranks.items()
    )


class Migration(migrations.Migration):
    atomic = False  # the rewrite's VACUUM FULL can't run inside a transaction

    dependencies = [
        ("bargaining", "0003_ballot_without_day"),
    ]

    operations = [
        # The new field takes the name the rank rows' reverse accessor had ("ranks"):
        # free it first (related_name only, nothing changes in the database).
        migrations.AlterField(
            model_name="ballotrank",
            name="ballot",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="bargaining.ballot"
            ),
        ),
        migrations.AddField(model_name="ballot", name="ranks", field=models.JSONField(default=dict)),
        migrations.RunPython(ranks_into_ballots, ballots_into_ranks, atomic=True, elidable=False),
        migrations.DeleteModel(name="BallotRank"),
        records.rewrite_operation("bargaining", "Ballot"),
    ]
