"""`concerted tick` in another zone than the web server's lapses a pledge at the wrong
midnight: with the server in Los Angeles and cron in UTC, at 17:00 on the deadline day
the page still takes pledges while the tick destroyed every sealed one. The server
records its zone in the data folder (concerted/wsgi.py, core/serverzone.py); a tick
in another zone refuses before anything moves."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from concerted.core import pagecache, serverzone
from concerted.ops import doctor
from concerted.pledges.models import Commitment, Pledge

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = datetime.date(2026, 12, 18)
AFTER_UTC_MIDNIGHT = datetime.datetime(2026, 12, 19, 1, tzinfo=datetime.UTC)  # 17:00 on the 18th in Los Angeles


@pytest.fixture
def server_in_los_angeles(settings, tmp_path, monkeypatch) -> Path:
    """The web server started with America/Los_Angeles and recorded it; then this process
    (the tick) runs with UTC, as a cron line without the server's environment does."""
    settings.DATA_DIR = tmp_path
    settings.TIME_ZONE = "America/Los_Angeles"
    serverzone.record()
    settings.TIME_ZONE = "UTC"
    pagecache._next_cache.clear()
    monkeypatch.setattr(timezone, "now", lambda: AFTER_UTC_MIDNIGHT)
    yield tmp_path / serverzone.FILE_NAME
    pagecache._next_cache.clear()


@pytest.fixture
def due(make_pledge, add_pledges, settings, monkeypatch) -> Pledge:
    """Open until the end of 18 December, 3 pledges of 5: lapses once the deadline passes."""
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 10, 12, tzinfo=datetime.UTC))
    pledge = make_pledge(deadline=DEADLINE)
    add_pledges(pledge, 3)
    return pledge


def test_it_refuses_to_tick_in_another_zone_than_the_servers_and_lapses_nothing(due, server_in_los_angeles):
    assert due.lapse_due()  # in UTC the deadline has passed: this tick would destroy the pledges
    for args in ([], ["--quick"]):
        with pytest.raises(CommandError) as refused:
            call_command("tick", *args, verbosity=0)
        message = str(refused.value)
        assert "\n" not in message
        assert "CONCERTED_TIME_ZONE=UTC" in message and "America/Los_Angeles" in message
    due.refresh_from_db()
    assert due.status == Pledge.Status.OPEN and Commitment.objects.filter(pledge=due).count() == 3


def test_in_the_servers_zone_it_runs_and_lapses_at_that_midnight(due, server_in_los_angeles, settings, monkeypatch):
    settings.TIME_ZONE = "America/Los_Angeles"
    call_command("tick", verbosity=0)
    due.refresh_from_db()
    assert due.status == Pledge.Status.OPEN and due.commitments.count() == 3  # 17:00 there: still open
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 19, 8, 5, tzinfo=datetime.UTC))
    call_command("tick", verbosity=0)
    due.refresh_from_db()
    assert due.status == Pledge.Status.LAPSED and not Commitment.objects.filter(pledge=due).exists()


def test_a_record_made_for_another_database_does_not_hold_this_one(due, server_in_los_angeles):
    # A developer's `make run` records its zone for var/concerted.sqlite3; a test database
    # (or a data folder whose database moved) is not bound by it.
    saved = json.loads(server_in_los_angeles.read_text())
    server_in_los_angeles.write_text(json.dumps({**saved, "database": "/elsewhere/concerted.sqlite3"}))
    call_command("tick", "--quick", verbosity=0)


def test_doctor_reports_the_difference(server_in_los_angeles, settings):
    found = doctor.server_zone(doctor.Context())
    assert len(found) == 1 and "America/Los_Angeles" in found[0] and "CONCERTED_TIME_ZONE=UTC" in found[0]
    settings.TIME_ZONE = "America/Los_Angeles"
    assert doctor.server_zone(doctor.Context()) == []


def test_the_web_server_records_its_zone_privately_when_it_starts(tmp_path):
    data = tmp_path / "data"
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "CONCERTED_DATA_DIR": str(data),
        "CONCERTED_TIME_ZONE": "America/Los_Angeles",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import concerted.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,
    )
    assert done.returncode == 0, done.stderr
    path = data / serverzone.FILE_NAME
    assert json.loads(path.read_text()) == {
        "time_zone": "America/Los_Angeles",
        "database": str((data / "concerted.sqlite3").resolve()),
    }
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in data.iterdir() if p.name.startswith(".")] == []  # no temporary file left
