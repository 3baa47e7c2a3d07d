"""`concerted deploy --time-zone`: the installation's time zone reaches the settings file
the app reads (CONCERTED_TIME_ZONE), is kept across bare re-runs, and a name that is no
time zone is refused before anything is written."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from concerted.ops import deploy

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
