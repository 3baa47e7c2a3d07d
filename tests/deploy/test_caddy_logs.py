"""Caddy's own log, as `concerted deploy` configures it, keeps errors but never the
client's address (invariant 3): a proxy error (every app server down) is the one
request Caddy logs at error level, and its entry names the client unless deleted."""

from __future__ import annotations

import subprocess
import time

from bench.common import free_port
from concerted.ops import deploy

from .installs import CLIENT, DOMAIN, HOST, stop, wait_for


def test_it_logs_a_proxy_error_without_the_client_address(tmp_path):
    https = free_port()
    opts = deploy.Options(
        domain=DOMAIN, local_certs=True, http_port=free_port(), https_port=https,
        app_servers=0, upstreams=[f"{HOST}:{free_port()}"],  # nothing listens there
    )  # fmt: skip
    config = tmp_path / "Caddyfile"
    config.write_text(deploy.caddyfile(opts, admin=False))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_CONFIG_HOME": str(tmp_path / "c")}  # fmt: skip
    log = tmp_path / "caddy.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env, stdout=f, stderr=f, start_new_session=True,
        )  # fmt: skip
    ca = tmp_path / "d" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def status() -> str:
        return subprocess.run(
            ["curl", "-sS", "--max-time", "30", "--cacert", str(ca), "--resolve", f"{DOMAIN}:{https}:{HOST}",
             "--interface", CLIENT, "-o", "/dev/null", "-w", "%{http_code}", f"https://{DOMAIN}:{https}/p/x/"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip

    try:
        wait_for(lambda: ca.exists() and status() == "502", timeout=90, what=f"Caddy: {log.read_text()[-2000:]}")
        time.sleep(1)
        text = log.read_text()
    finally:
        stop(proc)
    assert '"status":502' in text  # the error was logged ...
    assert CLIENT not in text, text  # ... without the client's address
