"""What a command prints counts in words with their own singular and plural ("1 record",
"2 records"), never "record(s)", which no translation can carry."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from concerted.core import records

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_says_how_many_tables_the_tick_rewrote_in_words(monkeypatch):
    out = io.StringIO()
    call_command("tick", stdout=out)
    tables = len(records.unordered_models())
    lines = out.getvalue()
    assert "0 releases of public figures." in lines
    assert f"{tables} participant and ballot tables purged and rewritten." in lines
    assert "0 remembered form answers from before today erased." in lines

    monkeypatch.setattr(records, "unordered_models", lambda: [object()])
    monkeypatch.setattr(records, "scramble_all", lambda: None)
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "1 participant and ballot table purged and rewritten." in out.getvalue()
    assert "(s)" not in out.getvalue().replace("pledge(s)", "")  # concerted/pledges/ticking.py: not ours
