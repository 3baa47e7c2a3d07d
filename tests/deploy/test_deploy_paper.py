"""`concerted deploy --paper`: the paper every PDF is laid out on reaches the settings file
the app reads (CONCERTED_PAPER), is kept across bare re-runs, is left to the time zone
when never given, and a word that is no paper is refused before anything is written."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from concerted.ops import deploy

BACKUP_KEY = "age1" + "q" * 58
DOMAIN = "petition.example.org"


def test_it_writes_the_paper_into_the_settings_file(tmp_path):
    layout = deploy.Layout(tmp_path)
    assert deploy.parse(["--paper", "A4"]).paper == "a4"
    values = deploy.env_values(layout, deploy.Options(domain=DOMAIN, paper="a4"), {}, "")
    assert "CONCERTED_PAPER=a4\n" in deploy.render_env(values)


def test_without_paper_the_time_zone_decides(tmp_path):
    """No line written: the app picks A4 for Europe/Lisbon, Letter for America/Chicago."""
    layout = deploy.Layout(tmp_path)
    values = deploy.env_values(layout, deploy.Options(domain=DOMAIN, time_zone="Europe/Lisbon"), {}, "")
    assert "CONCERTED_PAPER" not in values


def test_a_bare_rerun_keeps_the_paper(tmp_path):
    layout = deploy.Layout(tmp_path)
    saved = asdict(deploy.Options(domain=DOMAIN, paper="letter"))
    assert deploy.Options(**saved).paper == "letter"
    # An operator's own line in the settings file survives a run that names none.
    old = {"CONCERTED_PAPER": "a4"}
    assert deploy.env_values(layout, deploy.Options(domain=DOMAIN), old, "")["CONCERTED_PAPER"] == "a4"
    # ... and a run that names one replaces it.
    assert (
        deploy.env_values(layout, deploy.Options(domain=DOMAIN, paper="letter"), old, "")["CONCERTED_PAPER"] == "letter"
    )


@pytest.mark.parametrize("bad", ["a3", "tabloid", "us-letter"])
def test_it_refuses_a_word_that_is_no_paper_before_writing_anything(tmp_path, bad):
    opts = deploy.Options(domain=DOMAIN, paper=bad)
    with pytest.raises(deploy.DeployError, match=f"--paper {bad} is not a paper size: a4 or letter"):
        deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=[BACKUP_KEY])
    assert list(tmp_path.iterdir()) == []
