"""`concerted deploy --time-zone`: the installation's time zone reaches the settings file
the app reads (CONCERTED_TIME_ZONE), is kept across bare re-runs, and a name that is no
time zone is refused before anything is written. The nightly backup's timer runs at
03:30 in that zone, and the doctor says so."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from dataclasses import asdict

import pytest

from concerted.ops import deploy, doctor

BACKUP_KEY = "age1" + "q" * 58
DOMAIN = "petition.example.org"


def test_it_writes_the_time_zone_into_the_settings_file(tmp_path):
    layout = deploy.Layout(tmp_path)
    assert deploy.parse(["--time-zone", "Europe/Lisbon"]).time_zone == "Europe/Lisbon"
    values = deploy.env_values(layout, deploy.Options(domain=DOMAIN, time_zone="Europe/Lisbon"), {}, "")
    assert "CONCERTED_TIME_ZONE=Europe/Lisbon\n" in deploy.render_env(values)
    assert deploy.env_values(layout, deploy.Options(domain=DOMAIN), {}, "")["CONCERTED_TIME_ZONE"] == "UTC"


def test_a_bare_rerun_keeps_the_time_zone(tmp_path):
    layout = deploy.Layout(tmp_path)
    # Saved in install.json with the other options...
    saved = asdict(deploy.Options(domain=DOMAIN, time_zone="Europe/Berlin"))
    assert deploy.Options(**saved).time_zone == "Europe/Berlin"
    # ... and an operator's own line in the settings file survives a run that names none.
    old = {"CONCERTED_TIME_ZONE": "America/Chicago"}
    assert deploy.env_values(layout, deploy.Options(domain=DOMAIN), old, "")["CONCERTED_TIME_ZONE"] == "America/Chicago"


@pytest.mark.parametrize("bad", ["Europe/Berln", "CEST", "Europe"])
def test_it_refuses_a_name_that_is_no_time_zone_before_writing_anything(tmp_path, bad):
    opts = deploy.Options(domain=DOMAIN, time_zone=bad)
    with pytest.raises(deploy.DeployError, match=f"--time-zone {bad} is not a time zone name like Europe/Berlin"):
        deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=[BACKUP_KEY])
    assert list(tmp_path.iterdir()) == []


def backup_timer(tmp_path, time_zone: str) -> str:
    return deploy.units(deploy.Layout(tmp_path), deploy.Options(domain=DOMAIN), time_zone)["concerted-backup.timer"]


def test_the_nightly_backup_runs_at_half_past_three_in_the_installations_zone(tmp_path):
    assert "OnCalendar=*-*-* 03:30:00 Europe/Berlin\n" in backup_timer(tmp_path, "Europe/Berlin")
    # No zone set (or UTC): the timer stays as it was, on the server's own clock.
    assert "OnCalendar=*-*-* 03:30:00\n" in backup_timer(tmp_path, "UTC")
    assert "OnCalendar=*-*-* 03:30:00\n" in backup_timer(tmp_path, "")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_reads_the_backup_time_with_its_zone():
    result = subprocess.run(
        ["systemd-analyze", "calendar", deploy.backup_calendar("America/Los_Angeles")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Normalized form: *-*-* 03:30:00 America/Los_Angeles" in result.stdout


def test_deploy_writes_the_zone_the_settings_file_keeps_into_the_timer(tmp_path, monkeypatch):
    # A bare re-run names no zone: the timer follows the one the settings file kept.
    layout = deploy.Layout(tmp_path)
    layout.env_file.parent.mkdir(parents=True)
    layout.env_file.write_text("CONCERTED_TIME_ZONE=Asia/Tokyo\n")
    monkeypatch.setattr(deploy, "install_release", lambda *args: layout.releases / "r1")
    monkeypatch.setattr(deploy, "switch_current", lambda *args: None)
    monkeypatch.setattr(deploy, "prune_releases", lambda *args: None)
    (layout.releases / "r1").mkdir(parents=True)
    opts = deploy.Options(domain=DOMAIN)
    assert deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=[BACKUP_KEY]) == 0
    assert "OnCalendar=*-*-* 03:30:00 Asia/Tokyo\n" in (layout.units / "concerted-backup.timer").read_text()


@pytest.mark.parametrize(
    ("zone", "says"), [("Europe/Berlin", "03:30 Europe/Berlin time"), ("UTC", "03:30 server time")]
)
def test_doctor_names_the_zone_of_the_first_backup(tmp_path, settings, zone, says):
    layout = deploy.Layout(tmp_path)
    layout.backups.mkdir(parents=True)
    layout.recipients.parent.mkdir(parents=True)
    layout.recipients.write_text(BACKUP_KEY + "\n")
    installed = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    layout.install_json.write_text(json.dumps(asdict(deploy.Options(domain=DOMAIN, installed=installed.isoformat()))))
    settings.BACKUP_DIR, settings.BACKUP_RECIPIENTS_FILE = layout.backups, layout.recipients
    settings.INSTALL_FILE, settings.TIME_ZONE = str(layout.install_json), zone
    found = doctor.backups(doctor.Context(now=installed + datetime.timedelta(hours=3)))
    assert len(found) == 1 and isinstance(found[0], doctor.Note), found
    assert f"the first nightly backup runs at {says} (systemctl" in found[0]
