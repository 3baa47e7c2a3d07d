"""`/usr/local/bin/concerted`, the wrapper deploy writes: an operator types relative
paths where they stand (`concerted restore --identity concerted-backup.key FILE`), and
those must mean the same files for the command, not files in the app's folder.

The release is this checkout (its `concerted` package and its virtual environment)
linked into a throwaway root; the wrapper runs as it would on a server, but without
switching user (deploy's --root mode)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from concerted.ops import deploy

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def installed(tmp_path):
    layout = deploy.Layout(tmp_path / "root")
    release = layout.releases / "r1"
    release.mkdir(parents=True)
    (release / "concerted").symlink_to(ROOT / "concerted")
    (release / "venv").symlink_to(ROOT / ".venv")
    layout.current.symlink_to(Path("releases") / "r1")
    layout.data.mkdir(parents=True, mode=0o700)
    layout.backups.mkdir(parents=True, mode=0o700)
    values = {
        "CONCERTED_DATA_DIR": str(layout.data),
        "CONCERTED_BACKUP_DIR": str(layout.backups),
        "CONCERTED_BACKUP_RECIPIENTS": str(layout.recipients),
        "CONCERTED_SECRET_KEY": "k" * 20 + "e" * 20 + "y" * 20,
    }
    deploy.write_file(layout.env_file, deploy.render_env(values), 0o600)
    deploy.write_file(layout.wrapper, deploy.wrapper(layout, deploy.Options(domain="x"), True), 0o755)
    assert run(layout, tmp_path, "migrate", "-v0").returncode == 0
    return layout


def run(layout: deploy.Layout, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    return subprocess.run(
        ["sh", str(layout.wrapper), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_relative_paths_mean_where_the_operator_stands(installed, tmp_path):
    here = tmp_path / "operator"
    here.mkdir()
    result = run(installed, here, "backup", "plain.db")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (here / "plain.db").exists() and not (installed.current / "plain.db").exists()

    subprocess.run(["age-keygen", "-o", str(here / "concerted-backup.key")], check=True, capture_output=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(here / "concerted-backup.key")], check=True, capture_output=True, text=True
    ).stdout
    installed.recipients.write_text(public)
    result = run(installed, here, "backup", "--encrypted")
    assert result.returncode == 0, result.stdout + result.stderr
    (made,) = installed.backups.glob("concerted-*.tar.age")
    shutil.copy(made, here / made.name)
    result = run(installed, here, "restore", "--force", "--identity", "concerted-backup.key", made.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Row counts match" in result.stdout


def test_it_imports_nothing_from_where_the_operator_stands(installed, tmp_path):
    here = tmp_path / "operator"
    (here / "concerted").mkdir(parents=True)
    (here / "concerted" / "__init__.py").write_text("raise SystemExit('imported from the current folder')\n")
    result = run(installed, here, "help")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Commands:" in result.stdout
