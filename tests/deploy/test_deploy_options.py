"""`concerted deploy` checks what it was asked before it writes anything, and leaves the
settings as they were when the new release fails its checks."""

from __future__ import annotations

import pytest

from concerted.ops import deploy

BACKUP_KEY = "age1" + "q" * 58


@pytest.mark.parametrize("keep_days", [0, -3])
def test_it_refuses_keep_days_below_one_before_writing_anything(tmp_path, keep_days):
    opts = deploy.Options(domain="petition.example.org", keep_days=keep_days)
    with pytest.raises(deploy.DeployError, match="--keep-days"):
        deploy.deploy(opts, root=tmp_path, source=deploy.SOURCE, recipients=[BACKUP_KEY])
    assert list(tmp_path.iterdir()) == []


def test_a_release_that_fails_its_checks_leaves_no_settings_written(tmp_path):
    checkout = tmp_path / "checkout"  # no node_modules: the release can't be made
    checkout.mkdir()
    opts = deploy.Options(domain="petition.example.org")
    root = tmp_path / "root"
    assert deploy.deploy(opts, root=root, source=checkout, recipients=[BACKUP_KEY]) == 1
    layout = deploy.Layout(root)
    assert not layout.env_file.exists() and not layout.install_json.exists()


def test_new_secret_key_replaces_only_the_secret(tmp_path):
    layout = deploy.Layout(tmp_path)
    opts = deploy.Options(domain="petition.example.org")
    old = deploy.next_env(layout, opts, "")
    deploy.write_file(layout.env_file, deploy.render_env(old), 0o600)
    assert deploy.next_env(layout, opts, "") == old
    rotated = deploy.next_env(layout, opts, "", new_secret_key=True)
    assert rotated.pop("CONCERTED_SECRET_KEY") != old.pop("CONCERTED_SECRET_KEY")
    assert rotated == old
    assert deploy.parse(["--new-secret-key"]).new_secret_key is True
