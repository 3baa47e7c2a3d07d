"""One production install per test session (building its virtual environment takes
minutes), shared by the deploy and doctor tests; each test that breaks something puts
it back. These tests install the SQLite layout and run in the SQLite pass only: the
PostgreSQL pass runs the two-server drill instead (tests/drills/test_two_servers.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .installs import Install


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/deploy/" in str(item.fspath) and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            item.add_marker(pytest.mark.skip(reason="the deploy tests run in the SQLite pass"))


@pytest.fixture(scope="session")
def install():
    for tool in ("caddy", "tor", "age", "curl", "memcached", "systemd-analyze"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: run scripts/system-deps")
    # For a developer re-running these tests: CONCERTED_TEST_DEPLOY_DIR keeps the install
    # (and its virtual environment) between runs; the next run upgrades it. CI never sets it.
    keep = os.environ.get("CONCERTED_TEST_DEPLOY_DIR")
    inst = Install(Path(keep) if keep else Path(tempfile.mkdtemp(prefix="concerted-deploy.")))
    if keep and inst.layout.install_json.exists():
        inst.adopt()
        result = inst.deploy()
    else:
        inst.base.mkdir(parents=True, exist_ok=True)
        result = inst.first_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    yield inst
    inst.stop_all()
    if not keep:
        shutil.rmtree(inst.base, ignore_errors=True)


@pytest.fixture(scope="session")
def serving(install):
    """Both app servers (from their unit's ExecStart), memcached and Caddy, and an open
    petition to sign."""
    install.start_memcached()
    install.start_app("app1")
    install.start_app("app2")
    install.petition = install.setup_petition()
    install.start_caddy()
    return install
