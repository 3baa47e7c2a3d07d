"""`concerted reveal --file` opens the sealed reports and proposals on the organizer's
machine; a record moved between rows is refused."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from concerted.bargaining import filing
from concerted.core import keys
from concerted.core.reveal import EXPORT_PATHS

pytestmark = pytest.mark.django_db


def write_key(tmp_path, private_key):
    path = tmp_path / "committee.key"
    path.write_text(keys.format_private(private_key))
    return path


def test_the_reveal_options_are_registered():
    assert EXPORT_PATHS["reports"] == "/o/bargaining/{id}/reports.json"
    assert EXPORT_PATHS["proposals"] == "/o/bargaining/{id}/proposals.json"


def test_it_reveals_reports_once_there_are_ten(as_user, kit, private_key, tmp_path):
    for i in range(10):
        filing.file_surveillance(
            kit, {"tool": 6}, {"type": "surveillance", "tool_other": f"Tool{i}", "details": f"note {i}"}
        )
    export = as_user("owner").get(reverse("bargaining:reports_export", args=[kit.pk])).json()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    out = tmp_path / "out"
    call_command("reveal", "--file", str(path), "--key", str(write_key(tmp_path, private_key)), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO((out / f"reports-{kit.slug}.csv").read_text())))
    assert sorted(r["tool_other"] for r in rows) == sorted(f"Tool{i}" for i in range(10))
    assert {r["type"] for r in rows} == {"surveillance"}

    # Swap two sealed blobs: both rows are refused.
    export["records"][0]["sealed"], export["records"][1]["sealed"] = (
        export["records"][1]["sealed"],
        export["records"][0]["sealed"],
    )
    path.write_text(json.dumps(export))
    with pytest.raises(CommandError):
        call_command("reveal", "--file", str(path), "--key", str(write_key(tmp_path, private_key)), "--out", str(out))


def test_it_reveals_proposals(as_user, kit, private_key, tmp_path):
    filing.propose(kit, "Ban the token leaderboard.")
    export = as_user("teammate").get(reverse("bargaining:proposals_export", args=[kit.pk])).json()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    out = tmp_path / "out"
    call_command("reveal", "--file", str(path), "--key", str(write_key(tmp_path, private_key)), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO((out / f"proposals-{kit.slug}.csv").read_text())))
    assert [r["demand"] for r in rows] == ["Ban the token leaderboard."]
