"""The parts of `concerted deploy` that need no install: its refusals, the tor block it
keeps once in torrc, and settings that keep their secret across runs."""

from __future__ import annotations

import pytest

from concerted.ops import deploy


def test_it_refuses_to_deploy_without_a_way_in(tmp_path):
    with pytest.raises(deploy.DeployError, match="--domain NAME"):
        deploy.deploy(deploy.Options(), root=tmp_path, source=deploy.SOURCE, recipients=[])


def test_it_refuses_a_backup_key_that_is_not_an_age_public_key(tmp_path):
    opts = deploy.Options(domain="petition.example.org")
    with pytest.raises(deploy.DeployError, match="not an age public key"):
        deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=["ssh-ed25519 AAAA"])
    with pytest.raises(deploy.DeployError, match="No backup key"):
        deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=[])


def test_it_keeps_one_tor_block_however_often_it_runs(tmp_path):
    layout = deploy.Layout(tmp_path)
    block = deploy.torrc_block(layout, deploy.Options(onion=True))
    text = "SocksPort 0\n"
    for _ in range(3):
        text = deploy.with_torrc_block(text, block)
    assert text.count(deploy.TOR_BEGIN) == 1 and text.startswith("SocksPort 0\n")


def test_it_generates_the_secret_once_and_keeps_it(tmp_path):
    layout = deploy.Layout(tmp_path)
    opts = deploy.Options(domain="petition.example.org")
    first = deploy.env_values(layout, opts, {}, "")
    again = deploy.env_values(layout, opts, first, "abc.onion")
    assert len(first["CONCERTED_SECRET_KEY"]) >= 50
    assert again["CONCERTED_SECRET_KEY"] == first["CONCERTED_SECRET_KEY"]
    assert deploy.env_values(layout, opts, {}, "")["CONCERTED_SECRET_KEY"] != first["CONCERTED_SECRET_KEY"]
    assert again["CONCERTED_ALLOWED_HOSTS"] == "petition.example.org,abc.onion"
    assert first["CONCERTED_HTTPS"] == "true" and first["CONCERTED_PUBLIC_BASE_URL"] == "https://petition.example.org"


def test_it_refuses_a_setting_the_environment_file_cant_carry(tmp_path):
    opts = deploy.Options(domain="petition.example.org", database_url="postgres://u:pa$$word@db/concerted")
    with pytest.raises(deploy.DeployError, match="percent-encode"):
        deploy.env_values(deploy.Layout(tmp_path), opts, {}, "")
