"""`concerted tick` rewrites a large SQLite table in parts (core/records.py: a part per
transaction, so signing never waits long for the write lock): rewritten in many parts,
rows still sit with only chance correlation to their arrival, overflow pages included."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from concerted.core import records

from .test_records import BOUND_99, arrival_correlation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL rewrites in one transaction (one xmin)")
@pytest.mark.parametrize("label", ["petitions.Signature", "elections.Ballot"])
def test_it_leaves_storage_unrelated_to_arrival_when_rewritten_in_parts(label, campaign, monkeypatch):
    monkeypatch.setattr(records, "SCRAMBLE_PART_ROWS", 90)  # 1,000 rows: a dozen parts
    monkeypatch.setattr(records, "SCRAMBLE_PAUSE_SECONDS", 0)
    kind = apps.get_model(label)
    rewritten: list[str] = []
    real = records._rewrite
    monkeypatch.setattr(records, "_rewrite", lambda *a, **k: (rewritten.append(a[2]), real(*a, **k))[1])
    rho = arrival_correlation(kind, campaign)
    if abs(rho) >= BOUND_99:  # chance exceeds the 99% bound once in a hundred runs: a fresh sample
        kind.objects.all().delete()
        rho = arrival_correlation(kind, campaign)
    assert abs(rho) < BOUND_99, f"{label}: Spearman rho {rho:.3f} between arrival and storage"
    assert sum(1 for where in rewritten if where) >= 10, "sanity: the table was rewritten in parts"
    assert connection.vendor == "sqlite"
